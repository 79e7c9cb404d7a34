"""Build the 10 M bench data: copies of every demo case with new source ids, in H3 order.

Called by ``bench/bench_queries.py --copies N``. One ``INSERT … SELECT`` of 9 M rows into a
table with six indexes (a GiST on geography among them) keeps every index up to date row by
row, sorts the 9 M rows in one go and runs as one transaction for most of an hour on 2 cores;
here the secondary indexes are dropped, each copy is written in its own transaction (in H3
order, like an import), and the indexes are built again once at the end, which PostgreSQL
does by sorting — several times faster. Whatever other indexes the schema has (a later
migration's) are rebuilt the same way, from their own definitions.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

TABLE = "case_record"


def _say(message: str, began: float) -> None:
    print(f"  [{time.perf_counter() - began:6.0f} s] {message}", flush=True)


def replicate_cases(engine: Engine, copies: int, *, table: str = TABLE) -> int:
    """Add ``copies - 1`` copies of every row of ``table`` with new source ids; return the rows now in it."""
    if copies < 2:
        raise ValueError("`copies` must be at least 2.")
    began = time.perf_counter()
    with engine.begin() as conn:
        columns = [r[0] for r in conn.execute(sa.text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
            " AND table_name = :t AND column_name NOT IN ('id', 'source_id') AND is_generated = 'NEVER'"
            " ORDER BY ordinal_position"), {"t": table})]
        # Secondary indexes and unique constraints, to drop now and build again at the end.
        constraints = conn.execute(sa.text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = CAST(:t AS regclass) AND contype = 'u'"), {"t": table}).all()
        owned = {name for name, _ in constraints}
        indexes = [r for r in conn.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = :t"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass)"
            " AND contype = 'p')"), {"t": table}) if r[0] not in owned]
        for name, _ in constraints:
            conn.execute(sa.text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for name, _ in indexes:
            conn.execute(sa.text(f'DROP INDEX "{name}"'))
        original = conn.execute(sa.text(f"SELECT max(id) FROM {table}")).scalar_one()
    _say(f"dropped {len(indexes)} indexes and {len(constraints)} unique constraints", began)
    listed = ", ".join(columns)
    for k in range(1, copies):
        with engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
            conn.execute(sa.text(
                f"INSERT INTO {table} (source_id, {listed}) SELECT 'X' || :k || '-' || source_id, {listed}"
                f" FROM {table} WHERE id <= :original ORDER BY h3_9"), {"k": k, "original": original})
        _say(f"copy {k + 1} of {copies} written", began)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("SET maintenance_work_mem = '1GB'"))
        conn.execute(sa.text("SET max_parallel_maintenance_workers = 2"))
        for name, definition in constraints:
            conn.execute(sa.text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
            _say(f"constraint {name} built", began)
        for name, definition in indexes:
            conn.execute(sa.text(definition))
            _say(f"index {name} built", began)
        conn.execute(sa.text(f"VACUUM ANALYZE {table}"))
        total = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    _say(f"vacuumed and analysed: {total:,} rows", began)
    return total
