"""Test fixtures: a fresh PostGIS database per session, with the real boundaries loaded once.

The database lives on the embedded cluster (or the server of ``DATABASE_URL``) and is dropped
at the end. A missing database is a failure, never a skip.
"""

from __future__ import annotations

import os
import secrets

import pytest
import sqlalchemy as sa

from boundaries.load import LoadReport, load_boundaries
from geo.database import create_database, database_url, drop_database, get_engine, migrate


@pytest.fixture(scope="session")
def server_url() -> str:
    return database_url()


@pytest.fixture(scope="session")
def db_url(server_url: str):
    name = f"diaban_test_{os.getpid()}_{secrets.token_hex(3)}"
    url = create_database(server_url, name)
    migrate(url)
    yield url
    get_engine(url).dispose()
    drop_database(server_url, name)


@pytest.fixture(scope="session")
def engine(db_url: str) -> sa.Engine:
    return get_engine(db_url)


@pytest.fixture(scope="session")
def boundaries_loaded(engine: sa.Engine, tmp_path_factory) -> LoadReport:
    """Load the real boundary files once per session, repairing from scratch (empty cache)."""
    report = load_boundaries(engine, cache_dir=tmp_path_factory.mktemp("cache"),
                             reports_dir=tmp_path_factory.mktemp("reports"), show_progress=False)
    assert not report.skipped
    return report


@pytest.fixture()
def conn(engine: sa.Engine, boundaries_loaded: LoadReport):
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def table_counts(engine: sa.Engine) -> dict[str, int]:
    """Row counts of the boundary tables, to prove a failed load changed nothing."""
    with engine.connect() as c:
        return {t: c.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("admin_unit", "unit_lineage", "load_log")}


@pytest.fixture(scope="session")
def demo_loaded(engine: sa.Engine, boundaries_loaded: LoadReport, tmp_path_factory):
    """The default demo data (scale 1, fixed 'today'): the planted patterns need its volume."""
    from datetime import date

    from etl.demo import generate_demo

    return generate_demo(engine, seed=11, scale=1.0, today=date(2026, 11, 24),
                         truth_dir=tmp_path_factory.mktemp("truth"))
