"""Bad input, tried: hostile text in every field and filter, broken and mislabelled uploads, zip bombs,
oversized files, odd GeoJSON. Each gets a clear refusal or a quarantined row; never a crash, a
partial load or a leak. (Encodings, every quarantine reason and unreadable files in general are
covered by tests/etl/test_import.py.)"""

from __future__ import annotations

import io
import json
import time
import zipfile
from datetime import date

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from etl.importer import import_bytes
from etl.readers import UnreadableFileError
from geo.access import scoped_connection
from geo.errors import DiabanError, InvalidArgumentError
from geo.settings import get_settings
from queries.spatial import (
    Filters,
    polygon_from_geojson,
    records_in_polygon,
    records_in_unit,
    records_within_radius,
)
from tests.security.conftest import REPORT

TODAY = date(2026, 11, 24)
HEADER = ["ma", "loai", "cap", "doi_tuong", "ngay", "trang_thai", "so_qd", "nhom_vi_pham", "kinh_do", "vi_do",
          "ma_xa", "ten_tinh", "ten_xa", "do_mat"]
GOOD = ["", "KT_DHVP", "tinh", "to_chuc", "2024-05-01", "dong", "", "", "105.8523", "21.0287", "", "", "", "thuong"]
HOSTILE = {
    "sql quote": "'; DROP TABLE case_record; --",
    "sql or": "\" OR \"1\"=\"1",
    "dollar quote": "$$; SELECT pg_sleep(30); $$",
    "formula": "=HYPERLINK(\"http://example.invalid\",\"x\")",
    "huge": "x" * 100_000,
    "nul": "a\x00b",
    "escape": "\x1b[2J",
    "bidi": "\u202egnp.exe",
    "number words": "NaN",
    "overflow": "9" * 400,
    "full-width": "２０２４-０１-０１",
    "newline and quote": "line 1\n\"line 2\"",
}


def _csv(rows: list[list[str]]) -> bytes:
    return pd.DataFrame(rows, columns=HEADER).to_csv(index=False).encode("utf-8")


def _import(engine, raw: bytes, name: str):
    result = import_bytes(engine, raw, file_name=name, today=TODAY)
    assert result.rows_in == result.rows_loaded + result.rows_quarantined
    with engine.connect() as c:
        batch = c.execute(sa.text("SELECT rows_in, rows_loaded, rows_quarantined FROM import_batch WHERE id = :b"),
                          {"b": result.batch_id}).one()
        stored = c.execute(sa.text("SELECT count(*) FROM quarantine WHERE batch_id = :b"), {"b": result.batch_id}).scalar_one()
    assert tuple(batch) == (result.rows_in, result.rows_loaded, result.rows_quarantined)
    assert stored == result.rows_quarantined
    return result


