"""The embedded PostGIS default: reuse, stale pid files, stop, and staying out of the way."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

from geo.database import database_url, psycopg_conninfo
from geo.embedded import cluster_running, start_cluster, stop_cluster
from geo.settings import PROJECT_ROOT, Settings


@pytest.fixture()
def private_settings():
    """Settings with a cluster of its own (under the project, where the server user can reach it)."""
    root = PROJECT_ROOT / ".diaban"
    root.mkdir(exist_ok=True)
    state = Path(tempfile.mkdtemp(prefix="test-cluster-", dir=root))
    state.chmod(0o755)
    settings = Settings(state_dir=state, database_url=None, database_name="diaban_probe")
    yield settings
    stop_cluster(settings)
    shutil.rmtree(state, ignore_errors=True)


def _postgis_version(info, database: str) -> str:
    with psycopg.connect(psycopg_conninfo(info.url(database))) as conn:
        return conn.execute("SELECT postgis_version()").fetchone()[0]


def test_start_twice_reuses_the_cluster_then_stop_stops_it(private_settings):
    first = start_cluster(private_settings)
    second = start_cluster(private_settings)
    assert first.port == second.port and first.password == second.password
    assert _postgis_version(first, "diaban_probe")
    assert cluster_running(private_settings)
    assert stop_cluster(private_settings) is True
    assert not cluster_running(private_settings)
    assert stop_cluster(private_settings) is False


def test_stale_pid_file_after_a_crash_is_handled(private_settings):
    info = start_cluster(private_settings)
    stop_cluster(private_settings)
    pid_file = info.data_dir / "postmaster.pid"
    pid_file.write_text("999999\n" + str(info.data_dir) + "\n")  # a pid that is not running
    again = start_cluster(private_settings)
    assert cluster_running(private_settings)
    assert _postgis_version(again, "diaban_probe")


def test_with_database_url_set_nothing_is_started(tmp_path):
    settings = Settings(state_dir=tmp_path / "state", database_url="postgresql://someone:pw@db.example:5432/x")
    assert database_url(settings) == "postgresql+psycopg://someone:pw@db.example:5432/x"
    assert not (tmp_path / "state").exists()
