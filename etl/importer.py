"""Import a file of records: read, validate, locate, then load or quarantine every row.

One import is one transaction with a batch id. Every input row ends up either in its table
(inserted, updated or unchanged, keyed by source id) or in ``quarantine`` with its row
number and reason, so ``rows_in = rows_loaded + rows_quarantined`` always (a check constraint
on ``import_batch`` enforces it). A crash or a kill before the commit leaves nothing behind.
Imports of the same record type take turns (a transaction-level advisory lock), so two
overlapping files loaded at once neither duplicate a record nor miscount inserted and
unchanged rows. The import's audit row is written in the same transaction.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from tqdm import tqdm

from boundaries.point_index import load_commune_index
from etl.locate import load_gazetteer, locate
from etl.quarantine import reason_text
from etl.readers import UnreadableFileError, read_table
from etl.specs import SPECS, RecordSpec
from etl.validate import canonical_columns, check_fields
from etl.vocabulary import CLASSIFICATIONS, parse_term
from geo.access import CLEARANCES as CLEARANCE_ORDER
from geo.access import AccessDeniedError, User, current_user, scoped_connection
from geo.settings import get_settings

log = logging.getLogger(__name__)

LOCATION_COLUMNS = ["commune_code", "province_code", "old_commune_code", "located_by", "h3_9", "classification"]
SOURCE_COLUMNS = ["source_file", "source_row", "source_sha256", "content_hash"]


@dataclass(frozen=True)
class ImportResult:
    """What an import did; ``rows_in == rows_loaded + rows_quarantined``."""

    batch_id: int
    record_type: str
    file_name: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    inserted: int
    updated: int
    unchanged: int
    quarantine: pd.DataFrame

    def summary(self) -> str:
        return (f"{self.file_name}: {self.rows_in:,} dòng vào = {self.rows_loaded:,} đã nạp "
                f"(mới {self.inserted:,}, cập nhật {self.updated:,}, không đổi {self.unchanged:,}) + "
                f"{self.rows_quarantined:,} cách ly / rows in = loaded + quarantined")


def _spec(record_type: str) -> RecordSpec:
    if record_type not in SPECS:
        raise ValueError(f"`record_type` must be one of {sorted(SPECS)}, got {record_type!r}.")
    return SPECS[record_type]


def import_file(engine: Engine, path: Path | str, *, record_type: str = "case",
                show_progress: bool = False, today: date | None = None) -> ImportResult:
    """Import the CSV, .xlsx or GeoJSON file at ``path``."""
    path = Path(path)
    return import_bytes(engine, path.read_bytes(), file_name=path.name, record_type=record_type,
                        show_progress=show_progress, today=today)


def import_bytes(engine: Engine, raw: bytes, *, file_name: str, record_type: str = "case",
                 show_progress: bool = False, today: date | None = None,
                 session_token: str | None = None) -> ImportResult:
    """Import an uploaded file's bytes (what the app calls, with the app role's engine and the
    user's ``session_token``: rows outside the user's scope or clearance are quarantined)."""
    settings = get_settings()
    limit = settings.max_upload_mb * 1024 * 1024
    if len(raw) > limit:
        raise UnreadableFileError(f"Tệp {file_name} lớn hơn giới hạn {settings.max_upload_mb} MB. "
                                  f"/ The file is over the {settings.max_upload_mb} MB limit.")
    rows = read_table(raw, file_name=file_name)
    return import_rows(engine, rows, record_type=record_type, file_name=file_name,
                       sha256=hashlib.sha256(raw).hexdigest(), show_progress=show_progress, today=today,
                       session_token=session_token)


def import_rows(engine: Engine, rows: pd.DataFrame, *, record_type: str, file_name: str, sha256: str,
                show_progress: bool = False, today: date | None = None,
                session_token: str | None = None) -> ImportResult:
    """Validate, locate and load ``rows`` (text columns plus ``source_row``).

    With ``session_token`` the write runs for that signed-in user (the app role under the
    row-level policies): only an editor or administrator may import, and a row located
    outside their scope or classified above their clearance is quarantined (``outside_scope``).
    """
    user = _importing_user(engine, session_token) if session_token is not None else None
    spec = _spec(record_type)
    settings = get_settings()
    today = today or date.today()
    bar = tqdm(total=4, desc=f"Nhập {spec.label_vi or record_type}", disable=not show_progress,
               bar_format="{desc}: {n_fmt}/{total_fmt} {bar} {elapsed}")
    rows = canonical_columns(rows, spec).reset_index(drop=True)
    if "source_id" not in rows.columns:
        expected = ", ".join(f.aliases[0] if f.aliases else f.name for f in spec.fields if f.required)
        raise UnreadableFileError(
            f"Không thấy cột mã hồ sơ trong {file_name}: dòng đầu phải là tên cột ({expected}…). "
            f"/ No source id column in {file_name}: the first line must name the columns ({expected}…).")
    if "__geometry_type" in rows:
        rows.loc[rows["__geometry_type"] != "", ["lon", "lat"]] = ""
    bar.update(1)
    checked = check_fields(rows, spec, today=today)
    control = _control_characters(rows)
    checked.reason[control.notna()] = "control_characters"
    checked.reason_field[control.notna()] = control[control.notna()]
    if "__geometry_type" in rows:
        bad_geom = (rows["__geometry_type"] != "") & (checked.reason == "")
        checked.reason[bad_geom] = "geometry_not_point"
        checked.reason_value[bad_geom] = rows["__geometry_type"][bad_geom]
    bar.update(1)
    with engine.connect() as conn:
        index = load_commune_index(conn, cache_dir=settings.cache_dir)
        gazetteer = load_gazetteer(conn)
    ok_fields = checked.reason == ""
    rows_to_locate = rows[ok_fields].copy()
    rows_to_locate["source_id"] = checked.values.loc[ok_fields, "source_id"]
    located = locate(rows_to_locate, index=index, gazetteer=gazetteer, snap_tolerance_m=settings.snap_tolerance_m)
    reason = checked.reason.copy()
    field, value = checked.reason_field.copy(), checked.reason_value.copy()
    reason[ok_fields] = located.reason
    field[ok_fields] = located.reason_field
    value[ok_fields] = located.reason_value
    bar.update(1)

    if user is not None:
        outside = (reason == "") & ~_in_scope(user, located.frame, checked.values["classification"], reason.index)
        reason[outside] = "outside_scope"
        value[outside] = checked.values["source_id"][outside].fillna("")
    good = reason == ""
    records = _records(spec, checked.values[good], located.frame.loc[good[good].index], rows["source_row"][good],
                       file_name=file_name, sha256=sha256)
    quarantine = _quarantine_rows(rows[~good], checked.values["source_id"][~good], reason[~good],
                                  field[~good], value[~good], spec=spec)
    if user is not None and user.scope_kind != "central":  # a row of no province is the importer's own province's
        own = user.provinces[0] if len(user.provinces) == 1 else None
        quarantine["province_code"] = quarantine["province_code"].fillna(own) if own else quarantine["province_code"]
    try:
        with (scoped_connection(engine, session_token) if user is not None else engine.begin()) as conn:
            result = _write(conn, spec, records, quarantine, file_name=file_name, sha256=sha256, rows_in=len(rows))
    except AccessDeniedError as exc:
        raise AccessDeniedError(
            "Tệp có mã hồ sơ trùng với hồ sơ ngoài phạm vi hoặc trên độ mật của bạn; chưa nạp dòng nào. Hãy bỏ các "
            "dòng đó hoặc nhờ cấp có thẩm quyền nạp. / The file reuses ids of records outside your scope or above "
            "your clearance: nothing was loaded. Remove those rows or ask someone entitled to load them.") from exc
    bar.update(1)
    bar.close()
    log.info(result.summary())
    return result


def _importing_user(engine: Engine, session_token: str) -> User:
    with scoped_connection(engine, session_token) as conn:
        user = current_user(conn)
    if user is None:
        raise AccessDeniedError("Phiên đăng nhập đã hết hạn; hãy đăng nhập lại. / The session has expired: sign in again.")
    if user.role not in ("editor", "admin"):
        raise AccessDeniedError("Tài khoản của bạn không có quyền nhập dữ liệu. / Your account may not import data.")
    return user


def _in_scope(user: User, where: pd.DataFrame, classification: pd.Series, index: pd.Index) -> pd.Series:
    """Which located rows the user may load (the Python mirror of the insert policy)."""
    province = where["province_code"].reindex(index)
    commune = where["commune_code"].reindex(index)
    cleared = classification.reindex(index).map(CLEARANCE_ORDER.index) <= CLEARANCE_ORDER.index(user.clearance)
    if user.scope_kind == "central":
        placed = pd.Series(True, index=index)
    elif user.scope_kind == "commune":
        placed = commune == user.commune
    else:
        placed = province.isin(user.provinces)
    return (cleared & placed).fillna(False).astype(bool)


_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _control_characters(rows: pd.DataFrame) -> pd.Series:
    """Name the first column of each row holding a control character (NUL, ESC…), else NaN.

    PostgreSQL cannot store NUL in text, and the others are never typed by a person: such a
    row is quarantined whole rather than loaded with characters silently removed.
    """
    found = pd.Series(np.nan, index=rows.index, dtype=object)
    for name in rows.columns:
        if name == "source_row" or not pd.api.types.is_string_dtype(rows[name]):
            continue
        hit = rows[name].astype(str).str.contains(_CONTROL, regex=True) & found.isna()
        found[hit] = name
    return found


def _printable(value: object) -> object:
    """Make a raw value storable in JSONB (which refuses NUL): control characters shown as U+2400 symbols."""
    if isinstance(value, str) and any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "".join(chr(0x2400 + ord(c)) if ord(c) < 32 and c not in "\t\n\r" else
                       ("\u2421" if ord(c) == 127 else c) for c in value)
    return value


def _content_hash(frame: pd.DataFrame) -> pd.Series:
    """A 64-bit hash of each record's values: enough to tell a changed row under the same id."""
    hashed = pd.util.hash_pandas_object(frame.astype(str), index=False, hash_key="diaban-content-1")
    return pd.Series(np.char.mod("%016x", hashed.to_numpy()), index=frame.index)


