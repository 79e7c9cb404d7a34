"""Accounts and sign-in: thin calls to the database functions of migration 0005.

Passwords are hashed (bcrypt, salted, cost from ``access_config``) and checked inside the
database by ``diaban_sign_in``, which also counts failures, locks the account after
``signin_max_failures`` and writes the audit row. The app only ever holds the session token.
Account changes go through ``diaban_account_save``, which an administrator's session or the
schema owner (the command line) may call, and which writes the audit row itself.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass

import pandas as pd
import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.access import (
    CLEARANCES,
    ROLES,
    SCOPE_KINDS,
    AccessDeniedError,
    User,
    current_user,
    scoped_connection,
    translate_database_error,
)
from geo.errors import DiabanError, InvalidArgumentError
from geo.settings import Settings, get_settings

log = logging.getLogger(__name__)

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
_PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class SignInError(DiabanError, PermissionError):
    """Sign-in refused: wrong name or password, locked or disabled account."""


@dataclass(frozen=True)
class Session:
    """A signed-in user and the token that stands for them in every transaction."""

    token: str
    user: User


_STATUS_TEXT = {
    "bad": "Sai tên đăng nhập hoặc mật khẩu. / Wrong user name or password.",
    "locked": "Tài khoản tạm khoá do nhập sai mật khẩu nhiều lần; thử lại sau hoặc nhờ quản trị viên mở khoá. "
              "/ The account is locked after repeated wrong passwords: wait, or ask an administrator to unlock it.",
    "disabled": "Tài khoản đã bị vô hiệu hoá; liên hệ quản trị viên. / The account is disabled: ask an administrator.",
}


def _session(engine: Engine, token: str) -> Session:
    with scoped_connection(engine, token) as conn:
        user = current_user(conn)
    if user is None:
        raise SignInError("Phiên đăng nhập không hợp lệ. / The session is not valid.")
    return Session(token, user)


def sign_in(engine: Engine, username: str, password: str) -> Session:
    """Check a user name and password in the database and open a session, or raise :class:`SignInError`."""
    if not isinstance(username, str) or not isinstance(password, str) or "\x00" in username + password:
        raise SignInError(_STATUS_TEXT["bad"])  # PostgreSQL text cannot hold NUL; no account name has one
    with engine.begin() as conn:  # committed even on failure: the failure count and audit row must stay
        status, token = conn.execute(sa.text("SELECT status, token FROM diaban_sign_in(:u, :p)"),
                                     {"u": username.strip()[:64], "p": password}).one()
    if status != "ok":
        raise SignInError(_STATUS_TEXT.get(status, _STATUS_TEXT["bad"]))
    return _session(engine, token)


def sign_in_external(engine: Engine, subject: str) -> Session:
    """Open a session for the account linked to an identity provider's subject (e-mail)."""
    with scoped_connection(engine, None) as conn:  # errors come back as sentences
        token = conn.execute(sa.text("SELECT diaban_sign_in_external(:s)"), {"s": subject}).scalar_one()
    if token is None:
        raise SignInError(f"Chưa có tài khoản nào gắn với {subject}; nhờ quản trị viên tạo. "
                          f"/ No account is linked to {subject}: ask an administrator.")
    return _session(engine, token)


def touch(engine: Engine, token: str) -> User | None:
    """Extend an idle session and return its user, or None once it has expired or ended."""
    with scoped_connection(engine, token) as conn:
        if not conn.execute(sa.text("SELECT diaban_touch()")).scalar_one():
            return None
        return current_user(conn)


def sign_out(engine: Engine, token: str) -> None:
    """End the session (audited)."""
    with scoped_connection(engine, token) as conn:
        conn.execute(sa.text("SELECT diaban_sign_out()"))


def _reraise(exc: sa.exc.DBAPIError) -> None:
    translated = translate_database_error(exc)
    if translated is exc:
        raise exc
    raise translated from exc


def check_account_fields(*, username: str, role: str, scope_kind: str, scope_code: str | None,
                         clearance: str, password: str | None = None) -> list[str]:
    """Return every problem with an account's fields (empty when fine), each a bilingual sentence."""
    problems = []
    if not (isinstance(username, str) and _USERNAME.fullmatch(username.lower())):
        problems.append(f"Tên đăng nhập '{str(username)[:80]}' phải gồm 3 – 64 chữ thường, số hoặc . _ @ - . "
                        "/ The user name must be 3 – 64 lower-case letters, digits or . _ @ -.")
    if role not in ROLES:
        problems.append(f"Vai trò phải là một trong {ROLES}, nhận '{role}'. / `role` must be one of {ROLES}.")
    if scope_kind not in SCOPE_KINDS:
        problems.append(f"Phạm vi phải là một trong {SCOPE_KINDS}, nhận '{scope_kind}'. "
                        f"/ `scope_kind` must be one of {SCOPE_KINDS}.")
    elif (scope_kind == "central") != (scope_code in (None, "")):
        problems.append("Phạm vi trung ương không có mã; phạm vi khác phải có mã đơn vị. "
                        "/ A central scope has no code; every other scope needs its unit code.")
    if clearance not in CLEARANCES:
        problems.append(f"Độ mật phải là một trong {CLEARANCES}. / `clearance` must be one of {CLEARANCES}.")
    if password is not None and not (isinstance(password, str) and 10 <= len(password.encode()) <= 72):
        problems.append("Mật khẩu phải dài 10 – 72 byte. / The password must be 10 – 72 bytes long.")
    return problems


