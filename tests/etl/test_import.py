"""Importers against a real PostGIS: formats, encodings, locating paths, quarantine, accounting."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import unicodedata
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.importer import import_bytes
from etl.quarantine import REASONS, quarantine_report
from etl.readers import UnreadableFileError
from geo.settings import PROJECT_ROOT

TODAY = date(2026, 11, 24)
HEADER_VI = ["Mã hồ sơ", "Loại hoạt động", "Cấp thực hiện", "Đối tượng", "Ngày quyết định", "Trạng thái",
             "Nhóm vi phạm", "Kinh độ", "Vĩ độ", "Mã xã", "Mã xã cũ", "Tỉnh", "Xã"]


def _row(sid, *, kind="KT_DHVP", date_="15/03/2024", status="kết luận", cats="", lon="", lat="", code="",
         old="", province="", commune="", level="tỉnh", subject="đảng viên"):
    return [sid, kind, level, subject, date_, status, cats, lon, lat, code, old, province, commune]


def _to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters with circumflex, breve or horn precomposed, tone marks combining."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for mark in marks:
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1 and composed.encode("cp1258", errors="ignore"):
                base = composed
                marks.remove(mark)
                break
        out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


def _csv(rows, *, sep=";", encoding="utf-8", header=HEADER_VI) -> bytes:
    text = pd.DataFrame(rows, columns=header).to_csv(index=False, sep=sep)
    return _to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)


def _import(engine, raw: bytes, name: str, **kw):
    result = import_bytes(engine, raw, file_name=name, today=TODAY, **kw)
    assert result.rows_in == result.rows_loaded + result.rows_quarantined
    return result


def _stored(engine, *ids):
    with engine.connect() as c:
        return pd.read_sql(sa.text(
            "SELECT source_id, commune_code, province_code, old_commune_code, located_by, h3_9,"
            " ST_X(geom) AS lon, categories, kind, decision_date FROM case_record WHERE source_id = ANY(:ids)"
            " ORDER BY source_id"), c, params={"ids": list(ids)}).set_index("source_id")


@pytest.mark.parametrize("encoding, sep", [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", ","), ("cp1258", ";")])
def test_csv_in_every_supported_encoding_and_separator_loads_with_vietnamese_intact(engine, boundaries_loaded, encoding, sep):
    tag = f"ENC-{encoding}-{sep == ';'}"
    raw = _csv([_row(f"{tag}-1", lon="105.8523", lat="21.0287", cats="tài chính, tài sản"),
                _row(f"{tag}-2", code="70", kind="giám sát chuyên đề", status="Đóng")], sep=sep, encoding=encoding)
    result = _import(engine, raw, f"{tag}.csv")
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (2, 2, 0)
    stored = _stored(engine, f"{tag}-1", f"{tag}-2")
    assert stored.loc[f"{tag}-1", "categories"] == ["tai_chinh_tai_san"]
    assert stored.loc[f"{tag}-2", "kind"] == "GS_CHUYENDE"
    assert set(stored["commune_code"]) == {"00070"}


def test_english_headers_in_any_case_are_recognised(engine, boundaries_loaded):
    header = ["ID", "Kind", "ACTING_LEVEL", "subject_type", "Decision Date", "STATUS", "categories", "longitude",
              "latitude", "Commune_Code", "old_commune_code", "province_name", "commune_name"]
    result = _import(engine, _csv([_row("EN-1", lon="106.698", lat="10.7725")], header=header, sep=","), "en.csv")
    assert result.rows_loaded == 1
    assert _stored(engine, "EN-1").loc["EN-1", "commune_code"] == "26743"


def test_excel_file_loads_dates_and_numbers(engine, boundaries_loaded):
    frame = pd.DataFrame([_row("XL-1", lon=105.8523, lat=21.0287), _row("XL-2", code=70)], columns=HEADER_VI)
    frame["Ngày quyết định"] = pd.to_datetime(["2024-03-15", "2023-12-01"])
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    result = _import(engine, buffer.getvalue(), "cases.xlsx")
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    stored = _stored(engine, "XL-1", "XL-2")
    assert str(stored.loc["XL-2", "decision_date"]) == "2023-12-01"
    assert stored.loc["XL-2", "commune_code"] == "00070"


def test_geojson_points_load_and_other_geometries_are_quarantined(engine, boundaries_loaded):
    props = {"ma_ho_so": "GJ-1", "loai": "KT_DHVP", "cap": "tinh", "doi_tuong": "to_chuc", "ngay": "2024-01-05",
             "trang_thai": "dong"}
    features = [
        {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [105.8523, 21.0287]}},
        {"type": "Feature", "properties": {**props, "ma_ho_so": "GJ-2"},
         "geometry": {"type": "LineString", "coordinates": [[105, 21], [106, 21]]}},
    ]
    raw = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    result = _import(engine, raw, "cases.geojson")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert result.quarantine.loc[0, "reason_code"] == "geometry_not_point"
    assert result.quarantine.loc[0, "source_row"] == 2


def test_each_locating_path(engine, boundaries_loaded):
    with engine.connect() as c:
        split_old = c.execute(sa.text("SELECT old_code FROM unit_lineage WHERE old_level = 'commune'"
                                      " GROUP BY old_code HAVING count(*) > 1 ORDER BY old_code LIMIT 1")).scalar_one()
        whole_old = c.execute(sa.text("SELECT old_code FROM unit_lineage WHERE old_level = 'commune' AND kind = 'whole'"
                                      " AND old_code <> new_code ORDER BY old_code LIMIT 1")).scalar_one()
        east = c.execute(sa.text("SELECT ST_XMax(geom), (ST_YMax(geom) + ST_YMin(geom)) / 2 FROM admin_unit"
                                 " WHERE level = 'commune' AND valid_to IS NULL AND code = '11948'")).one()
    rows = [
        _row("LOC-point", lon="105.8523", lat="21.0287"),
        _row("LOC-snapped", lon=str(east[0] + 0.01), lat=str(east[1])),
        _row("LOC-code", code="00070"),
        _row("LOC-old", old=whole_old),
        _row("LOC-split", old=split_old),
        _row("LOC-name", province="TP. Hà Nội", commune="phuong hoan kiem"),
        _row("LOC-oldname", province="Tỉnh Thừa Thiên Huế", commune="Phường Phú Hội"),
    ]
    result = _import(engine, _csv(rows), "locate.csv")
    assert result.rows_quarantined == 0, result.quarantine[["source_id", "reason_code"]]
    stored = _stored(engine, *[r[0] for r in rows])
    assert stored.loc["LOC-point", ["located_by", "commune_code", "province_code"]].tolist() == ["point", "00070", "01"]
    assert stored.loc["LOC-point", "h3_9"] > 0 and stored.loc["LOC-point", "lon"] == pytest.approx(105.8523)
    assert stored.loc["LOC-snapped", ["located_by", "commune_code"]].tolist() == ["snapped", "11948"]
    assert stored.loc["LOC-code", "located_by"] == "code" and pd.isna(stored.loc["LOC-code", "lon"])
    assert stored.loc["LOC-old", ["located_by", "old_commune_code"]].tolist() == ["old_code", whole_old]
    assert stored.loc["LOC-split", "located_by"] == "estimated"
    assert stored.loc["LOC-name", ["located_by", "commune_code"]].tolist() == ["name", "00070"]
    assert stored.loc["LOC-oldname", "province_code"] == "46"
    assert stored.loc["LOC-oldname", "located_by"] in ("name", "estimated")


def test_split_old_code_attribution_follows_the_weights_and_is_repeatable(engine, boundaries_loaded):
    with engine.connect() as c:
        parts = c.execute(sa.text("SELECT old_code, new_code, weight FROM unit_lineage WHERE old_level = 'commune'"
                                  " AND old_code = (SELECT old_code FROM unit_lineage WHERE old_level = 'commune'"
                                  " GROUP BY old_code HAVING count(*) = 2 ORDER BY old_code LIMIT 1)")).all()
    rows = [_row(f"W-{i:04d}", old=parts[0][0]) for i in range(400)]
    _import(engine, _csv(rows), "weights.csv")
    stored = _stored(engine, *[r[0] for r in rows])
    share = (stored["commune_code"] == parts[0][1]).mean()
    assert share == pytest.approx(parts[0][2], abs=0.08)
    assert set(stored["located_by"]) == {"estimated"}
    again = _import(engine, _csv(rows), "weights.csv")
    assert again.unchanged == 400


def test_every_quarantine_reason_is_reachable_with_a_sentence_in_both_languages(engine, boundaries_loaded):
    rows = [
        _row("", code="00070"),                                             # missing_id
        _row("Q-dup", code="00070"), _row("Q-dup", code="00070"),           # duplicate_id
        _row("Q-field", code="00070", status=""),                           # missing_field
        _row("Q-nodate", code="00070", date_=""),                           # missing_date
        _row("Q-baddate", code="00070", date_="31/02/2024"),                # bad_date
        _row("Q-future", code="00070", date_="01/01/2030"),                 # future_date
        _row("Q-kind", code="00070", kind="thanh tra"),                     # unknown_kind
        _row("Q-cat", code="00070", cats="hối lộ"),                         # unknown_category
        _row("Q-value", code="00070", status="đang làm"),                   # unknown_value
        _row("Q-long", code="00070", subject="x" * 600),                    # text_too_long
        _row("Q-xy", lon="abc", lat="21.0"),                                # bad_coordinates
        _row("Q-swap", lon="21.0287", lat="105.8523"),                      # swapped_coordinates
        _row("Q-out", lon="100.5018", lat="13.7563"),                       # outside_vietnam
        _row("Q-code", code="99999"),                                       # unknown_code
        _row("Q-old", old="99998"),                                         # unknown_old_code
        _row("Q-name", province="Hà Nội", commune="Xã Không Có"),           # unknown_name
        _row("Q-none"),                                                     # unlocated
        _row("Q-sql", code="00070'; DROP TABLE case_record; --"),           # unknown_code, harmlessly
    ]
    result = _import(engine, _csv(rows), "bad.csv")
    got = dict(zip(result.quarantine["source_row"], result.quarantine["reason_code"]))
    expected = ["missing_id", "duplicate_id", "missing_field", "missing_date", "bad_date", "future_date",
                "unknown_kind", "unknown_category", "unknown_value", "text_too_long", "bad_coordinates",
                "swapped_coordinates", "outside_vietnam", "unknown_code", "unknown_old_code", "unknown_name",
                "unlocated", "unknown_code"]
    assert [got[r] for r in sorted(got)] == expected
    assert sorted(got) == [2] + list(range(4, 21))  # row 3 (first Q-dup) loads; header is row 1
    assert result.rows_loaded == 1
    assert result.quarantine["reason_vi"].str.len().min() > 10 and result.quarantine["reason_en"].str.len().min() > 10
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM case_record")).scalar_one() > 0  # table survived
        stored = c.execute(sa.text("SELECT count(*) FROM quarantine WHERE batch_id = :b"), {"b": result.batch_id}).scalar_one()
        batch = c.execute(sa.text("SELECT rows_in, rows_loaded, rows_quarantined FROM import_batch WHERE id = :b"),
                          {"b": result.batch_id}).one()
    assert stored == 18 and tuple(batch) == (19, 1, 18)
    report = quarantine_report(result.quarantine).decode("utf-8-sig")
    assert "Dòng / row" in report and "Kinh độ và vĩ độ bị đảo chỗ" in report


def test_ambiguous_name_bad_number_and_date_order_are_quarantined(engine, boundaries_loaded):
    # Before 2025 several districts of Hồ Chí Minh City each had a "Phường 1".
    result = _import(engine, _csv([_row("AMB-1", province="TP. Hồ Chí Minh", commune="Phường 1")]), "amb.csv")
    assert result.quarantine["reason_code"].tolist() == ["ambiguous_name"]
    orgs = "ma,ten,loai,so_dang_vien,ma_xa\nORG-1,Chi bộ 1,chi_bo,-5,00070\nORG-2,Chi bộ 2,chi_bo,12,00070\n"
    result = _import(engine, orgs.encode(), "orgs.csv", record_type="party_org")
    assert result.quarantine["reason_code"].tolist() == ["bad_number"] and result.rows_loaded == 1
    cases = ("ma,loai,cap,doi_tuong,ngay,ngay_ket_thuc,trang_thai,ma_xa\n"
             "ORD-1,KT_DHVP,tinh,to_chuc,2024-05-01,2024-03-01,dong,00070\n")
    result = _import(engine, cases.encode(), "order.csv")
    assert result.quarantine["reason_code"].tolist() == ["date_order"]
    assert set(REASONS) >= {"ambiguous_name", "bad_number", "date_order", "geometry_not_point"}


def test_reimport_changes_nothing_and_a_corrected_file_updates_only_changed_rows(engine, boundaries_loaded):
    rows = [_row(f"RE-{i}", code="00070") for i in range(5)] + [_row("RE-bad", code="99999")]
    first = _import(engine, _csv(rows), "re.csv")
    assert (first.inserted, first.updated, first.unchanged, first.rows_quarantined) == (5, 0, 0, 1)
    again = _import(engine, _csv(rows), "re.csv")
    assert (again.inserted, again.updated, again.unchanged, again.rows_quarantined) == (0, 0, 5, 1)
    rows[0] = _row("RE-0", code="00070", status="đóng")
    rows[-1] = _row("RE-bad", code="00004")
    fixed = _import(engine, _csv(rows), "re-fixed.csv")
    assert (fixed.inserted, fixed.updated, fixed.unchanged, fixed.rows_quarantined) == (1, 1, 4, 0)
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM case_record WHERE source_id LIKE 'RE-%'")).scalar_one() == 6


@pytest.mark.parametrize("raw, name, message", [
    (b"", "empty.csv", "rỗng"),
    (b"PK\x03\x04broken", "cases.xlsx", "Excel"),
    (b"{not json", "cases.geojson", "GeoJSON"),
    (b"a,b\n1,2\n", "cases.pdf", "Unsupported file type"),
])
def test_unreadable_files_are_refused_with_a_clear_message(engine, raw, name, message):
    with pytest.raises(UnreadableFileError, match=message):
        import_bytes(engine, raw, file_name=name)


def test_import_killed_halfway_leaves_nothing(engine, db_url, boundaries_loaded, tmp_path):
    n = 300_000
    path = tmp_path / "big.csv"
    frame = pd.DataFrame([_row("x", lon="105.85", lat="21.03")] * n, columns=HEADER_VI)
    frame["Mã hồ sơ"] = [f"KILL-{i}" for i in range(n)]
    frame.to_csv(path, index=False, sep=";")
    with engine.connect() as c:
        before = c.execute(sa.text("SELECT (SELECT count(*) FROM case_record), (SELECT count(*) FROM import_batch),"
                                   " (SELECT count(*) FROM quarantine)")).one()
    script = ("import sys; from geo.database import get_engine; from etl.importer import import_file;"
              f"import_file(get_engine({db_url!r}), {str(path)!r})")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    deadline = time.monotonic() + 120
    writing = False
    with engine.connect() as c:
        while time.monotonic() < deadline and proc.poll() is None:
            writing = c.execute(sa.text(
                "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'"
                " AND (query LIKE 'COPY stage%' OR query LIKE 'INSERT INTO case_record%')")).scalar_one()
            c.rollback()  # pg_stat_activity is a per-transaction snapshot: take a fresh one each time
            if writing:
                break
            time.sleep(0.05)
    assert writing, "the import never reached the write phase"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with engine.connect() as c:
        for _ in range(200):  # the server rolls back once it notices the client is gone
            busy = c.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                     " AND pid <> pg_backend_pid() AND query LIKE '%stage%'")).scalar_one()
            c.rollback()
            if not busy:
                break
            time.sleep(0.1)
        after = c.execute(sa.text("SELECT (SELECT count(*) FROM case_record), (SELECT count(*) FROM import_batch),"
                                  " (SELECT count(*) FROM quarantine)")).one()
        assert c.execute(sa.text("SELECT count(*) FROM case_record WHERE source_id LIKE 'KILL-%'")).scalar_one() == 0
    assert tuple(after) == tuple(before)
