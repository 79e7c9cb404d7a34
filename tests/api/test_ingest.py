"""Ingestion through HTTP (httpx): JSON records, CSV and XLSX files through the same importer; every row in is
loaded or quarantined, the batch is idempotent by source id, editors write only inside their scope, and bad input
gets a 4xx sentence in both languages."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
import sqlalchemy as sa

from tests.api.conftest import client


def _case(source_id: str, commune: str = "00070", classification: str = "thuong", **extra) -> dict:
    return {"ma": source_id, "loai": "KT_DHVP", "cap": "tinh", "doi_tuong": "to_chuc", "ngay": "2024-05-01",
            "trang_thai": "dong", "ma_xa": commune, "do_mat": classification, **extra}


@pytest.fixture(scope="module")
def hanoi_editor(tokens, demo_loaded):
    return tokens.get(kind="province", code="01", clearance="mat", role="editor", access="write")


def _accounted(body: dict) -> None:
    assert body["rows_in"] == body["rows_loaded"] + body["rows_quarantined"]


def _owner_count(engine, pattern: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM case_record WHERE source_id LIKE :p"), {"p": pattern}
                            ).scalar_one()


def test_a_json_batch_is_loaded_quarantined_with_reasons_and_idempotent(api_url, engine, hanoi_editor):
    records = [_case("API-1"), _case("API-2", lon=105.8523, lat=21.0287), _case("API-3", ngay="31/02/2024"),
               _case("API-4", loai="not a kind")]
    with client(api_url, hanoi_editor) as http:
        first = http.post("/batches", json={"record_type": "case", "records": records})
        again = http.post("/batches", json={"record_type": "case", "records": records})
        quarantine = http.get(f"/batches/{first.json()['batch_id']}/quarantine").json()
        batch = http.get(f"/batches/{first.json()['batch_id']}").json()
    assert first.status_code == 201, first.text
    body = first.json()
    _accounted(body)
    assert (body["rows_in"], body["rows_loaded"], body["inserted"]) == (4, 2, 2)
    assert again.json()["batch_id"] != body["batch_id"] and (again.json()["inserted"], again.json()["unchanged"]) == (0, 2)
    assert [r["source_id"] for r in quarantine["rows"]] == ["API-3", "API-4"]
    assert all(r["reason_vi"] and r["reason_en"] for r in quarantine["rows"])
    assert batch["rows_in"] == 4 and _owner_count(engine, "API-%") == 2


def test_csv_and_xlsx_files_go_through_the_same_importer(api_url, engine, hanoi_editor):
    csv = ("ma,loai,cap,doi_tuong,ngay,trang_thai,ma_xa,do_mat\n"
           "APIF-1,KT_DHVP,tinh,to_chuc,2024-05-01,dong,00070,mat\nAPIF-2,KT_DHVP,tinh,to_chuc,2024-05-01,dong,,thuong\n")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in csv.strip().splitlines():
        sheet.append([v.replace("APIF", "APIX") for v in row.split(",")])
    buffer = io.BytesIO()
    book.save(buffer)
    with client(api_url, hanoi_editor) as http:
        multipart = http.post("/batches", data={"record_type": "case"}, files={"file": ("cases.csv", csv.encode())})
        raw_csv = http.post("/batches?record_type=case&file_name=again.csv", content=csv.encode(),
                            headers={"content-type": "text/csv"})
        xlsx = http.post("/batches?record_type=case", content=buffer.getvalue(), headers={
            "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    for answer in (multipart, raw_csv, xlsx):
        assert answer.status_code == 201, answer.text
        _accounted(answer.json())
        assert (answer.json()["rows_in"], answer.json()["rows_loaded"]) == (2, 1)
    assert raw_csv.json()["unchanged"] == 1 and _owner_count(engine, "APIF-%") == _owner_count(engine, "APIX-%") == 1


def test_an_editor_writes_only_inside_the_tokens_scope(api_url, engine, hanoi_editor):
    records = [_case("APIS-1", classification="mat"), _case("APIS-2", commune="26743"),
               _case("APIS-3", classification="toi_mat")]
    with client(api_url, hanoi_editor) as http:
        mixed = http.post("/batches", json={"record_type": "case", "records": records})
        outside = http.post("/batches", json={"record_type": "case", "records": records[1:]})
        with engine.connect() as conn:
            foreign = conn.execute(sa.text("SELECT source_id FROM case_record WHERE province_code = '79' LIMIT 1")
                                   ).scalar_one()
        takeover = http.post("/batches", json={"record_type": "case", "records": [_case(foreign)]})
    assert mixed.status_code == 201 and mixed.json()["reasons"] == {"outside_scope": 2}
    _accounted(mixed.json())
    assert outside.status_code == 422 and outside.json()["code"] == "api.nothing_loaded" and outside.json()["en"]
    _accounted(outside.json())
    assert takeover.status_code == 403 and "outside your scope" in takeover.json()["en"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT province_code FROM case_record WHERE source_id = :s"), {"s": foreign}
                            ).scalar_one() == "79"
    assert _owner_count(engine, "APIS-%") == 1


@pytest.mark.parametrize("content, headers, status, code", [
    (b'{"record_type": "case", "records": [', {"content-type": "application/json"}, 400, "api.bad_json"),
    (b'\xff\xfe{}', {"content-type": "application/json"}, 400, "api.bad_json"),
    (b"[" * 100_000 + b"]" * 100_000, {"content-type": "application/json"}, 400, "api.bad_json"),
    (b'{"record_type": "case", "records": {"ma": "X"}}', {"content-type": "application/json"}, 422, "api.bad_shape"),
    (b'{"record_type": 7, "records": [{"ma": "X"}]}', {"content-type": "application/json"}, 422, "api.bad_record_type"),
    (b'{"record_type": "case; DROP TABLE case_record", "records": [{}]}', {"content-type": "application/json"}, 422,
     "api.bad_record_type"),
    (b'{"record_type": "case", "records": [1, 2]}', {"content-type": "application/json"}, 422, "api.bad_record"),
    (b'{"record_type": "case", "records": []}', {"content-type": "application/json"}, 422, "api.empty"),
    (b"<xml/>", {"content-type": "application/xml"}, 415, "api.media_type"),
    (b"ma;x\n1;2\n", {"content-type": "text/csv"}, 422, "api.bad_record_type"),
])
def test_bad_input_gets_a_4xx_sentence_and_loads_nothing(api_url, engine, hanoi_editor, content, headers, status,
                                                         code):
    with engine.connect() as conn:
        batches = conn.execute(sa.text("SELECT count(*) FROM import_batch")).scalar_one()
    with client(api_url, hanoi_editor) as http:
        answer = http.post("/batches", content=content, headers=headers)
    assert answer.status_code == status and answer.json()["code"] == code, answer.text
    assert answer.json()["vi"] != answer.json()["en"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM import_batch")).scalar_one() == batches


def test_an_oversized_body_is_refused_before_it_is_read(api_url, hanoi_editor, monkeypatch):
    from api.settings import ApiSettings, get_api_settings

    monkeypatch.setattr("api.ingest.get_api_settings", lambda: ApiSettings(max_body_mb=0.01))
    big = json.dumps({"record_type": "case", "records": [_case(f"BIG-{i}") for i in range(500)]}).encode()
    with client(api_url, hanoi_editor) as http:
        declared = http.post("/batches", content=big, headers={"content-type": "application/json"})
        chunked = http.post("/batches", content=iter([big[:5000], big[5000:]]),
                            headers={"content-type": "application/json"})
    assert declared.status_code == chunked.status_code == 413 and "MB" in declared.json()["en"]
    assert get_api_settings().max_body_mb >= 1  # the real setting is untouched


def test_sql_fragments_in_records_are_loaded_verbatim_or_quarantined(api_url, engine, hanoi_editor):
    hostile = ["APIQ-1'; DROP TABLE case_record; --", "APIQ-2\" OR 1=1 --", "APIQ-3) UNION SELECT * FROM account --"]
    records = [_case(s, so_quyet_dinh="1; DELETE FROM audit_log") for s in hostile]
    records.append(_case("APIQ-4", ma_xa="00070' OR '1'='1"))
    records.append(_case("APIQ-5", ngay={"$gt": ""}, ma_xa=["00070"]))
    with client(api_url, hanoi_editor) as http:
        answer = http.post("/batches", json={"record_type": "case", "records": records})
    body = answer.json()
    _accounted(body)
    assert (body["rows_in"], body["rows_loaded"]) == (5, 3)
    with engine.connect() as conn:
        stored = set(conn.execute(sa.text("SELECT source_id FROM case_record WHERE source_id LIKE 'APIQ-%'")).scalars())
        assert conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() > 0
    assert stored == set(hostile)


def test_a_read_only_token_or_a_viewer_cannot_write(api_url, tokens, demo_loaded):
    read_only = tokens.get(kind="province", code="01", clearance="mat", role="editor", access="read")
    viewer = tokens.get(kind="province", code="01", clearance="mat", role="viewer", access="write")
    payload = {"record_type": "case", "records": [_case("APIR-1")]}
    with client(api_url, read_only) as http:
        refused = http.post("/batches", json=payload)
    with client(api_url, viewer) as http:
        not_editor = http.post("/batches", json=payload)
    assert refused.status_code == 403 and refused.json()["code"] == "api.read_only"
    assert not_editor.status_code == 403 and not_editor.json()["code"] == "api.not_editor"