def test_hostile_text_in_every_field_is_loaded_verbatim_or_quarantined(engine, boundaries_loaded):
    rows = []
    for f, field in enumerate(HEADER):
        for name, value in HOSTILE.items():
            row = list(GOOD)
            row[0] = f"HOSTILE-{f}-{name.replace(' ', '_')}"
            row[f] = value if field != "ma" else value[:50]
            rows.append(row)
    with engine.connect() as c:
        before = c.execute(sa.text("SELECT count(*) FROM case_record")).scalar_one()
    result = _import(engine, _csv(rows), "hostile.csv")
    assert result.rows_in == len(rows) == len(HEADER) * len(HOSTILE)
    reasons = result.quarantine.set_index("source_row")["reason_code"]
    assert set(reasons[reasons.index.isin([r + 2 for r, row in enumerate(rows) if "\x00" in "".join(row)])]) \
        == {"control_characters"}
    assert set(reasons[reasons.index.isin([r + 2 for r, row in enumerate(rows) if "x" * 100_000 in row])]) \
        <= {"text_too_long", "bad_coordinates", "unknown_value", "unknown_kind", "unknown_category", "bad_date",
            "unknown_code", "unknown_name", "missing_id"}
    with engine.connect() as c:
        after = c.execute(sa.text("SELECT count(*) FROM case_record")).scalar_one()
        loaded = pd.read_sql(sa.text("SELECT source_id, decision_no FROM case_record WHERE batch_id = :b"), c,
                             params={"b": result.batch_id})
    assert after - before == result.inserted == len(loaded)
    decision_no = loaded.set_index("source_id")["decision_no"]
    # Free text is data: SQL, formulas and bidi marks come back exactly as written, harmless.
    for name in ("sql quote", "sql or", "dollar quote", "formula", "bidi"):
        assert decision_no[f"HOSTILE-6-{name.replace(' ', '_')}"] == HOSTILE[name]
    assert HOSTILE["sql quote"] in set(loaded["source_id"])  # even as an id
    assert not loaded["decision_no"].fillna("").str.contains(r"[\x00-\x08\x0b\x0c\x0e-\x1f]").any()
    REPORT.setdefault("bad input", {})["hostile field values"] = result.rows_in


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_filter_values_find_nothing_or_are_refused(app_engine, users, name, demo_loaded):
    value = HOSTILE[name]
    token = users.token(kind="central", code=None, clearance="toi_mat")
    filters = Filters(kinds=(value,), sectors=(value,), categories=(value,), statuses=(value,))
    try:
        with scoped_connection(app_engine, token) as conn:
            result = records_within_radius(conn, 105.8523, 21.0287, radius_m=5_000, filters=filters)
        assert result.records.empty and result.counts.empty
    except InvalidArgumentError as exc:  # NUL cannot even be sent to PostgreSQL
        assert name == "nul" and "NUL" in str(exc)
    with pytest.raises(InvalidArgumentError):
        with scoped_connection(app_engine, token) as conn:
            records_in_unit(conn, level="commune", code=value)
    with scoped_connection(app_engine, token) as conn:  # the table survived, the session still works
        assert conn.execute(sa.text("SELECT count(*) > 0 FROM case_record")).scalar_one()


@pytest.mark.parametrize("call", [
    lambda c: records_within_radius(c, "abc", 21.0, radius_m=1000),
    lambda c: records_within_radius(c, 21.0287, 105.8523, radius_m=1000),  # swapped
    lambda c: records_within_radius(c, 105.85, 21.03, radius_m="1000"),
    lambda c: records_within_radius(c, float("nan"), 21.03, radius_m=1000),
    lambda c: records_within_radius(c, 105.85, 21.03, radius_m=10 ** 9),
    lambda c: records_within_radius(c, 105.85, 21.03, radius_m=1000, filters=Filters(start="not a date")),
    lambda c: records_in_unit(c, level="province; DROP TABLE x", code="01"),
    lambda c: records_in_unit(c, level="province", code=1),
    lambda c: records_in_polygon(c, "{not json"),
    lambda c: records_in_polygon(c, "[" * 100_000 + "]" * 100_000),
    lambda c: records_in_polygon(c, {"type": "Polygon", "coordinates": [[["105", "21"], ["106", "21"], ["106", "22"], ["105", "21"]]]}),
    lambda c: records_in_polygon(c, {"type": "Point", "coordinates": [105.8, 21.0]}),
    lambda c: records_in_polygon(c, {"type": "Polygon", "coordinates": [[[90, -10], [130, -10], [130, 30], [90, 30], [90, -10]]]}),
], ids=["lon text", "swapped", "radius text", "nan", "radius huge", "date text", "level sql", "code int",
        "polygon text", "polygon deep", "polygon coordinates text", "polygon is point", "polygon enormous"])
def test_wrong_types_and_shapes_in_area_queries_are_refused_with_a_sentence(app_engine, users, demo_loaded, call):
    token = users.token(kind="province", code="01", clearance="mat")
    with pytest.raises(DiabanError) as info:
        with scoped_connection(app_engine, token) as conn:
            call(conn)
    assert " / " in str(info.value) or "`" in str(info.value)  # a sentence naming the problem, not a traceback


