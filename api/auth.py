"""Every request is a user: the bearer token is a session of its account.

The token is checked for its form, then set as ``diaban.session`` for one transaction on the
app role's connection (``geo.access.scoped_connection``), exactly as a page does after sign-in;
``diaban_api_me()`` then says whether it is a live API token and whether it may write. No token,
a malformed, unknown, expired or revoked one: 401 before anything is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy.engine import Connection, Engine

from api.errors import ApiError
from geo.access import scoped_connection
from geo.tokens import TokenUse, looks_like_token, token_use


def bearer_token(request: Request) -> str:
    """The token of the ``Authorization: Bearer …`` header, or 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not looks_like_token(token):
        raise ApiError(401, "api.unauthorized")
    return token


@contextmanager
def user_connection(engine: Engine, token: str, *, write: bool = False) -> Iterator[tuple[Connection, TokenUse]]:
    """A transaction acting for the token's account; 401 when the token is not live, 403 when it may not write."""
    with scoped_connection(engine, token) as conn:
        use = token_use(conn)
        if use is None:
            raise ApiError(401, "api.unauthorized")
        if write and use.access != "write":
            raise ApiError(403, "api.read_only")
        if write and not use.may_write:
            raise ApiError(403, "api.not_editor")
        yield conn, use


def check_writer(engine: Engine, token: str) -> TokenUse:
    """Refuse before reading the body when the token may not import (401 / 403)."""
    with user_connection(engine, token, write=True) as (_, use):
        return use
