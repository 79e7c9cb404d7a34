"""Compare page: provinces and regional departments side by side on the demo data."""

from __future__ import annotations

from datetime import date

from queries.compare import compare_units
from tests.app.conftest import YEAR


def test_two_provinces_side_by_side_show_the_query_figures(app, engine, demo_loaded):
    app.switch_page("pages/compare.py").run()
    app.selectbox(key="cmp-year").set_value(YEAR).run()
    assert not app.exception
    assert app.title[0].value == "So sánh tỉnh, thành phố và vụ địa bàn"
    table = app.dataframe[0].value
    assert list(table.columns) == ["Thành phố Hà Nội", "Thành phố Hồ Chí Minh"]
    with engine.connect() as conn:
        expected = compare_units(conn, level="province", codes=["01", "79"], start=date(YEAR, 1, 1),
                                 end=date(YEAR, 11, 24)).set_index("code")
    shown = table.loc["Vụ việc trong kỳ", "Thành phố Hà Nội"].replace(".", "")
    assert int(shown) == expected.loc["01", "cases"]
    assert len(app.subheader) == 3  # figures, maps, trend


def test_departments_and_the_two_unit_minimum(app, demo_loaded):
    app.switch_page("pages/compare.py").run()
    app.selectbox(key="cmp-year").set_value(YEAR).run()
    app.radio(key="cmp-level").set_value("department").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table.columns) == ["Vụ Địa bàn I", "Vụ Địa bàn II"]
    assert "Số tỉnh, thành phố" in table.index
    app.multiselect(key="cmp-units-department").set_value(["VIII"]).run()
    assert [i.value for i in app.info] == ["Chọn ít nhất hai đơn vị để so sánh."]
