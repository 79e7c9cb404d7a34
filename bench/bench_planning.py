"""Time of the merger indicator tables, the before/after view of a province and rebalancing.

Run: ``.venv/bin/python bench/bench_planning.py --scale 1``. Uses a scratch database on the
configured server and drops it afterwards.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from bench.scratch import scratch_database
from boundaries.load import load_boundaries
from etl.demo import generate_demo
from geo.settings import get_settings
from queries.mergers import before_after, indicators_as_of, reattribution_summary, records_in_old_unit
from queries.rebalance import rebalance_province

TODAY = date(2026, 11, 24)


def _timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label:<58} {time.perf_counter() - t:6.2f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    with scratch_database() as engine:
        load_boundaries(engine, cache_dir=get_settings().cache_dir, reports_dir=Path(tempfile.gettempdir()),
                        show_progress=False)
        demo = generate_demo(engine, scale=args.scale, today=TODAY)
        print(f"demo data, scale {args.scale}: {demo.counts['case']:,} cases")
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE case_record"))
            period = {"start": date(2021, 1, 1), "end": TODAY}
            for edition, level in (("2025", "province"), ("2025", "commune"), ("pre2025", "province"),
                                   ("pre2025", "district"), ("pre2025", "commune")):
                _timed(f"indicators as of {edition}, {level}",
                       lambda: indicators_as_of(conn, edition=edition, level=level, **period))
                if edition == "pre2025" and level != "commune":  # commune areas per old unit are cached
                    _timed("  again, another period (area shares cached)",
                           lambda: indicators_as_of(conn, edition=edition, level=level,
                                                    start=date(2024, 1, 1), end=TODAY))
            _timed("records in old province 01 (old Hà Nội)",
                   lambda: records_in_old_unit(conn, level="province", code="01"))
            _timed("re-attribution summary, all 3,321 communes", lambda: reattribution_summary(conn))
            province = conn.execute(sa.text(
                "SELECT parent_code FROM admin_unit WHERE level = 'commune' AND valid_to IS NULL"
                " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")).scalar_one()
            table = _timed(f"before/after, all communes of province {province}",
                           lambda: before_after(conn, province_code=province, as_of=TODAY))
            for k in (5, 10):
                result = _timed(f"rebalance province {province} ({len(table)} communes), k = {k}",
                                lambda: rebalance_province(conn, province_code=province, k=k, measure="cases",
                                                           start=date(2025, 7, 1), end=TODAY))
                print(f"    max/mean {result.before.max_mean:.3f} -> {result.after.max_mean:.3f}, "
                      f"CV {result.before.cv:.3f} -> {result.after.cv:.3f}, "
                      f"non-contiguous groups after: {len(result.after.warnings)}")


if __name__ == "__main__":
    main()
