"""Fixtures for the app tests: the real app, run headless by AppTest against the test database."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.settings import PROJECT_ROOT, get_settings

YEAR = 2026  # the demo data's fixed "today" is 24/11/2026 (tests/conftest.py)


def _central_session(engine) -> str:
    """A session token of a central editor (sees all demo data, may import), opened by the owner."""
    from geo.accounts import open_session, save_account

    with engine.begin() as owner:
        save_account(owner, username="t-app-central", role="editor", scope_kind="central",
                     scope_code=None, clearance="toi_mat")
        return open_session(owner, "t-app-central")


@pytest.fixture()
def app(db_url, engine, demo_loaded, monkeypatch):
    """AppTest of ``app.py`` on the demo data, signed in as a central editor (the page functions'
    caches are shared across tests)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.session_state["diaban_session"] = _central_session(engine)
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
