"""Area-query page: radius, drawn polygon, unit, filters, exports and refusals, on the demo data."""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd
import sqlalchemy as sa

from tests.app.conftest import frame, texts

HANOI = (105.8412, 21.0245)  # lon, lat: central Hà Nội


def _count(engine, sql: str, **params) -> int:
    with engine.connect() as c:
        return c.execute(sa.text(sql), params).scalar_one()


def _open(app, mode: str):
    app.switch_page("pages/area.py").run()
    assert not app.exception
    app.radio(key="area-mode").set_value(mode).run()
    return app


def test_radius_query_lists_the_records_within_the_radius_with_counts_and_exports(app, engine):
    _open(app, "radius")
    assert any("Chưa chọn khu vực" in i.value for i in app.info)
    app.number_input(key="area-lat").set_value(HANOI[1])
    app.number_input(key="area-lon").set_value(HANOI[0])
    app.number_input(key="area-radius").set_value(1.5).run()
    assert not app.exception
    expected = _count(engine, "SELECT count(*) FROM case_record WHERE geom IS NOT NULL AND ST_DWithin("
                      "geom::geography, ST_SetSRID(ST_MakePoint(:x, :y), 4326)::geography, 1500)",
                      x=HANOI[0], y=HANOI[1])
    assert expected > 0
    table = frame(app, "Mã hồ sơ")
    assert len(table) == min(expected, 10_000)
    assert list(table.columns[:3]) == ["Mã hồ sơ", "Loại hoạt động", "Đối tượng"]
    assert table["Khoảng cách (m)"].max() <= 1500
    kinds = frame(app, "Loại hoạt động", "Số vụ việc")
    assert kinds["Số vụ việc"].sum() == expected
    assert any(f"{expected:,} hồ sơ".replace(",", ".") in m for m in texts(app.markdown))
    downloads = {b.label: b for b in app.get("download_button")}
    assert set(downloads) == {"Tải CSV", "Tải Excel", "Tải GeoJSON"}
    # Who looked where: the query is in the audit log with its centre and count, once.
    with engine.connect() as owner:
        rows = owner.execute(sa.text(
            "SELECT row_count, ST_AsText(geom), details->>'radius_m' FROM audit_log"
            " WHERE event = 'area_query' AND actor = 't-app-central' AND details->>'mode' = 'radius'"
            " ORDER BY id DESC")).all()
    assert rows and rows[0][0] == expected and rows[0][1].startswith("POINT(105.8") and float(rows[0][2]) == 1500


def test_polygon_query_counts_the_records_inside_and_applies_the_kind_filter(app, engine):
    x, y = HANOI
    ring = [[x - 0.02, y - 0.02], [x + 0.02, y - 0.02], [x + 0.02, y + 0.02], [x - 0.02, y + 0.02], [x - 0.02, y - 0.02]]
    polygon = json.dumps({"type": "Polygon", "coordinates": [ring]})
    _open(app, "polygon")
    app.session_state["area-polygon"] = polygon
    app.multiselect(key="area-kinds").set_value(["KT_DHVP", "TO_CAO"]).run()
    assert not app.exception
    expected = _count(engine, "SELECT count(*) FROM case_record WHERE kind IN ('KT_DHVP', 'TO_CAO')"
                      " AND ST_Covers(ST_GeomFromGeoJSON(:g), geom)", g=polygon)
    assert expected > 0
    kinds = frame(app, "Loại hoạt động", "Số vụ việc")
    assert kinds["Số vụ việc"].sum() == expected
    assert set(kinds["Loại hoạt động"]) <= {"kiểm tra khi có dấu hiệu vi phạm", "giải quyết tố cáo"}
    assert app.multiselect(key="area-kinds").value == ["KT_DHVP", "TO_CAO"]


def test_a_polygon_larger_than_the_country_is_refused_with_a_sentence(app):
    _open(app, "polygon")
    app.session_state["area-polygon"] = json.dumps({"type": "Polygon", "coordinates": [
        [[90, 0], [130, 0], [130, 30], [90, 30], [90, 0]]]})
    app.run()
    assert not app.exception
    assert any("Vùng vẽ quá lớn" in e.value for e in app.error)


def test_commune_query_counts_records_by_stored_code_and_a_date_filter_can_empty_it(app, engine):
    _open(app, "unit")
    app.selectbox(key="area-province").set_value("01").run()
    app.selectbox(key="area-commune").set_value("00004").run()
    assert not app.exception
    expected = _count(engine, "SELECT count(*) FROM case_record WHERE commune_code = '00004'")
    assert sum(frame(app, "Loại hoạt động", "Số vụ việc")["Số vụ việc"]) == expected > 0
    app.date_input(key="area-from").set_value(date(2030, 1, 1)).run()
    assert not app.exception
    assert any("Không có hồ sơ nào" in i.value for i in app.info)


def test_exports_carry_translated_headers():
    from pages.records import export_csv, export_excel

    table = pd.DataFrame({"Mã hồ sơ": ["A-1"], "Loại hoạt động": ["giải quyết tố cáo"]})
    assert export_csv(table).decode("utf-8-sig").splitlines()[0] == "Mã hồ sơ,Loại hoạt động"
    assert list(pd.read_excel(io.BytesIO(export_excel(table, sheet="Ho so"))).columns) == ["Mã hồ sơ", "Loại hoạt động"]
