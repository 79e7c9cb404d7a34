"""Bring a database from nothing to ready: server, schema, boundaries (and demo data when empty).

This is what the README's run command does before starting the app; every step is a no-op
when already done, so it is safe to run at every start.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from boundaries.load import load_boundaries
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
    return engine
