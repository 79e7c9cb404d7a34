"""The Streamlit app, run headless with AppTest against the test database."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.settings import PROJECT_ROOT, get_settings


@pytest.fixture()
def app(db_url, boundaries_loaded, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    yield at
    get_settings.cache_clear()


def test_units_map_lists_the_34_provinces_and_shows_communes_of_the_chosen_one(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Bản đồ đơn vị hành chính"
    province = app.selectbox(key="province")
    assert len(province.options) == 35  # the whole country + 34 provinces
    province.set_value("01").run()
    assert not app.exception
    assert any("126 xã, phường, đặc khu" in c.value for c in app.caption)
    assert any("Nhấp vào một điểm" in i.value for i in app.info)