def _pg_array(values: list[str]) -> str:
    return "{" + ",".join(values) + "}"


def _records(spec: RecordSpec, values: pd.DataFrame, where: pd.DataFrame, source_row: pd.Series,
             *, file_name: str, sha256: str) -> pd.DataFrame:
    out = pd.DataFrame(index=values.index)
    for fld in spec.fields:
        column = values[fld.name]
        out[fld.name] = column.map(_pg_array) if fld.type == "terms" else column
    for name in LOCATION_COLUMNS:
        out[name] = values[name] if name == "classification" else where[name]
    out["lon"], out["lat"] = where["lon"], where["lat"]
    out["content_hash"] = _content_hash(out)
    out["source_file"] = file_name
    out["source_row"] = source_row.astype(int)
    out["source_sha256"] = sha256
    return out


def _quarantine_rows(raw: pd.DataFrame, source_id: pd.Series, reason: pd.Series, field: pd.Series,
                     value: pd.Series, *, spec: RecordSpec) -> pd.DataFrame:
    texts = [reason_text(r, field=f, value=_printable(v)) for r, f, v in zip(reason, field, value)]
    payload = [{str(k): _printable(v) for k, v in row.items()} for row in raw.drop(columns=["source_row"]).to_dict("records")]
    province = raw["province_code"] if "province_code" in raw else pd.Series(None, index=raw.index)
    # Who may read a quarantined row depends on its classification: the file's when readable,
    # the most restricted when unknown (a row that failed may be secret).
    stated = raw["classification"].astype(str).str.strip() if "classification" in raw else pd.Series("", index=raw.index)
    classification = stated.map(lambda s: "thuong" if s == "" else (parse_term(s, CLASSIFICATIONS) or "toi_mat"))
    return pd.DataFrame({
        "record_type": spec.record_type,
        "source_row": raw["source_row"].astype(int),
        "source_id": source_id.map(_printable),
        "province_code": province.where(province.astype(str).str.fullmatch(r"\d{2}"), None),
        "reason_code": reason,
        "reason_vi": [t[0] for t in texts],
        "reason_en": [t[1] for t in texts],
        "raw": [json.dumps(p, ensure_ascii=False) for p in payload],
        "classification": classification,
    }, index=raw.index)


