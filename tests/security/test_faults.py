"""Faults, tried against the real PostGIS: the server restarted under the app, connections killed,
two overlapping imports at once, a full backup and restore. (An import killed halfway is
tests/etl/test_import.py::test_import_killed_halfway_leaves_nothing.)"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from etl.importer import import_bytes
from geo.access import DatabaseUnavailableError, scoped_connection
from geo.accounts import open_session
from geo.database import drop_database, get_engine, psycopg_conninfo, url_for_database
from geo.settings import get_settings
from tests.security.conftest import REPORT

TODAY = date(2026, 11, 24)


def _cases(token: str, engine) -> int:
    with scoped_connection(engine, token) as conn:
        return conn.execute(sa.text("SELECT count(*) FROM case_record")).scalar_one()


def test_a_killed_connection_surfaces_as_a_sentence_and_the_next_query_reconnects(app_engine, engine, users, demo_loaded):
    token = users.token(kind="province", code="01", clearance="mat")
    before = _cases(token, app_engine)
    killed = threading.Event()

    def kill_app_backends():
        with engine.connect() as owner:
            for _ in range(100):
                done = owner.execute(sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE usename = 'diaban_app' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()")).scalar_one()
                owner.rollback()
                if done:
                    killed.set()
                    return
                threading.Event().wait(0.05)

    thread = threading.Thread(target=kill_app_backends)
    thread.start()
    with pytest.raises(DatabaseUnavailableError, match="reconnects by itself"):
        with scoped_connection(app_engine, token) as conn:
            conn.execute(sa.text("SELECT pg_sleep(20)"))
    thread.join()
    assert killed.is_set()
    assert _cases(token, app_engine) == before  # the pool replaced the dead connection


@pytest.mark.skipif(bool(get_settings().database_url), reason="restarts only the embedded cluster this project runs")
def test_the_app_reconnects_after_the_database_server_restarts(app_engine, users, demo_loaded):
    from geo.embedded import start_cluster, stop_cluster

    token = users.token(kind="regional", code="VIII", clearance="toi_mat")
    before = _cases(token, app_engine)
    assert stop_cluster()
    try:
        with pytest.raises(DatabaseUnavailableError, match="Mất kết nối"):
            _cases(token, app_engine)
    finally:
        start_cluster()
    assert _cases(token, app_engine) == before
    REPORT.setdefault("faults", {})["server restarted, rows seen after"] = before


def _csv(ids: range) -> bytes:
    frame = pd.DataFrame({"ma": [f"OVL-{i}" for i in ids], "loai": "KT_DHVP", "cap": "tinh", "doi_tuong": "to_chuc",
                          "ngay": "2024-05-01", "trang_thai": "dong", "ma_xa": "00070"})
    frame.loc[frame.index % 97 == 0, "ma_xa"] = "99999"  # some bad rows in both files
    return frame.to_csv(index=False).encode()


def test_two_overlapping_imports_at_once_leave_no_duplicates_and_account_for_every_row(engine, boundaries_loaded):
    files = {"a.csv": _csv(range(0, 4000)), "b.csv": _csv(range(2000, 6000))}
    start = threading.Barrier(2)

    def run(name: str):
        start.wait()
        return import_bytes(engine, files[name], file_name=name, today=TODAY)

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(run, files)
    with engine.connect() as c:
        stored = c.execute(sa.text("SELECT count(*), count(DISTINCT source_id) FROM case_record"
                                   " WHERE source_id LIKE 'OVL-%'")).one()
        batches = c.execute(sa.text("SELECT rows_in, rows_loaded, rows_quarantined, rows_inserted, rows_unchanged"
                                    " FROM import_batch WHERE id IN (:a, :b) ORDER BY id"),
                            {"a": a.batch_id, "b": b.batch_id}).all()
    good = [{f"OVL-{i}" for k, i in enumerate(ids) if k % 97} for ids in (range(0, 4000), range(2000, 6000))]
    assert tuple(stored) == (len(good[0] | good[1]),) * 2  # no duplicates, nothing lost
    for result in (a, b):
        assert result.rows_in == 4000 == result.rows_loaded + result.rows_quarantined
    assert a.inserted + b.inserted == len(good[0] | good[1])  # each new record counted once, by whoever came first
    assert (a.unchanged + b.unchanged, a.updated + b.updated) == (len(good[0] & good[1]), 0)
    assert sorted(tuple(r)[:3] for r in batches) == sorted((r.rows_in, r.rows_loaded, r.rows_quarantined) for r in (a, b))
    REPORT.setdefault("faults", {})["overlapping imports: rows in / distinct records"] = f"8,000 / {stored[1]:,}"


def _pg_tool(name: str) -> str:
    from geo.embedded import _find_bin_dir

    bin_dir = _find_bin_dir()
    path = (bin_dir / name) if bin_dir else shutil.which(name)
    assert path and Path(path).exists(), f"{name} is needed for the backup test"
    return str(path)


_FINGERPRINT = {
    "counts": """SELECT c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', c.relname),
                 false, true, '')))[1]::text::bigint FROM pg_class c WHERE c.relkind = 'r'
                 AND c.relnamespace = 'public'::regnamespace AND c.relname <> 'spatial_ref_sys' ORDER BY 1""",
    "geometry": """SELECT 'admin_unit', md5(string_agg(md5(ST_AsEWKB(geom)::text), '' ORDER BY id)) FROM admin_unit
                   UNION ALL SELECT 'case_record', md5(string_agg(md5(coalesce(ST_AsEWKB(geom)::text, '')), ''
                   ORDER BY id)) FROM case_record""",
    "policies": "SELECT tablename, policyname, cmd, roles::text, qual FROM pg_policies ORDER BY 1, 2",
    "rls": """SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
              WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1""",
    "grants": """SELECT table_name, privilege_type FROM information_schema.role_table_grants
                 WHERE grantee = 'diaban_app' ORDER BY 1, 2""",
    "functions": """SELECT p.proname, p.prosecdef, pg_get_function_identity_arguments(p.oid) FROM pg_proc p
                    WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'diaban%' ORDER BY 1""",
}


def _fingerprint(url: str) -> dict:
    with get_engine(url).connect() as c:
        return {k: [tuple(r) for r in c.execute(sa.text(q)).all()] for k, q in _FINGERPRINT.items()}


def test_a_full_backup_restores_every_row_geometry_and_policy(engine, db_url, server_url, app_url, users, demo_loaded,
                                                              tmp_path):
    users.token(kind="province", code="01", clearance="mat")  # some accounts and sessions in the dump
    dump = tmp_path / "diaban.dump"
    env = {**os.environ, "PGPASSWORD": make_url(db_url).password or ""}
    u = make_url(db_url)
    common = ["-h", u.host, "-p", str(u.port), "-U", u.username]
    subprocess.run([_pg_tool("pg_dump"), "-Fc", *common, "-d", u.database, "-f", str(dump)], env=env, check=True,
                   capture_output=True)
    name = f"diaban_restore_{secrets.token_hex(3)}"
    restored_url = url_for_database(db_url, name)
    import psycopg

    with psycopg.connect(psycopg_conninfo(url_for_database(db_url, "postgres")), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        done = subprocess.run([_pg_tool("pg_restore"), *common, "-d", name, "--exit-on-error", str(dump)], env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        original, restored = _fingerprint(db_url), _fingerprint(restored_url)
        for part in _FINGERPRINT:
            assert restored[part] == original[part], part
        counts = dict(original["counts"])
        assert counts["case_record"] > 100_000 and counts["admin_unit"] > 3_000 and len(original["policies"]) >= 8
        # The restored database enforces the same scopes for the app role.
        with get_engine(restored_url).begin() as owner:
            token = open_session(owner, "t-viewer-province-01-mat")
        restored_app = get_engine(url_for_database(app_url, name))
        with engine.begin() as owner:
            original_token = open_session(owner, "t-viewer-province-01-mat")
        assert _cases(token, restored_app) == _cases(original_token, get_engine(app_url)) > 0
        assert _cases(None, restored_app) == 0
        REPORT.setdefault("faults", {})["backup/restore: tables, rows, policies equal"] = (
            f"{len(counts)} tables, {sum(counts.values()):,} rows, {len(original['policies'])} policies")
    finally:
        get_engine(restored_url).dispose()
        get_engine(url_for_database(app_url, name)).dispose()
        drop_database(db_url, name)
