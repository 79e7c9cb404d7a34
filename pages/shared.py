"""What every page shares: the database engine, cached, and turning errors into sentences."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.engine import Connection, Engine

from geo.database import database_url, get_engine
from geo.errors import DiabanError


@st.cache_resource(show_spinner="Đang kết nối cơ sở dữ liệu…")
def engine() -> Engine:
    """Return the process-wide engine (the database was prepared by the run command)."""
    return get_engine(database_url())


@contextmanager
def connect() -> Iterator[Connection]:
    """The one way pages reach the database: a connection for one unit of work.

    Access control hooks in here (the signed-in user's scope is set per transaction), so pages
    never open connections of their own: the connection is the app role's, which owns nothing
    and reads through row-level security, so a page sees only what its user may see.
    """
    from pages.session import user_connection

    with user_connection() as conn:
        yield conn


def scope_key() -> str:
    """What the signed-in user may see, as a string: every cached page function that reads case
    data takes it as an argument, so one user's cached figures are never served to another."""
    from pages.session import current_user

    user = current_user()
    return user.scope_key if user else "anonymous"


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
