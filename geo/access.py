"""Who the app is to the database, and who the user is within one transaction.

The app connects as a login role that is (or is a member of) ``diaban_app``: it owns nothing,
reads, writes only what an import writes, and the row-level security policies of migration 0005 decide which case records,
petitions, discipline decisions, targets and quarantined rows it sees. Which user it acts for is
the per-transaction setting ``diaban.session``, set by :func:`scoped_connection` from the token
the user got at sign-in; without a valid token every protected table looks empty.

Provisioning the login:
- embedded cluster (``DATABASE_URL`` unset): :func:`app_database_url` gives ``diaban_app`` a
  login and a generated password, kept next to the cluster's in ``<state_dir>/pg-app.json``
  (mode 0600);
- an external server (``DATABASE_URL`` set): the DBA creates a login that is a member of
  ``diaban_app`` and the app reads its URL from ``DIABAN_APP_DATABASE_URL``. Without it, an
  owner that may alter roles provisions ``diaban_app`` as for the embedded cluster (one app
  host); otherwise the app refuses to start and says what to set.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import Connection, Engine, make_url

from geo.database import _with_driver, database_url, get_engine, psycopg_conninfo, through_pgbouncer
from geo.errors import ConfigurationError, DiabanError, InvalidArgumentError
from geo.settings import Settings, get_settings

log = logging.getLogger(__name__)

APP_ROLE = "diaban_app"
CLEARANCES = ("thuong", "mat", "toi_mat")  # in increasing order
SCOPE_KINDS = ("central", "regional", "province", "commune")
ROLES = ("admin", "editor", "viewer")


class AccessDeniedError(DiabanError, PermissionError):
    """The signed-in user may not do this (or the session has expired)."""


class DatabaseUnavailableError(DiabanError, ConnectionError):
    """The database did not answer (restarting, stopped, network); the app reconnects on the next try."""


@dataclass(frozen=True)
class User:
    """The signed-in user as the database sees them (from ``diaban_me()``)."""

    account_id: int
    session_id: int
    username: str
    role: str
    scope_kind: str
    scope_code: str | None
    clearance: str
    provinces: tuple[str, ...]
    commune: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def scope_key(self) -> str:
        """What this user may see, as a string: equal keys see equal rows (a cache key)."""
        return f"{self.scope_kind}:{self.scope_code or '*'}:{','.join(self.provinces)}:{self.clearance}"

    def may_see(self, *, province_code: str | None, commune_code: str | None, classification: str) -> bool:
        """Mirror of the row-level policy in Python (for checks and messages, never for enforcement)."""
        if CLEARANCES.index(classification) > CLEARANCES.index(self.clearance):
            return False
        if self.scope_kind == "central":
            return True
        if self.scope_kind == "commune":
            return commune_code is not None and commune_code == self.commune
        return province_code is not None and province_code in self.provinces


def _password_file(settings: Settings) -> Path:
    return settings.state_dir / "pg-app.json"


def provision_app_login(owner_url: str, *, password_file: Path) -> str:
    """Give ``diaban_app`` a login with the password kept in ``password_file``; return the app's URL.

    Needs an owner that may alter roles (the embedded cluster's superuser, or a CREATEROLE owner).
    The password is generated once and reused, so several processes agree on it.
    """
    if password_file.exists():
        password = json.loads(password_file.read_text())["password"]
    else:
        password = secrets.token_urlsafe(24)
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(json.dumps({"role": APP_ROLE, "password": password}))
        password_file.chmod(0o600)
    try:
        with psycopg.connect(psycopg_conninfo(owner_url), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(APP_ROLE)))
            conn.execute(sql.SQL("ALTER ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD {}")
                         .format(sql.Identifier(APP_ROLE), sql.Literal(password)))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise ConfigurationError(
            f"Không tạo được tài khoản kết nối cho ứng dụng ({exc.diag.message_primary}). Hãy nhờ quản trị CSDL tạo "
            f"một vai trò đăng nhập thuộc {APP_ROLE} và đặt DIABAN_APP_DATABASE_URL. / Cannot give {APP_ROLE} a login: "
            f"ask the DBA for a login role IN ROLE {APP_ROLE} and set DIABAN_APP_DATABASE_URL.") from exc
    url = make_url(owner_url).set(username=APP_ROLE, password=password)
    return url.render_as_string(hide_password=False)


def app_database_url(settings: Settings | None = None) -> str:
    """Return the URL the app connects with (never the owner's)."""
    settings = settings or get_settings()
    if settings.app_database_url:
        return _with_driver(settings.app_database_url)
    owner_url = database_url(settings)
    try:
        return _provisioned_url(owner_url, str(_password_file(settings)))
    except ConfigurationError:
        if not settings.database_url:
            raise
        raise ConfigurationError(
            "Thiếu DIABAN_APP_DATABASE_URL: ứng dụng không kết nối bằng tài khoản chủ sở hữu dữ liệu. Tạo vai trò "
            f"đăng nhập thuộc {APP_ROLE} (CREATE ROLE diaban_web LOGIN PASSWORD '…' IN ROLE {APP_ROLE}) rồi đặt URL "
            f"của nó. / DIABAN_APP_DATABASE_URL is unset and the owner cannot give {APP_ROLE} a login: create a "
            f"login IN ROLE {APP_ROLE} and set its URL.") from None


@lru_cache(maxsize=4)
def _provisioned_url(owner_url: str, password_file: str) -> str:
    return provision_app_login(owner_url, password_file=Path(password_file))


def check_app_role(engine: Engine) -> None:
    """Refuse to run the app on a connection that could bypass the row-level policies."""
    with engine.connect() as conn:
        row = conn.execute(sa.text("""
            SELECT r.rolname, r.rolsuper OR r.rolbypassrls AS bypasses,
                   pg_has_role(current_user, :app, 'USAGE') AS in_app_role,
                   (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid
                      AND c.relnamespace = 'public'::regnamespace) AS owned
            FROM pg_roles r WHERE r.rolname = current_user"""), {"app": APP_ROLE}).one()
    if row.bypasses or row.owned or not row.in_app_role:
        raise ConfigurationError(
            f"Tài khoản kết nối '{row.rolname}' của ứng dụng không an toàn (phải thuộc {APP_ROLE}, không là superuser, "
            f"không sở hữu bảng). / The app's database login '{row.rolname}' must be a member of {APP_ROLE}, not a "
            "superuser or BYPASSRLS, and own no tables.")


@lru_cache(maxsize=4)
def _checked_engine(url: str, pool_size: int, max_overflow: int) -> Engine:
    engine = get_engine(url, pool_size=pool_size, max_overflow=max_overflow)
    check_app_role(engine)
    return engine


def app_engine(settings: Settings | None = None) -> Engine:
    """Return the pooled engine of the app role on the primary, checked once per process (writes go
    here; pages read through ``geo.replica.read_connection``, on a standby when there is one)."""
    settings = settings or get_settings()
    # Through PgBouncer when `bash run.sh replica` started it.
    return _checked_engine(through_pgbouncer(app_database_url(settings), settings), settings.app_pool_size,
                           settings.app_max_overflow)


@contextmanager
def scoped_connection(engine: Engine, token: str | None) -> Iterator[Connection]:
    """Yield a connection in one transaction acting for the session ``token``.

    The setting is transaction-local (``set_config(..., true)``): it vanishes at commit or
    rollback, so a pooled connection never carries one user's scope to the next. A connection
    the server dropped (restart) is replaced by the pool's pre-ping on the next checkout; an
    error during the query becomes a :class:`DatabaseUnavailableError` sentence.
    """
    if token is not None and not (isinstance(token, str) and len(token) <= 128):
        raise InvalidArgumentError("`token` must be a session token string.")
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT set_config('diaban.session', :token, true)"), {"token": token or ""})
            yield conn
    except (sa.exc.DBAPIError, pd.errors.DatabaseError) as exc:
        # pandas.read_sql wraps the driver's error in its own DatabaseError: look underneath.
        cause = exc if isinstance(exc, sa.exc.DBAPIError) else exc.__cause__
        translated = translate_database_error(cause) if isinstance(cause, sa.exc.DBAPIError) else exc
        if translated is exc or translated is cause:
            raise
        raise translated from exc


def translate_database_error(exc: sa.exc.DBAPIError) -> DiabanError | sa.exc.DBAPIError:
    """Turn what the database said into a sentence for the user (or return ``exc`` unchanged)."""
    if isinstance(exc.orig, psycopg.errors.QueryCanceled):
        return InvalidArgumentError("Truy vấn chạy quá lâu và đã bị dừng; hãy thu hẹp vùng hoặc thời gian. "
                                    "/ The query took too long and was stopped: narrow the area or the period.")
    if exc.connection_invalidated or isinstance(exc.orig, (psycopg.OperationalError, psycopg.InterfaceError)):
        return DatabaseUnavailableError(
            "Mất kết nối tới cơ sở dữ liệu (máy chủ đang khởi động lại hoặc đã dừng). Ứng dụng sẽ tự kết nối lại: "
            "hãy thử lại sau ít giây. / The database connection was lost (the server restarted or stopped); the "
            "app reconnects by itself: try again in a few seconds.")
    message = getattr(getattr(exc.orig, "diag", None), "message_primary", None) or str(exc.orig)
    if isinstance(exc.orig, psycopg.errors.InsufficientPrivilege):
        # Our database functions already speak both languages; PostgreSQL's own refusals do not.
        return AccessDeniedError(message if " / " in message else f"Không có quyền ({message}). / Not allowed.")
    if isinstance(exc, sa.exc.DataError) or isinstance(exc.orig, psycopg.errors.InvalidParameterValue):
        return InvalidArgumentError(message if " / " in message else
                                    f"Giá trị không hợp lệ ({message}). / A value is of the wrong form ({message}): "
                                    "correct it and try again.")
    return exc


_ME = "SELECT account_id, session_id, username, role, scope_kind, scope_code, clearance, provinces, commune FROM diaban_me()"


def current_user(conn: Connection) -> User | None:
    """Return the user of the connection's session, or None when it is missing or expired."""
    row = conn.execute(sa.text(_ME)).one_or_none()
    if row is None:
        return None
    return User(row.account_id, row.session_id, row.username, row.role, row.scope_kind, row.scope_code,
                row.clearance, tuple(row.provinces or ()), row.commune)
