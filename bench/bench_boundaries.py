"""Time the boundary load (from scratch, no cache) and the point lookup; print the figures.

Run: ``.venv/bin/python bench/bench_boundaries.py`` (uses a scratch database on the configured
server and drops it afterwards).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from bench.scratch import scratch_database
from boundaries.load import load_boundaries
from queries.lookup import unit_at


def main() -> None:
    with scratch_database() as engine, tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = load_boundaries(engine, cache_dir=Path(tmp), reports_dir=Path(tmp), show_progress=False)
        t1 = time.perf_counter()
        load_boundaries(engine, cache_dir=Path(tmp), reports_dir=Path(tmp), force=True, show_progress=False)
        t2 = time.perf_counter()
        print(f"boundary load from scratch:          {t1 - t0:6.1f} s")
        print(f"forced reload (repair cached):       {t2 - t1:6.1f} s")
        b, a = report.coverage_before, report.coverage_after
        print(f"overlap before/after:                {b.overlap_km2:.2f} / {a.overlap_km2:.4f} km²")
        print(f"holes < 0.5 km² before/after:        {b.small_holes:,} / {a.small_holes:,}")
        rng = np.random.default_rng(1)
        lons, lats = rng.uniform(102.2, 109.4, 500), rng.uniform(8.6, 23.3, 500)
        times = []
        with engine.connect() as conn:
            for lon, lat in zip(lons, lats):
                s = time.perf_counter()
                unit_at(conn, lon, lat)
                times.append((time.perf_counter() - s) * 1000)
        print(f"unit_at, 500 random points in the national bbox: p50 {np.percentile(times, 50):.1f} ms,"
              f" p95 {np.percentile(times, 95):.1f} ms")


if __name__ == "__main__":
    main()
