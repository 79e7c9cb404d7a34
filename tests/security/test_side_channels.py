"""Side channels of the app role: errors and plans must not answer questions about hidden rows.

An attacker here has arbitrary SQL as ``diaban_app`` (a bug, injected SQL), with no token or with
the token of a user of province 01. Each probe is asked twice: about rows that exist but are
hidden (province 79, Hồ Chí Minh City) and about rows that do not exist (province 99). Equal
outcomes mean the probe learned nothing.
"""

from __future__ import annotations

import os
from collections import Counter

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from geo.access import scoped_connection
from geo.database import drop_database, psycopg_conninfo, url_for_database
from tests.security.conftest import REPORT

# The attack of issue #10: an SRID chosen from row data makes a "leakproof" cast raise an error
# exactly when a hidden row matches; a variant through another PostGIS function.
PROBES = {
    "geography cast": "SELECT count(*) FROM case_record WHERE geography(CASE WHEN province_code = :p"
                      " THEN 'SRID=3857;POINT(0 0)'::geometry ELSE geom END) IS NOT NULL",
    "st_dwithin": "SELECT count(*) FROM case_record WHERE ST_DWithin(CAST(CASE WHEN province_code = :p"
                  " THEN 'SRID=3857;POINT(0 0)'::geometry ELSE geom END AS geography),"
                  " 'SRID=4326;POINT(105 21)'::geography, 10)",
    "st_distance": "SELECT count(*) FROM case_record WHERE ST_Distance(geom, CASE WHEN province_code = :p"
                   " THEN 'SRID=3857;POINT(0 0)'::geometry ELSE geom END) >= 0",
    "overlaps": "SELECT count(*) FROM case_record WHERE CAST(geom AS geography) && CAST(CASE WHEN province_code = :p"
                " THEN 'SRID=3857;POINT(0 0)'::geometry ELSE geom END AS geography)",
}


def _outcome(app_engine, token: str | None, sql: str, province: str) -> str:
    """What the attacker sees: the answer, or the kind of error (its message minus the values)."""
    try:
        with scoped_connection(app_engine, token) as conn:
            return f"answer {conn.execute(sa.text(sql), {'p': province}).scalar_one()}"
    except Exception as exc:  # noqa: BLE001 - any error is an outcome to compare
        orig = getattr(exc, "orig", exc)
        return f"error {type(orig).__name__}: {getattr(getattr(orig, 'diag', None), 'message_primary', '')}"


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_an_error_chosen_from_row_data_says_nothing_about_hidden_rows(app_engine, engine, users, demo_loaded, probe):
    with engine.connect() as owner:
        assert owner.execute(sa.text("SELECT count(*) FROM case_record WHERE province_code = '79'")).scalar_one() > 0
    tried = 0
    for token in (None, users.token(kind="province", code="01", clearance="toi_mat")):
        hidden = _outcome(app_engine, token, PROBES[probe], "79")
        absent = _outcome(app_engine, token, PROBES[probe], "99")
        assert hidden == absent, (probe, token is not None, hidden, absent)
        tried += 2
    REPORT.setdefault("side-channel probes", Counter())["queries"] += tried


def test_no_function_is_leakproof_but_those_postgresql_itself_ships(engine, server_url, boundaries_loaded):
    """Every LEAKPROOF function of the database is one of pg_catalog's as a fresh database has them."""
    name = f"diaban_leakproof_{os.getpid()}"
    admin = psycopg_conninfo(url_for_database(server_url, "postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:  # template0: PostgreSQL's own catalogue, no extension
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    try:
        with psycopg.connect(psycopg_conninfo(url_for_database(server_url, name))) as fresh:
            shipped = {r[0] for r in fresh.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.proleakproof").fetchall()}
    finally:
        drop_database(server_url, name)
    with engine.connect() as conn:
        marked = conn.execute(sa.text(
            "SELECT p.oid::regprocedure::text, n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE p.proleakproof")).all()
    assert shipped and marked
    assert {n for _, n in marked} == {"pg_catalog"}, [f for f, n in marked if n != "pg_catalog"]
    assert {f for f, _ in marked} <= shipped, sorted({f for f, _ in marked} - shipped)
