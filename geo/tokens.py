"""API bearer tokens: thin calls to the database functions of migration 0010.

A token is a session of its account (``app_session.via = 'api'``) that lasts until its expiry
and has no idle limit; the API sets it as ``diaban.session`` like the app sets a sign-in's, so
the row-level policies, clearance and the audit log apply unchanged. Only its SHA-256 is
stored. Issuing, listing, expiring and revoking take an administrator's scoped connection or
the schema owner's (the command line); each change writes its audit row in the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.access import translate_database_error
from geo.errors import InvalidArgumentError

ACCESS = ("read", "write")
MAX_DAYS = 730
TOKEN_PATTERN = re.compile(r"^dbn_[0-9a-f]{64}$")


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``secret`` is shown once and stored nowhere but as a hash."""

    token_id: int
    secret: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenUse:
    """What the API learns of the token of a request (``diaban_api_me()``)."""

    token_id: int
    access: str
    username: str
    role: str

    @property
    def may_write(self) -> bool:
        return self.access == "write" and self.role in ("editor", "admin")


def _run(conn: Connection, statement: str, params: dict):
    try:
        with conn.begin_nested():
            return conn.execute(sa.text(statement), params)
    except sa.exc.DBAPIError as exc:
        translated = translate_database_error(exc)
        if translated is exc:
            raise
        raise translated from exc


def issue_token(conn: Connection, *, username: str, name: str, access: str = "read", days: int = 90) -> IssuedToken:
    """Issue a token for ``username`` valid ``days`` days; ``access`` is ``read`` or ``write``."""
    problems = []
    if access not in ACCESS:
        problems.append(f"Quyền của mã phải là một trong {ACCESS}, nhận '{access}'. / `access` must be one of {ACCESS}.")
    if not (isinstance(days, int) and 1 <= days <= MAX_DAYS):
        problems.append(f"Thời hạn phải từ 1 đến {MAX_DAYS} ngày, nhận {days!r}. / `days` must be 1 – {MAX_DAYS}.")
    if not (isinstance(name, str) and 1 <= len(name.strip()) <= 100):
        problems.append("Tên mã phải dài 1 – 100 ký tự. / The token name must be 1 – 100 characters long.")
    if problems:
        raise InvalidArgumentError(" ".join(problems))
    row = _run(conn, "SELECT token_id, token, expires_at FROM diaban_api_token_issue(:u, :n, :a, :d)",
               {"u": username, "n": name, "a": access, "d": days}).one()
    return IssuedToken(row.token_id, row.token, row.expires_at)


def list_tokens(conn: Connection) -> pd.DataFrame:
    """Every token (never its secret): account, name, access, dates and ``status``
    (``active``, ``expired``, ``revoked``, ``disabled`` when its account is)."""
    rows = _run(conn, "SELECT * FROM diaban_api_tokens()", {})
    return pd.DataFrame(rows.mappings().all(), columns=list(rows.keys()))


def revoke_token(conn: Connection, token_id: int) -> bool:
    """Revoke a token for good; False when there is no such active token."""
    return bool(_run(conn, "SELECT diaban_api_token_end(:i, true, NULL)", {"i": int(token_id)}).scalar_one())


def expire_token(conn: Connection, token_id: int, *, at: datetime | None = None) -> bool:
    """Move a token's expiry to ``at`` (now when None); False when there is no such active token."""
    return bool(_run(conn, "SELECT diaban_api_token_end(:i, false, :at)", {"i": int(token_id), "at": at}).scalar_one())


def token_use(conn: Connection) -> TokenUse | None:
    """The API token of the connection's session, or None (no token, a sign-in's, expired, revoked)."""
    row = conn.execute(sa.text("SELECT token_id, access, username, role FROM diaban_api_me()")).one_or_none()
    return None if row is None else TokenUse(row.token_id, row.access, row.username, row.role)


def looks_like_token(value: object) -> bool:
    """Whether ``value`` has a token's form (checked before it reaches the database)."""
    return isinstance(value, str) and bool(TOKEN_PATTERN.fullmatch(value))
