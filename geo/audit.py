"""The audit log: who signed in, queried which area, viewed, exported or imported what.

Rows are written by the database (sign-ins, account changes) or through ``diaban_audit``,
which takes the actor from the session: the app cannot write a row in someone else's name,
and its role can neither update nor delete rows. Only administrators can read the log.
"""

from __future__ import annotations

import io
import json
from datetime import datetime

import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import InvalidArgumentError

APP_EVENTS = ("area_query", "record_view", "export", "import")
EVENTS = ("sign_in", "sign_in_failed", "sign_in_locked", "sign_out", "area_query", "record_view", "export",
          "import", "account_change", "config_change")
MAX_DETAILS_CHARS = 60_000


def record_event(conn: Connection, event: str, *, details: dict | None = None, rows: int | None = None,
                 geometry: shapely.Geometry | str | None = None) -> int:
    """Append one event of the connection's user to the audit log; return its id.

    Parameters
    ----------
    event
        ``area_query`` (with the geometry), ``record_view``, ``export`` (with ``rows``) or
        ``import`` (with the batch id and counts in ``details``).
    geometry
        The queried area or point (shapely or WKT, EPSG:4326).
    """
    if event not in APP_EVENTS:
        raise InvalidArgumentError(f"`event` must be one of {APP_EVENTS}, got {event!r}.")
    text = json.dumps(details or {}, ensure_ascii=False, default=str)
    if len(text) > MAX_DETAILS_CHARS:  # keep the log small: a huge filter list is cut, and says so
        text = json.dumps({"truncated": True, "head": text[:MAX_DETAILS_CHARS // 2]}, ensure_ascii=False)
    wkt = geometry.wkt if isinstance(geometry, shapely.Geometry) else geometry
    return conn.execute(sa.text("SELECT diaban_audit(:e, CAST(:d AS jsonb), :r, :g)"),
                        {"e": event, "d": text, "r": rows, "g": wkt}).scalar_one()


def read_audit(conn: Connection, *, start: datetime | None = None, end: datetime | None = None,
               events: list[str] | None = None, actor: str | None = None, limit: int = 10_000) -> pd.DataFrame:
    """Return audit rows, newest first (empty unless the connection's user is an administrator)."""
    if not (isinstance(limit, int) and 1 <= limit <= 1_000_000):
        raise InvalidArgumentError(f"`limit` must be between 1 and 1,000,000, got {limit!r}.")
    if events is not None and not set(events) <= set(EVENTS):
        raise InvalidArgumentError(f"`events` must be among {EVENTS}, got {events!r}.")
    return pd.read_sql(sa.text("""
        SELECT id, at, actor, event, details::text AS details, row_count,
               CASE WHEN geom IS NULL THEN NULL ELSE ST_AsText(geom) END AS geometry_wkt
        FROM audit_log
        WHERE (CAST(:start AS timestamptz) IS NULL OR at >= :start)
          AND (CAST(:end AS timestamptz) IS NULL OR at < :end)
          AND (CAST(:events AS text[]) IS NULL OR event = ANY(CAST(:events AS text[])))
          AND (CAST(:actor AS text) IS NULL OR actor = :actor)
        ORDER BY id DESC
        LIMIT :limit"""), conn, params={"start": start, "end": end, "events": events, "actor": actor,
                                         "limit": limit})


def audit_csv(frame: pd.DataFrame) -> bytes:
    """Return audit rows as CSV (UTF-8 with BOM, so Excel shows Vietnamese right)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")
