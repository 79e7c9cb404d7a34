"""API fixtures: the API served by uvicorn on a free loopback port, on the app role's engine of the test
database, and tokens issued by the owner for accounts of every kind of scope."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn

from api.app import create_app
from geo.accounts import save_account
from geo.tokens import issue_token
from tests.security.conftest import app_engine, app_url, users  # noqa: F401 - fixtures shared with security


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def api_app(app_engine):  # noqa: F811
    return create_app(app_engine)


@pytest.fixture(scope="session")
def api_url(api_app):
    """A real HTTP server (GDAL and concurrent clients need one), stopped at the end of the session."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


class Tokens:
    """API tokens made on demand, one per (role, scope kind, code, clearance, access)."""

    def __init__(self, owner):
        self.owner = owner
        self.made: dict[tuple, tuple[int, str]] = {}

    def account(self, *, role: str, kind: str, code: str | None, clearance: str) -> str:
        username = f"api-{role}-{kind}-{code or 'all'}-{clearance}".lower().replace("_", "")
        with self.owner.begin() as conn:
            save_account(conn, username=username, role=role, scope_kind=kind, scope_code=code, clearance=clearance)
        return username

    def get(self, *, kind: str = "central", code: str | None = None, clearance: str = "toi_mat",
            role: str = "viewer", access: str = "read") -> str:
        return self.issue(kind=kind, code=code, clearance=clearance, role=role, access=access)[1]

    def issue(self, *, kind: str = "central", code: str | None = None, clearance: str = "toi_mat",
              role: str = "viewer", access: str = "read", fresh: bool = False) -> tuple[int, str]:
        key = (role, kind, code, clearance, access)
        if fresh or key not in self.made:
            username = self.account(role=role, kind=kind, code=code, clearance=clearance)
            with self.owner.begin() as conn:
                issued = issue_token(conn, username=username, name=f"test {access}", access=access, days=30)
            self.made[key] = (issued.token_id, issued.secret)
        return self.made[key]


@pytest.fixture(scope="session")
def tokens(engine, boundaries_loaded, users):  # noqa: F811 - users sets the fast bcrypt cost
    return Tokens(engine)


def client(api_url: str, token: str | None = None, **kwargs) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=api_url, headers=headers, timeout=120, **kwargs)
