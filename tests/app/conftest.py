"""Fixtures for the app tests: the real app, run headless by AppTest against the test database."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.settings import PROJECT_ROOT, get_settings

YEAR = 2026  # the demo data's fixed "today" is 24/11/2026 (tests/conftest.py)


@pytest.fixture()
def app(db_url, demo_loaded, monkeypatch):
    """AppTest of ``app.py`` on the demo data (the page functions' caches are shared across tests)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    yield at
    get_settings.cache_clear()


def texts(elements) -> list[str]:
    """The values of a list of AppTest elements, as strings."""
    return [str(e.value) for e in elements]


def frame(app, *columns: str):
    """The first table on the page that has all of ``columns`` (tables are found by their headers)."""
    for element in app.dataframe:
        value = element.value
        if set(columns) <= set(map(str, value.columns)):
            return value
    raise AssertionError(f"no table with columns {columns}; tables: {[list(d.value.columns) for d in app.dataframe]}")
