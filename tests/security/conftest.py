"""Security fixtures: the app role's engine on the session's test database, and users of every scope.

Tests here talk to the database as the app would: through ``diaban_app`` and a session token.
The owner (the root fixtures' ``engine``) only prepares accounts and computes expectations.
"""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from geo.access import APP_ROLE, check_app_role, provision_app_login
from geo.accounts import open_session, save_account
from geo.database import get_engine, url_for_database
from geo.settings import get_settings

# Figures the tests report at the end of the run (attempts, rows checked…), by test name.
REPORT: dict[str, Counter] = {}


def pytest_terminal_summary(terminalreporter):
    if REPORT:
        terminalreporter.section("security checks")
        for name, counts in REPORT.items():
            terminalreporter.write_line(f"{name}: " + ", ".join(
                f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in counts.items()))


@pytest.fixture(scope="session")
def app_url(db_url: str) -> str:
    """URL of the app role on the test database (provisioned like the embedded cluster's)."""
    settings = get_settings()
    if settings.app_database_url:
        return url_for_database(settings.app_database_url, make_url(db_url).database)
    return provision_app_login(db_url, password_file=settings.state_dir / "pg-app.json")


@pytest.fixture(scope="session")
def app_engine(app_url: str) -> sa.Engine:
    engine = get_engine(app_url)
    check_app_role(engine)
    return engine


class Users:
    """Accounts made on demand, one per (role, scope kind, scope code, clearance), with a session each."""

    def __init__(self, owner: sa.Engine):
        self.owner = owner
        self.tokens: dict[tuple, str] = {}
        with owner.begin() as conn:
            conn.execute(sa.text("UPDATE access_config SET bcrypt_cost = 4"))  # fast hashes for tests

    def token(self, *, kind: str, code: str | None, clearance: str, role: str = "viewer") -> str:
        key = (role, kind, code, clearance)
        if key not in self.tokens:
            username = f"t-{role}-{kind}-{code or 'all'}-{clearance}".lower().replace("_", "")
            with self.owner.begin() as conn:
                save_account(conn, username=username, role=role, scope_kind=kind, scope_code=code,
                             clearance=clearance)
                self.tokens[key] = open_session(conn, username)
        return self.tokens[key]


@pytest.fixture(scope="session")
def users(engine: sa.Engine, boundaries_loaded) -> Users:
    return Users(engine)


__all__ = ["APP_ROLE", "REPORT", "Users"]