def save_account(conn: Connection, *, username: str, role: str, scope_kind: str, scope_code: str | None,
                 clearance: str, display_name: str | None = None, password: str | None = None,
                 disabled: bool | None = None, external_subject: str | None = None) -> int:
    """Create or change an account (an administrator's scoped connection, or the owner's); return its id."""
    problems = check_account_fields(username=username, role=role, scope_kind=scope_kind, scope_code=scope_code,
                                    clearance=clearance, password=password)
    if problems:
        raise InvalidArgumentError(" ".join(problems))
    try:
        with conn.begin_nested():
            return conn.execute(sa.text(
                "SELECT diaban_account_save(:u, :r, :k, :c, :cl, :d, :p, :dis, :ext)"),
                {"u": username.lower(), "r": role, "k": scope_kind, "c": scope_code or None, "cl": clearance,
                 "d": display_name, "p": password, "dis": disabled, "ext": external_subject or None}).scalar_one()
    except sa.exc.DBAPIError as exc:
        _reraise(exc)


def unlock_account(conn: Connection, username: str) -> bool:
    """Clear an account's failure count and lock; False when there is no such account."""
    try:
        with conn.begin_nested():
            return bool(conn.execute(sa.text("SELECT diaban_account_unlock(:u)"), {"u": username}).scalar_one())
    except sa.exc.DBAPIError as exc:
        _reraise(exc)


def list_accounts(conn: Connection) -> pd.DataFrame:
    """Return the accounts the connection may list (all for an administrator, else only one's own)."""
    return pd.read_sql(sa.text(
        "SELECT username, display_name, role, scope_kind, scope_code, clearance, external_subject, failed_count,"
        " locked_until, last_sign_in, disabled_at FROM account ORDER BY username"), conn)


def open_session(owner_conn: Connection, username: str) -> str:
    """Open a session for ``username`` without a password: owner only (tests, benchmarks, tooling)."""
    account_id = owner_conn.execute(sa.text("SELECT id FROM account WHERE username = :u"),
                                    {"u": username}).scalar_one_or_none()
    if account_id is None:
        raise InvalidArgumentError(f"Không có tài khoản '{username}'. / No account '{username}'.")
    try:
        return owner_conn.execute(sa.text("SELECT diaban_open_session(:a, 'owner')"), {"a": account_id}).scalar_one()
    except sa.exc.ProgrammingError as exc:
        if isinstance(exc.orig, psycopg.errors.InsufficientPrivilege):
            raise AccessDeniedError("Chỉ chủ sở hữu CSDL mở được phiên không mật khẩu. "
                                    "/ Only the database owner may open a session without a password.") from exc
        raise


def generate_password() -> str:
    """Return a random 16-character password without look-alike characters (0/O, 1/l/I)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(16))


def apply_access_config(owner_conn: Connection, settings: Settings | None = None) -> None:
    """Copy the sign-in settings into ``access_config``, where the database functions read them."""
    settings = settings or get_settings()
    owner_conn.execute(sa.text(
        "UPDATE access_config SET max_failures = :f, lockout_minutes = :l, session_minutes = :s, idle_minutes = :i,"
        " bcrypt_cost = :c, oidc_enabled = :o"),
        {"f": settings.signin_max_failures, "l": settings.signin_lockout_minutes, "s": settings.session_minutes,
         "i": settings.idle_minutes, "c": settings.bcrypt_cost, "o": settings.oidc_enabled})


# One account per role and per kind of scope: Hà Nội (01), its commune Hoàn Kiếm (00070), and
# Vụ Địa bàn VIII (the Mekong delta).
DEMO_ACCOUNTS = (
    ("quantri", "admin", "central", None, "toi_mat", "Quản trị viên (demo)"),
    ("trunguong", "viewer", "central", None, "mat", "Cán bộ Trung ương (demo)"),
    ("vudiaban8", "viewer", "regional", "VIII", "mat", "Vụ Địa bàn VIII (demo)"),
    ("hanoi", "editor", "province", "01", "mat", "UBKT Thành uỷ Hà Nội (demo)"),
    ("hoankiem", "viewer", "commune", "00070", "thuong", "UBKT Đảng uỷ phường Hoàn Kiếm (demo)"),
)


def create_demo_accounts(owner_conn: Connection) -> list[tuple[str, str, str]]:
    """Create the demo accounts when there are no accounts yet; return (user, password, description) once."""
    if owner_conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM account)")).scalar_one():
        return []
    created = []
    for username, role, kind, code, clearance, description in DEMO_ACCOUNTS:
        password = generate_password()
        save_account(owner_conn, username=username, role=role, scope_kind=kind, scope_code=code, clearance=clearance,
                     display_name=description, password=password)
        created.append((username, password, f"{description}: {role}, {kind}{' ' + code if code else ''}, {clearance}"))
    return created
