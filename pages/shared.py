"""What every page shares: the database engine, cached, and turning errors into sentences."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import shapely
import streamlit as st
from sqlalchemy.engine import Connection, Engine

from geo.access import DatabaseUnavailableError, User, app_engine, scoped_connection
from geo.audit import record_event
from geo.database import database_url, get_engine
from geo.errors import DiabanError

SESSION_KEY = "diaban_session"  # the sign-in token, in st.session_state
USER_KEY = "diaban_user"  # the geo.access.User of that token, refreshed at every run by require_user()
LOST_KEY = "diaban_connection_lost"  # set when a query found the database gone; cleared with a notice


@st.cache_resource(show_spinner="Đang kết nối cơ sở dữ liệu…")
def engine() -> Engine:
    """Return the process-wide engine (the database was prepared by the run command)."""
    return get_engine(database_url())


@contextmanager
def connect() -> Iterator[Connection]:
    """The one way pages reach the database: a connection for one unit of work.

    Access control hooks in here: the connection is the app role's (it owns nothing and reads
    through row-level security) and the signed-in user's session token is set for this one
    transaction, so a page sees only what its user may see, whatever SQL runs.
    """
    try:
        with scoped_connection(app_engine(), st.session_state.get(SESSION_KEY)) as conn:
            yield conn
    except DatabaseUnavailableError:
        st.session_state[LOST_KEY] = True
        raise


def scope_key() -> str:
    """What the signed-in user may see, as a string: every cached page function that reads case
    data takes it as an argument, so one user's cached figures are never served to another."""
    user = current_user()
    return user.scope_key if user else "anonymous"


def current_user() -> User | None:
    """The signed-in user (set by ``pages.signin.require_user``), or None."""
    return st.session_state.get(USER_KEY)


def audit(event: str, *, details: dict | None = None, rows: int | None = None,
          geometry: shapely.Geometry | str | None = None) -> None:
    """Write an audit row for the signed-in user: ``area_query`` (with the geometry), ``record_view``,
    ``export`` (with the row count) or ``import`` (with the batch id and counts)."""
    with connect() as conn:
        record_event(conn, event, details=details, rows=rows, geometry=geometry)


def show_error(exc: Exception) -> None:
    """Show an error as a sentence that says what to do, never a traceback."""
    if isinstance(exc, DiabanError):
        st.error(str(exc))
    else:
        st.error("Không truy vấn được cơ sở dữ liệu. Hãy thử lại; nếu lỗi lặp lại, báo quản trị viên. "
                 f"/ The database query failed ({type(exc).__name__}). Try again; if it repeats, tell the administrator.")


def vn_number(value: float, decimals: int = 0) -> str:
    """Format a number the Vietnamese way: 3.321 and 1.234,5."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def import_upload(raw: bytes, *, file_name: str, record_type: str = "case"):
    """Import an uploaded file as the signed-in user (editors and administrators, inside their scope);
    return the ``etl.importer.ImportResult`` (the import audits itself)."""
    from etl.importer import import_bytes

    return import_bytes(app_engine(), raw, file_name=file_name, record_type=record_type,
                        session_token=st.session_state.get(SESSION_KEY))
