"""The signed-in user of this browser session: their token, their connection, their audit rows.

The token lives only in ``st.session_state`` (server memory, never in a URL); every database
call of a page runs on a connection of the app role with that token set for one transaction
(:func:`user_connection`, which ``pages.shared.connect`` wraps).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import shapely
import streamlit as st
from sqlalchemy.engine import Connection

from geo.access import DatabaseUnavailableError, User, app_engine, scoped_connection
from geo.audit import record_event
from geo.replica import note_write, read_connection

SESSION_KEY = "diaban_session"  # the sign-in token
USER_KEY = "diaban_user"  # the geo.access.User of that token, refreshed at every run by require_user()
LOST_KEY = "diaban_connection_lost"  # set when a query found the database gone; cleared with a notice


def current_user() -> User | None:
    """The signed-in user (set by ``pages.signin.require_user``), or None."""
    return st.session_state.get(USER_KEY)


@contextmanager
def user_connection(*, write: bool = False, remember: bool = True) -> Iterator[Connection]:
    """A connection of the app role acting for the signed-in user, for one transaction.

    Reads go to a hot standby that has replayed this user's last write (``geo.replica``), or to
    the primary; ``write=True`` (saving an account, a target…) always goes to the primary, and the
    next reads wait for a standby that has it (``remember=False``: audit rows, read by no page next).
    """
    token = st.session_state.get(SESSION_KEY)
    try:
        with (scoped_connection(app_engine(), token) if write else read_connection(token)) as conn:
            yield conn
        if write and remember:
            note_write(token)
    except DatabaseUnavailableError:
        st.session_state[LOST_KEY] = True  # require_user() says "reconnected" once it works again
        raise


def audit(event: str, *, details: dict | None = None, rows: int | None = None,
          geometry: shapely.Geometry | str | None = None) -> None:
    """Write an audit row for the signed-in user: ``area_query`` (with the geometry), ``record_view``,
    ``export`` (with the row count) or ``import`` (imports write their own)."""
    with user_connection(write=True, remember=False) as conn:
        record_event(conn, event, details=details, rows=rows, geometry=geometry)


def import_upload(raw: bytes, *, file_name: str, record_type: str = "case"):
    """Import an uploaded file as the signed-in user (editors and administrators, inside their scope);
    return the ``etl.importer.ImportResult`` (the import writes its own audit row)."""
    from etl.importer import import_bytes

    token = st.session_state.get(SESSION_KEY)
    result = import_bytes(app_engine(), raw, file_name=file_name, record_type=record_type, session_token=token)
    note_write(token)  # the next page reads the imported rows, on a standby that has them
    return result


def audit_once(event: str, *, key: str, details: dict | None = None, rows: int | None = None,
               geometry: shapely.Geometry | str | None = None) -> None:
    """:func:`audit`, but once per distinct ``key`` in a row: a page that reruns (a widget moved, the
    map panned) over the same area query logs it once, not at every rerun."""
    seen = st.session_state.setdefault("diaban_audited", {})
    if seen.get(event) != key:
        audit(event, details=details, rows=rows, geometry=geometry)
        seen[event] = key
