"""A scratch database for a benchmark: created on the configured server, dropped afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from geo.database import create_database, database_url, drop_database, get_engine, migrate


@contextmanager
def scratch_database() -> Iterator:
    """Yield the engine of a fresh, migrated database; drop it when the block ends."""
    server = database_url()
    name = f"diaban_bench_{secrets.token_hex(3)}"
    url = create_database(server, name)
    try:
        migrate(url)
        yield get_engine(url)
    finally:
        get_engine(url).dispose()
        drop_database(server, name)