def test_coordinates_given_as_strings_and_a_self_crossing_polygon_are_understood(app_engine, users, demo_loaded):
    token = users.token(kind="province", code="01", clearance="mat")
    with scoped_connection(app_engine, token) as conn:
        as_text = records_within_radius(conn, "105.8523", "21.0287", radius_m=3000)
        as_numbers = records_within_radius(conn, 105.8523, 21.0287, radius_m=3000)
    assert len(as_text.records) == len(as_numbers.records) > 0
    bowtie = {"type": "Polygon", "coordinates": [[[105.80, 21.00], [105.90, 21.06], [105.90, 21.00], [105.80, 21.06],
                                                  [105.80, 21.00]]]}
    assert polygon_from_geojson(bowtie).is_valid


def _xlsx(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(rows, columns=HEADER).to_excel(buffer, index=False)
    return buffer.getvalue()


def _refused(engine, raw: bytes, name: str, match: str) -> None:
    with engine.connect() as c:
        before = c.execute(sa.text("SELECT (SELECT count(*) FROM import_batch), (SELECT count(*) FROM case_record)")).one()
    with pytest.raises(UnreadableFileError, match=match):
        import_bytes(engine, raw, file_name=name, today=TODAY)
    with engine.connect() as c:
        after = c.execute(sa.text("SELECT (SELECT count(*) FROM import_batch), (SELECT count(*) FROM case_record)")).one()
    assert tuple(after) == tuple(before)  # nothing partial


def test_broken_and_mislabelled_uploads_are_refused_before_anything_is_written(engine, boundaries_loaded):
    good = [[f"UP-{i}", *GOOD[1:]] for i in range(50)]
    xlsx, csv = _xlsx(good), _csv(good)
    _refused(engine, xlsx[: len(xlsx) // 2], "cut.xlsx", "broken or truncated|broken or not")
    _refused(engine, xlsx, "cases.csv", "is Excel")
    _refused(engine, csv, "cases.xlsx", "not an .xlsx")
    _refused(engine, b"%PDF-1.7\n...", "report.csv", "is PDF")
    _refused(engine, b"\xd0\xcf\x11\xe0" + b"\0" * 600, "old.xlsx", "not an .xlsx")
    _refused(engine, csv.decode().encode("utf-16-le"), "utf16.csv", "UTF-16")
    features = {"type": "FeatureCollection", "features": []}
    _refused(engine, json.dumps(features).encode(), "cases.csv", "No source id column")
    _refused(engine, json.dumps(features).encode()[:-5], "cut.geojson", "GeoJSON")
    _refused(engine, b"[" * 50_000 + b"]" * 50_000, "deep.geojson", "GeoJSON")


def test_a_truncated_csv_loads_its_whole_rows_and_quarantines_the_cut_one(engine, boundaries_loaded):
    raw = _csv([[f"CUT-{i}", *GOOD[1:]] for i in range(20)])
    result = _import(engine, raw[: raw.rindex(b"2024-05-01")], "cut.csv")
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (20, 19, 1)


def test_a_zip_bomb_is_refused_before_inflating(engine, boundaries_loaded, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (256 * 1024 * 1024))
    raw = buffer.getvalue()
    assert len(raw) < 1024 * 1024  # 256 MB inside less than 1 MB
    monkeypatch.setenv("DIABAN_MAX_UNZIPPED_MB", "64")
    get_settings.cache_clear()
    try:
        began = time.perf_counter()
        _refused(engine, raw, "bomb.xlsx", "zip bomb")
        assert time.perf_counter() - began < 5
    finally:
        get_settings.cache_clear()


def test_a_file_over_the_size_limit_is_refused(engine, boundaries_loaded, monkeypatch):
    monkeypatch.setenv("DIABAN_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    try:
        raw = _csv([[f"BIG-{i}", *GOOD[1:]] for i in range(20_000)])
        assert len(raw) > 1024 * 1024
        _refused(engine, raw, "big.csv", "1 MB limit")
    finally:
        get_settings.cache_clear()


def test_odd_geojson_features_are_quarantined_or_understood(engine, boundaries_loaded):
    props = {"ma": "", "loai": "KT_DHVP", "cap": "tinh", "doi_tuong": "to_chuc", "ngay": "2024-05-01", "trang_thai": "dong"}
    t = np.linspace(0, 2 * np.pi, 200_000)
    enormous = np.c_[105.8 + 0.05 * np.cos(t), 21.0 + 0.05 * np.sin(t)].round(6).tolist()
    geometries = {
        "GJ-text": {"type": "Point", "coordinates": ["105.8523", "21.0287"]},       # numbers as strings: loaded
        "GJ-swapped": {"type": "Point", "coordinates": [21.0287, 105.8523]},      # swapped_coordinates
        "GJ-one": {"type": "Point", "coordinates": [105.8]},                      # geometry_not_point
        "GJ-nested": {"type": "Point", "coordinates": [[105.8, 21.0], [1, 2]]},   # geometry_not_point
        "GJ-nan": {"type": "Point", "coordinates": ["NaN", "Infinity"]},          # bad coordinates
        "GJ-line": {"type": "LineString", "coordinates": enormous},               # geometry_not_point
        "GJ-list": [105.8, 21.0],                                                 # not a geometry
    }
    features = [{"type": "Feature", "properties": {**props, "ma": sid}, "geometry": g} for sid, g in geometries.items()]
    features += [42, None, {"type": "Feature", "properties": "not a dict", "geometry": None}]
    raw = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    assert len(raw) > 4 * 1024 * 1024
    result = _import(engine, raw, "odd.geojson")
    assert result.rows_in == len(features) and result.rows_loaded == 1
    by_id = dict(zip(result.quarantine["source_id"], result.quarantine["reason_code"]))
    assert by_id["GJ-swapped"] == "swapped_coordinates"
    assert by_id["GJ-one"] == by_id["GJ-nested"] == by_id["GJ-line"] == by_id["GJ-list"] == "geometry_not_point"
    assert by_id["GJ-nan"] in ("bad_coordinates", "outside_vietnam")
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT located_by FROM case_record WHERE source_id = 'GJ-text'")).scalar_one() == "point"
        assert c.execute(sa.text("SELECT max(octet_length(raw::text)) FROM quarantine WHERE batch_id = :b"),
                         {"b": result.batch_id}).scalar_one() < 10_000  # the enormous geometry is not copied around


def test_quarantined_rows_of_unknown_classification_are_hidden_from_lower_clearances(engine, app_engine, users,
                                                                                     boundaries_loaded):
    rows = [["QC-1", *GOOD[1:-1], "tối mật"], ["QC-2", *GOOD[1:-1], "không rõ"]]
    rows[0][4] = rows[1][4] = "31/02/2024"  # both fail on the date
    rows[0][10] = rows[1][10] = "00070"
    for r in rows:
        r[8] = r[9] = ""
    result = _import(engine, _csv(rows), "qc.csv")
    assert result.rows_quarantined == 2
    with engine.begin() as c:
        c.execute(sa.text("UPDATE quarantine SET province_code = '01' WHERE batch_id = :b"), {"b": result.batch_id})
        classes = c.execute(sa.text("SELECT source_id, classification FROM quarantine WHERE batch_id = :b"),
                            {"b": result.batch_id}).all()
    assert dict(classes) == {"QC-1": "toi_mat", "QC-2": "toi_mat"}  # stated, and unknown = most restricted
    seen = {}
    for role, clearance in (("viewer", "toi_mat"), ("editor", "mat"), ("editor", "toi_mat")):
        with scoped_connection(app_engine, users.token(kind="province", code="01", clearance=clearance, role=role)) as conn:
            seen[(role, clearance)] = conn.execute(sa.text("SELECT count(*) FROM quarantine WHERE batch_id = :b"),
                                                   {"b": result.batch_id}).scalar_one()
    assert seen == {("viewer", "toi_mat"): 0, ("editor", "mat"): 0, ("editor", "toi_mat"): 2}
