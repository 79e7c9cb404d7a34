"""Private clusters for the replication and recovery drills: a cluster of their own, with the schema
migrated and the session's boundaries copied in (COPY, a few seconds), removed afterwards."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from geo.database import get_engine, migrate, psycopg_conninfo
from geo.settings import PROJECT_ROOT, Settings

BOUNDARY_TABLES = ("load_log", "admin_unit", "unit_lineage", "regional_department", "regional_department_province")


def drill_settings(prefix: str, **overrides) -> Settings:
    """Settings of a state folder of its own under ``.diaban`` (where the server's OS user can reach it)."""
    root = PROJECT_ROOT / ".diaban"
    root.mkdir(exist_ok=True)
    state = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    state.chmod(0o755)
    return Settings(state_dir=state, database_url=None, database_name="diaban_drill", **overrides)


def copy_boundaries(source: sa.Engine, target_url: str) -> None:
    """Copy the boundary tables of ``source`` (loaded) into the migrated, empty database of ``target_url``."""
    src = psycopg_conninfo(source.url.render_as_string(hide_password=False))
    with psycopg.connect(src) as s, psycopg.connect(psycopg_conninfo(target_url)) as t:
        for table in BOUNDARY_TABLES:
            if t.execute(f"SELECT EXISTS (SELECT FROM {table})").fetchone()[0]:
                continue
            columns = [r[0] for r in s.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND table_schema = 'public'"
                " AND is_generated = 'NEVER' ORDER BY ordinal_position", [table])]
            listed = ", ".join(columns)
            with s.cursor().copy(f"COPY {table} ({listed}) TO STDOUT (FORMAT binary)") as out, \
                    t.cursor().copy(f"COPY {table} ({listed}) FROM STDIN (FORMAT binary)") as into:
                for block in out:
                    into.write(block)
        t.commit()


def prepared_primary(settings: Settings, source: sa.Engine) -> str:
    """Start the private cluster of ``settings``, migrate it, copy the boundaries in; return the owner URL."""
    from geo.embedded import start_cluster

    url = start_cluster(settings).url(settings.database_name)
    migrate(url)
    copy_boundaries(source, url)
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("UPDATE access_config SET bcrypt_cost = 4"))  # fast hashes for tests
    return url


def remove_cluster(settings: Settings) -> None:
    from geo.embedded import stop_cluster

    stop_cluster(settings)
    shutil.rmtree(settings.state_dir, ignore_errors=True)


HEADER = "ma,loai,cap,doi_tuong,ngay,trang_thai,ma_xa,do_mat\n"


def case_csv(prefix: str, n: int, *, commune: str = "00070") -> bytes:
    """``n`` valid case rows in one commune (Hà Nội's 00070 by default)."""
    body = "".join(f"{prefix}-{i},KT_DHVP,tinh,to_chuc,2024-05-{1 + i % 28:02d},dong,{commune},thuong\n"
                   for i in range(n))
    return (HEADER + body).encode()


@pytest.fixture(scope="module")
def boundary_source(request) -> sa.Engine:
    """An engine on a database with the boundaries loaded (the session's test database)."""
    request.getfixturevalue("boundaries_loaded")
    return request.getfixturevalue("engine")
