"""Latency of the area queries and time of the analytics on demo data of a chosen size.

Run: ``.venv/bin/python bench/bench_queries.py --scale 5`` (≈ 1 M cases) and
``--scale 5 --copies 10`` (≈ 10 M: the 1 M demo cases and 9 copies of each with new ids, written
in H3 order by ``bench/build_big.py``; generating 10 M distinct demo rows in pandas would need more
memory than the bench is worth). Uses a scratch database on the configured server and drops it afterwards;
``--database NAME`` runs the queries on an existing database instead.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from bench.build_big import replicate_cases
from bench.scratch import scratch_database
from boundaries.load import load_boundaries
from boundaries.store import read_units
from etl.demo import generate_demo
from geo.database import database_url, get_engine, url_for_database
from geo.settings import get_settings
from queries.emerging import commune_series, emerging_hotspots
from queries.hotspots import find_hotspots, unit_graph
from queries.lagging import rank_lagging_units
from queries.rates import unit_indicators
from queries.signals import lag_signals
from queries.spatial import radius_counts, records_in_polygon, records_in_unit, records_within_radius
from queries.warnings import early_warnings

CITIES = [(105.8523, 21.0287), (106.6980, 10.7725), (108.2200, 16.0544), (105.7850, 10.0340), (106.6880, 20.8650)]


def _timed(fn, repeats: int) -> tuple[float, float]:
    times = []
    for i in range(repeats):
        t = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--copies", type=int, default=1, help="total copies of each demo case (10 → ≈ 10 M)")
    parser.add_argument("--database", help="run on this existing database; generate nothing")
    args = parser.parse_args()
    if args.database:
        run(get_engine(url_for_database(database_url(), args.database)), args)
        return
    with scratch_database() as engine:
        load_boundaries(engine, cache_dir=get_settings().cache_dir, reports_dir=Path(tempfile.gettempdir()),
                        show_progress=False)
        t = time.perf_counter()
        demo = generate_demo(engine, scale=args.scale, today=date(2026, 11, 24))
        print(f"demo data, scale {args.scale}: {demo.counts['case']:,} cases in {time.perf_counter() - t:.0f} s")
        if args.copies > 1:
            t = time.perf_counter()
            replicate_cases(engine, args.copies)
            print(f"copied to {args.copies}× in {time.perf_counter() - t:.0f} s")
        run(engine, args)


def run(engine, args) -> None:
    """Time the queries and analytics on whatever the database holds."""
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM case_record")).scalar_one()
        print(f"cases in the database: {total:,}")
        rng = np.random.default_rng(0)
        jitter = rng.normal(0, 0.02, (args.repeats, 2))
        where = lambda i: (CITIES[i % 5][0] + jitter[i, 0], CITIES[i % 5][1] + jitter[i, 1])  # noqa: E731
        for radius in (2_000, 10_000):
            found = [radius_counts(conn, *where(i), radius_m=radius)["cases"].sum() for i in range(args.repeats)]
            print(f"radius {radius / 1000:.0f} km: {np.median(found):,.0f} records inside (median)")
            p50, p95 = _timed(lambda i: radius_counts(conn, *where(i), radius_m=radius), args.repeats)
            print(f"  counts by kind only:        p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
            p50, p95 = _timed(lambda i: records_within_radius(conn, *where(i), radius_m=radius, limit=500),
                              args.repeats)
            print(f"  500 nearest + counts:       p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
            p50, p95 = _timed(lambda i: records_within_radius(conn, *where(i), radius_m=radius), args.repeats)
            print(f"  10,000 nearest + counts:    p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        square = lambda i: {"type": "Polygon", "coordinates": [[  # noqa: E731
            [CITIES[i % 5][0] - 0.05, CITIES[i % 5][1] - 0.05], [CITIES[i % 5][0] + 0.05, CITIES[i % 5][1] - 0.05],
            [CITIES[i % 5][0] + 0.05, CITIES[i % 5][1] + 0.05], [CITIES[i % 5][0] - 0.05, CITIES[i % 5][1] + 0.05],
            [CITIES[i % 5][0] - 0.05, CITIES[i % 5][1] - 0.05]]]}
        p50, p95 = _timed(lambda i: records_in_polygon(conn, square(i)), args.repeats)
        print(f"polygon ~11 km square: p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        codes = ["00070", "26743", "20275", "31135", "00004"]
        p50, p95 = _timed(lambda i: records_in_unit(conn, level="commune", code=codes[i % 5]), args.repeats)
        print(f"boundary (commune): p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        units = read_units(conn, level="commune")
        t = time.perf_counter()
        graph = unit_graph(units)
        print(f"queen graph of 3,321 communes: {time.perf_counter() - t:.2f} s (once, cached by the app)")
        t = time.perf_counter()
        indicators = unit_indicators(conn, level="commune", start=date(2021, 1, 1), end=date(2026, 11, 24))
        print(f"indicators per commune: {time.perf_counter() - t:.2f} s")
        values = indicators.set_index("code")["violations"]
        find_hotspots(values, graph, seed=0)
        t = time.perf_counter()
        find_hotspots(values, graph, seed=1)
        print(f"Gi* 999 permutations, 3,321 communes (warm): {time.perf_counter() - t:.2f} s")
        series = commune_series(conn, units["code"], start=date(2021, 1, 1), end=date(2025, 12, 31))
        t = time.perf_counter()
        emerging_hotspots(series, graph, permutations=199, seed=0)
        print(f"emerging hotspots, 5 yearly slices, 199 permutations: {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        rank_lagging_units(conn, year=2026, as_of=date(2026, 11, 24))
        print(f"lagging units (communes): {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        lag_signals(conn, as_of=date(2026, 11, 24))
        print(f"all lag signals (communes): {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        early_warnings(conn, as_of=date(2026, 11, 24))
        print(f"early warnings (28-day window): {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
