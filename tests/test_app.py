"""The Streamlit app, run headless with AppTest against the test database (with demo data)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from geo.settings import PROJECT_ROOT, get_settings


@pytest.fixture()
def app(db_url, demo_loaded, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=90)
    yield at
    get_settings.cache_clear()


def test_overview_shows_this_years_case_total_from_the_database(app, engine):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Tổng quan"
    year = date.today().year
    with engine.connect() as c:
        total = c.execute(sa.text("SELECT count(*) FROM case_record WHERE decision_date BETWEEN :a AND :b"),
                          {"a": date(year, 1, 1), "b": date.today()}).scalar_one()
    assert total > 0
    assert app.metric[0].value == f"{total:,}".replace(",", ".")
    assert len(app.selectbox(key="province").options) == 35


def test_overview_for_one_province_lists_its_communes(app):
    app.run()
    app.selectbox(key="province").set_value("01").run()
    assert not app.exception
    assert app.subheader[0].value == "Số vụ việc theo xã, Thành phố Hà Nội"
    assert len(app.dataframe[0].value) == 126


def test_units_map_lists_the_34_provinces_and_shows_communes_of_the_chosen_one(app):
    app.switch_page("pages/units_map.py").run()
    assert not app.exception
    assert app.title[0].value == "Bản đồ đơn vị hành chính"
    province = app.selectbox(key="province")
    assert len(province.options) == 35  # the whole country + 34 provinces
    province.set_value("01").run()
    assert not app.exception
    assert any("126 xã, phường, đặc khu" in c.value for c in app.caption)
    assert any("Nhấp vào một điểm" in i.value for i in app.info)