def copy_frame(conn: Connection, table: str, frame: pd.DataFrame) -> None:
    """COPY ``frame`` into ``table`` as CSV (Arrow writes it ~5x faster than pandas)."""
    sink = io.BytesIO()
    arrow = pa.Table.from_pandas(frame.astype(object).where(frame.notna(), None).astype("string"),
                                 preserve_index=False)
    pa_csv.write_csv(arrow, sink, write_options=pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    columns = ", ".join(frame.columns)
    with conn.connection.driver_connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(sink.getvalue())


def _write(conn: Connection, spec: RecordSpec, records: pd.DataFrame, quarantine: pd.DataFrame, *,
           file_name: str, sha256: str, rows_in: int) -> ImportResult:
    table = spec.table  # from the spec allow-list, never from user input
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242, hashtext(:t))"), {"t": table})
    batch_id = conn.execute(sa.text(
        "INSERT INTO import_batch (record_type, file_name, sha256) VALUES (:t, :f, :s) RETURNING id"),
        {"t": spec.record_type, "f": file_name, "s": sha256}).scalar_one()
    columns = [f.name for f in spec.fields] + LOCATION_COLUMNS + SOURCE_COLUMNS
    conn.execute(sa.text(
        f"CREATE TEMP TABLE stage ON COMMIT DROP AS SELECT {', '.join(columns)} FROM {table} WITH NO DATA"))
    conn.execute(sa.text("ALTER TABLE stage ADD COLUMN lon float8, ADD COLUMN lat float8"))
    copy_frame(conn, "stage", records[columns + ["lon", "lat"]])
    counts = conn.execute(sa.text(
        f"SELECT count(*) FILTER (WHERE t.id IS NULL), count(*) FILTER (WHERE t.content_hash = s.content_hash),"
        f" count(*) FILTER (WHERE t.content_hash <> s.content_hash)"
        f" FROM stage s LEFT JOIN {table} t USING (source_id)")).one()
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns + ["geom", "batch_id"] if c != "source_id")
    conn.execute(sa.text(
        f"INSERT INTO {table} ({', '.join(columns)}, geom, batch_id)"
        f" SELECT {', '.join(columns)},"
        f" CASE WHEN lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END, :batch"
        f" FROM stage ORDER BY h3_9"  # neighbours on neighbouring pages: radius queries read few pages
        f" ON CONFLICT (source_id) DO UPDATE SET {updates}"
        f" WHERE {table}.content_hash <> EXCLUDED.content_hash"), {"batch": batch_id})
    if len(quarantine):
        # Through a staging table: COPY cannot target a table under row-level security (the app role's case).
        q_columns = ["batch_id", "record_type", "source_row", "source_id", "province_code", "reason_code", "reason_vi",
                     "reason_en", "raw", "classification"]
        conn.execute(sa.text(f"CREATE TEMP TABLE q_stage ON COMMIT DROP AS SELECT {', '.join(q_columns)}"
                             " FROM quarantine WITH NO DATA"))
        copy_frame(conn, "q_stage", quarantine.assign(batch_id=batch_id)[q_columns])
        conn.execute(sa.text(f"INSERT INTO quarantine ({', '.join(q_columns)}) SELECT {', '.join(q_columns)} FROM q_stage"))
    inserted, unchanged, updated = (int(c) for c in counts)
    conn.execute(sa.text(
        "UPDATE import_batch SET finished_at = now(), rows_in = :i, rows_loaded = :l, rows_quarantined = :q,"
        " rows_inserted = :n, rows_updated = :u, rows_unchanged = :c WHERE id = :id"),
        {"i": rows_in, "l": len(records), "q": len(quarantine), "n": inserted, "u": updated, "c": unchanged,
         "id": batch_id})
    conn.execute(sa.text("SELECT diaban_audit('import', CAST(:d AS jsonb), :n, NULL)"), {"n": rows_in, "d": json.dumps({
        "batch_id": batch_id, "record_type": spec.record_type, "file_name": file_name, "sha256": sha256,
        "rows_in": rows_in, "rows_loaded": len(records), "rows_quarantined": len(quarantine), "inserted": inserted,
        "updated": updated, "unchanged": unchanged}, ensure_ascii=False)})
    return ImportResult(batch_id, spec.record_type, file_name, rows_in, len(records), len(quarantine),
                        inserted, updated, unchanged, quarantine.reset_index(drop=True))
