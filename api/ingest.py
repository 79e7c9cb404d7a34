"""Ingestion: POST a batch of records (JSON, or a CSV/XLSX file) through the same importer as the app.

One call is one import batch: validated, located, loaded or quarantined with reasons, idempotent
by source id (sending the same batch again changes nothing but adds a batch whose rows are all
"unchanged"). The token must be a write token of an editor or administrator; rows outside its
account's scope or above its clearance are quarantined (``outside_scope``), and a batch reusing
the id of a record the account cannot see is refused whole (403), exactly as in the app. The
body is capped (``DIABAN_API_MAX_BODY_MB``) while it is read, before anything is parsed.
"""

from __future__ import annotations

import hashlib
import json
import re

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as StarletteRequest

from api.auth import bearer_token, check_writer, user_connection
from api.errors import ApiError
from api.settings import get_api_settings
from etl.importer import ImportResult, import_bytes, import_rows
from etl.specs import SPECS
from queries import features as fq

router = APIRouter(tags=["ingestion"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILE_NAME = re.compile(r"[^\w.\- ]+")


async def _read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "api.too_large", limit=_mb(limit))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "api.too_large", limit=_mb(limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _mb(limit: int) -> str:
    return f"{limit / 1024 / 1024:g}"


def _check_type(record_type: object) -> str:
    if not isinstance(record_type, str) or record_type not in SPECS:
        raise ApiError(422, "api.bad_record_type", types=", ".join(sorted(SPECS)), value=str(record_type)[:40])
    return record_type


def _text(value: object) -> str:
    """A JSON value as the text a spreadsheet cell would hold (the importer parses text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "|".join(value)  # categories: the importer splits on | ; ,
    return json.dumps(value, ensure_ascii=False)[:2000]  # an object where a value belongs: the row is quarantined


def rows_from_json(body: bytes, *, query_type: str | None, max_records: int) -> tuple[str, pd.DataFrame, str | None]:
    """Parse ``{"record_type": …, "records": [{…}, …], "file_name": …}`` (or a bare list) into text rows."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "api.bad_json", error="UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, "api.bad_json", error=f"{exc.msg}, line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ApiError(400, "api.bad_json", error="nested too deep") from None
    if isinstance(payload, list):
        payload = {"records": payload}
    if not isinstance(payload, dict):
        raise ApiError(422, "api.bad_shape", kind=type(payload).__name__)
    records = payload.get("records")
    if not isinstance(records, list):
        raise ApiError(422, "api.bad_shape", kind=type(records).__name__)
    record_type = _check_type(payload.get("record_type", query_type))
    if not records:
        raise ApiError(422, "api.empty")
    if len(records) > max_records:
        raise ApiError(413, "api.too_many", limit=f"{max_records:,}", n=f"{len(records):,}")
    for n, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise ApiError(422, "api.bad_record", n=n, kind=type(record).__name__)
    frame = pd.DataFrame([{str(k): _text(v) for k, v in record.items()} for record in records]).fillna("")
    frame = frame.astype(str)
    frame.insert(0, "source_row", range(1, len(frame) + 1))  # the record's position in the list
    name = payload.get("file_name")
    return record_type, frame, name if isinstance(name, str) else None


async def _file_from_form(request: Request, body: bytes) -> tuple[bytes, str, str | None]:
    sent = False

    async def replay():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    form = await StarletteRequest(request.scope, replay).form(max_files=1, max_fields=10)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise ApiError(422, "api.no_file")
    raw = await upload.read()
    record_type = form.get("record_type")
    return raw, upload.filename or "upload.csv", record_type if isinstance(record_type, str) else None


def _safe_name(name: str | None, default: str) -> str:
    cleaned = _FILE_NAME.sub("_", name or "").strip()[:120]
    return cleaned or default


def _answer(request: Request, result: ImportResult) -> JSONResponse:
    base = str(request.base_url).rstrip("/")
    body = {"batch_id": result.batch_id, "record_type": result.record_type, "file_name": result.file_name,
            "rows_in": result.rows_in, "rows_loaded": result.rows_loaded, "rows_quarantined": result.rows_quarantined,
            "inserted": result.inserted, "updated": result.updated, "unchanged": result.unchanged,
            "quarantine": f"{base}/batches/{result.batch_id}/quarantine",
            "reasons": result.quarantine["reason_code"].value_counts().to_dict() if len(result.quarantine) else {}}
    if result.rows_loaded == 0:
        from pages.i18n import STRINGS

        vi, en = (s.format(quarantined=f"{result.rows_quarantined:,}", batch=result.batch_id)
                  for s in STRINGS["api.nothing_loaded"])
        body |= {"status": 422, "code": "api.nothing_loaded", "vi": vi, "en": en, "detail": f"{vi} / {en}"}
        return JSONResponse(body, status_code=422)
    return JSONResponse(body, status_code=201)


@router.post("/batches", summary="Import a batch (JSON records, or a CSV/XLSX file)", status_code=201)
async def post_batch(request: Request, record_type: str | None = Query(None, max_length=20),
                     file_name: str | None = Query(None, max_length=200)):
    settings = get_api_settings()
    engine = request.app.state.engine()
    token = bearer_token(request)
    await run_in_threadpool(check_writer, engine, token)  # 401 / 403 before the body is read
    body = await _read_capped(request, settings.max_body_bytes)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" and not (file_name or "").lower().endswith((".geojson", ".json")):
        kind, rows, given_name = rows_from_json(body, query_type=record_type, max_records=settings.max_records)
        name = _safe_name(file_name or given_name, f"api-{kind}.json")
        result = await run_in_threadpool(
            lambda: import_rows(engine, rows, record_type=kind, file_name=name,
                                sha256=hashlib.sha256(body).hexdigest(), session_token=token))
        return _answer(request, result)
    if media == "multipart/form-data":
        raw, upload_name, form_type = await _file_from_form(request, body)
        kind, name = _check_type(form_type or record_type), _safe_name(upload_name, "upload.csv")
    elif media in ("text/csv", "application/csv", "text/plain"):
        kind, name, raw = _check_type(record_type), _safe_name(file_name, "api.csv"), body
        name = name if name.lower().endswith((".csv", ".txt")) else f"{name}.csv"
    elif media == XLSX:
        kind, name, raw = _check_type(record_type), _safe_name(file_name, "api.xlsx"), body
        name = name if name.lower().endswith(".xlsx") else f"{name}.xlsx"
    elif media in ("application/geo+json", "application/json"):  # a GeoJSON file of points
        kind, name, raw = _check_type(record_type), _safe_name(file_name, "api.geojson"), body
        name = name if name.lower().endswith((".geojson", ".json")) else f"{name}.geojson"
    else:
        raise ApiError(415, "api.media_type", media=media[:60] or "?")
    if not raw:
        raise ApiError(422, "api.empty")
    result = await run_in_threadpool(
        lambda: import_bytes(engine, raw, file_name=name, record_type=kind, session_token=token))
    return _answer(request, result)


@router.get("/batches/{batch_id}", summary="Counts of one import batch")
def get_batch(request: Request, batch_id: int):
    with user_connection(request.app.state.engine(), bearer_token(request)) as (conn, _):
        batch = fq.batch_summary(conn, batch_id)
    if batch is None:
        raise ApiError(404, "api.no_batch", id=batch_id)
    return batch


@router.get("/batches/{batch_id}/quarantine", summary="Quarantined rows of a batch, with their reasons")
def get_quarantine(request: Request, batch_id: int, limit: int = Query(1000, ge=1, le=fq.MAX_LIMIT),
                   offset: int = Query(0, ge=0)):
    with user_connection(request.app.state.engine(), bearer_token(request)) as (conn, _):
        batch = fq.batch_summary(conn, batch_id)
        if batch is None:
            raise ApiError(404, "api.no_batch", id=batch_id)
        rows = fq.batch_quarantine(conn, batch_id, limit=limit, offset=offset)
    return {"batch_id": batch_id, "rows_quarantined": batch["rows_quarantined"], "numberReturned": len(rows),
            "rows": rows}
