"""Bring a database from nothing to ready: server, schema, boundaries (and demo data when empty).

This is what the README's run command does before starting the app; every step is a no-op
when already done, so it is safe to run at every start.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

import sqlalchemy as sa

from boundaries.load import load_boundaries
from etl.demo import generate_demo
from geo.database import database_url, get_engine, migrate
from geo.settings import Settings, get_settings

log = logging.getLogger(__name__)


def prepare_database(settings: Settings | None = None, *, show_progress: bool = True) -> Engine:
    """Start or reach the database, migrate it, load boundaries if needed; return its engine."""
    settings = settings or get_settings()
    url = database_url(settings)
    migrate(url)
    engine = get_engine(url)
    load_boundaries(engine, data_dir=settings.data_dir, cache_dir=settings.cache_dir,
                    reports_dir=settings.reports_dir, show_progress=show_progress)
    with engine.connect() as conn:
        empty = conn.execute(sa.text("SELECT NOT EXISTS (SELECT 1 FROM case_record)")).scalar_one()
    if empty and settings.demo_scale > 0:
        log.info("Cơ sở dữ liệu chưa có hồ sơ: tạo dữ liệu mẫu (scale %s) / loading demo data", settings.demo_scale)
        generate_demo(engine, scale=settings.demo_scale, truth_dir=settings.reports_dir, show_progress=show_progress)
    return engine
