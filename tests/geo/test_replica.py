"""Streaming replication drill: a primary and a hot standby of the embedded cluster, reads routed to the
standby under the same row-level security, PgBouncer (transaction pooling) in front, then failover."""

from __future__ import annotations

import time
from datetime import date

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from geo.access import current_user, provision_app_login
from geo.accounts import open_session, save_account, sign_in
from geo.database import get_engine, psycopg_conninfo
from geo.replica import Router, promote, replica_lag, start_pgbouncer, start_standby, stop_pgbouncer, stop_standbys
from tests.geo.conftest import case_csv, drill_settings, prepared_primary, remove_cluster

LAG_BOUND_S = 5.0  # a standby on loopback replays an import in milliseconds; this bounds a slow machine


@pytest.fixture(scope="module")
def pair(boundary_source):
    """A private primary with the schema and boundaries, its app login, and one standby."""
    settings = drill_settings("test-replica-")
    try:
        owner_url = prepared_primary(settings, boundary_source)
        app_url = provision_app_login(owner_url, password_file=settings.state_dir / "pg-app.json")
        standby = start_standby(settings, small=True)
        yield settings, owner_url, app_url, standby
    finally:
        stop_pgbouncer(settings)
        stop_standbys(settings, remove=True)
        remove_cluster(settings)


def _standby_url(url: str, port: int) -> str:
    return make_url(url).set(port=port).render_as_string(hide_password=False)


def _visible_cases(conn) -> int:
    """Cases the connection's user sees, through the query the app's maps use."""
    from queries.counts import case_counts

    return int(case_counts(conn, level="province", start=date(2024, 1, 1), end=date(2024, 12, 31))["cases"].sum())


def test_an_import_on_the_primary_is_read_on_the_standby_within_a_bounded_lag_under_row_level_security(pair):
    from etl.importer import import_bytes

    settings, owner_url, app_url, standby = pair
    owner = get_engine(owner_url)
    with owner.begin() as conn:
        save_account(conn, username="rep-editor", role="editor", scope_kind="province", scope_code="01",
                     clearance="mat")
        save_account(conn, username="rep-hcm", role="viewer", scope_kind="province", scope_code="79",
                     clearance="toi_mat")
        save_account(conn, username="rep-local", role="viewer", scope_kind="province", scope_code="01",
                     clearance="mat", password="mot-mat-khau-dai")
        hcm = open_session(conn, "rep-hcm")
    primary = get_engine(app_url)
    replica = get_engine(_standby_url(app_url, standby.port))
    router = Router(primary, [replica], max_wait_ms=int(LAG_BOUND_S * 1000))

    # A session signed in on the primary works on the standby that serves the next page.
    session = sign_in(primary, "rep-local", "mot-mat-khau-dai")
    router.note_write(session.token)
    with router.read(session.token) as conn:
        assert current_user(conn).username == "rep-local"
        assert conn.execute(sa.text("SELECT pg_is_in_recovery()")).scalar_one() is True
    assert router.reads == {"standby": 1, "primary": 0}

    with owner.begin() as conn:
        editor = open_session(conn, "rep-editor")
    result = import_bytes(primary, case_csv("REP", 40), file_name="rep.csv", today=date(2026, 11, 24),
                          session_token=editor)
    assert result.rows_loaded == 40
    began = time.monotonic()
    router.note_write(editor)
    with router.read(editor) as conn:
        seen = _visible_cases(conn)
        on_standby = conn.execute(sa.text("SELECT pg_is_in_recovery()")).scalar_one()
    lag = time.monotonic() - began
    assert seen == 40 and on_standby and lag < LAG_BOUND_S
    # The same policies on the standby: a user of another province sees none of them, no token sees nothing.
    with router.read(hcm) as conn:
        assert current_user(conn).username == "rep-hcm" and _visible_cases(conn) == 0
    with router.read(None) as conn:
        assert _visible_cases(conn) == 0
    # A standby cannot take writes, whatever the role.
    with pytest.raises(sa.exc.DBAPIError, match="read-only"), replica.begin() as conn:
        conn.execute(sa.text("SELECT diaban_touch()"))
    lag_table = replica_lag(primary, [replica])
    assert lag_table["answers"].tolist() == [True] and lag_table["bytes_behind"].iloc[0] < 16 * 2**20


def test_pgbouncer_in_transaction_mode_keeps_each_users_scope_per_transaction(pair):
    settings, owner_url, app_url, standby = pair
    port = start_pgbouncer(app_url, settings, pool_size=2)
    name = settings.database_name
    through = make_url(app_url).set(port=port)
    primary = get_engine(through.render_as_string(hide_password=False), pool_size=6, max_overflow=0)
    replica = get_engine(through.set(database=f"{name}_ro1").render_as_string(hide_password=False),
                         pool_size=6, max_overflow=0)
    with get_engine(owner_url).begin() as conn:
        save_account(conn, username="rep-bouncer", role="viewer", scope_kind="province", scope_code="01",
                     clearance="mat")
        token = open_session(conn, "rep-bouncer")
    router = Router(primary, [replica])
    router.note_write(token)
    # Six client connections share two server connections: a token set in one transaction must not
    # be seen by the next transaction of another client on the same server connection.
    conns = [replica.connect() for _ in range(6)]
    try:
        for i, c in enumerate(conns):
            with c.begin():
                c.execute(sa.text("SELECT set_config('diaban.session', :t, true)"), {"t": token if i % 2 else ""})
                user = current_user(c)
                assert (user is not None) == bool(i % 2)
            with c.begin():
                assert current_user(c) is None
    finally:
        for c in conns:
            c.close()
    with router.read(token) as conn:
        assert current_user(conn).username == "rep-bouncer"
        assert conn.execute(sa.text("SELECT current_setting('jit')")).scalar_one() == "off"
    assert router.reads["standby"] == 1


def test_failover_drill_promotes_the_standby_which_then_takes_writes(pair):
    settings, owner_url, app_url, standby = pair
    stop_pgbouncer(settings)
    with psycopg.connect(psycopg_conninfo(owner_url), autocommit=True) as conn:
        conn.execute("CREATE TABLE failover_probe (n int)")
        conn.execute("INSERT INTO failover_probe VALUES (1)")
        written = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    standby_owner = psycopg_conninfo(_standby_url(owner_url, standby.port))
    deadline = time.monotonic() + LAG_BOUND_S
    with psycopg.connect(standby_owner, autocommit=True) as conn:
        while conn.execute("SELECT pg_last_wal_replay_lsn() < %s", [written]).fetchone()[0]:
            assert time.monotonic() < deadline, "the standby did not replay in time"
            time.sleep(0.02)
    from geo.embedded import stop_cluster

    stop_cluster(settings)  # the primary's disk dies
    promote(standby, settings)
    with psycopg.connect(standby_owner, autocommit=True) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0] is False
        conn.execute("INSERT INTO failover_probe VALUES (2)")
        assert conn.execute("SELECT count(*) FROM failover_probe").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM case_record").fetchone()[0] == 40
