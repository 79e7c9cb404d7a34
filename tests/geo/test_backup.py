"""Point-in-time recovery drill: archive the WAL, take a base backup, import, note the time, import
more, restore to the noted time into a separate data folder on another port, compare counts and checksums."""

from __future__ import annotations

import time
from datetime import date

import psycopg
import pytest
import sqlalchemy as sa

from geo.backup import base_backup, list_backups, restore, stop_restored, wait_archived
from geo.database import get_engine
from geo.embedded import archive_dir
from tests.geo.conftest import case_csv, drill_settings, prepared_primary, remove_cluster

_STATE = """SELECT count(*) AS n, md5(coalesce(string_agg(source_id || ':' || content_hash, ',' ORDER BY source_id), ''))
            FROM case_record"""


@pytest.fixture()
def archived(boundary_source):
    settings = drill_settings("test-pitr-")
    settings = settings.model_copy(update={"wal_archive_dir": settings.state_dir / "wal"})
    try:
        yield settings, prepared_primary(settings, boundary_source)
    finally:
        remove_cluster(settings)


def test_restore_to_a_noted_time_brings_back_exactly_the_rows_committed_before_it(archived):
    from etl.importer import import_bytes

    settings, owner_url = archived
    owner = get_engine(owner_url)
    backup = base_backup(settings, keep=1)
    assert list_backups(settings) == [backup] and archive_dir(settings) == settings.state_dir / "wal"
    first = import_bytes(owner, case_csv("PITR-A", 30), file_name="a.csv", today=date(2026, 11, 24))
    with owner.connect() as conn:
        noted_state = tuple(conn.execute(sa.text(_STATE)).one())
        noted = conn.execute(sa.text("SELECT clock_timestamp()")).scalar_one()
    time.sleep(0.3)  # the next commit is strictly after the noted time
    second = import_bytes(owner, case_csv("PITR-B", 20, commune="26743"), file_name="b.csv", today=date(2026, 11, 24))
    assert (first.rows_loaded, second.rows_loaded) == (30, 20)
    with owner.connect() as conn:
        now_state = tuple(conn.execute(sa.text(_STATE)).one())
    assert now_state[0] == 50
    wait_archived(settings)
    restored = restore(noted, settings, small=True)
    try:
        with psycopg.connect(host="127.0.0.1", port=restored.port, user=restored.user, password=restored.password,
                             dbname=settings.database_name) as conn:
            state = conn.execute(_STATE).fetchone()
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0] is False
        assert tuple(state) == noted_state and noted_state[0] == 30 and state != now_state
        assert restored.port != get_engine(owner_url).url.port
    finally:
        stop_restored(restored, remove=True)
