"""Load test: concurrent simulated users on the app role, through the functions the app calls.

Each user is signed in (a session of an account of some scope and clearance) and, for a bounded
time, repeats a mix of what the pages do: area queries (radius, drawn polygon, unit; each
audited with its geometry), map data (counts per unit, H3 heat counts) and exports (records of
a unit, audited with the row count). Reads run as the app runs them: through
``geo.replica.Router`` (on a hot standby that has replayed the user's sign-in, else on the
primary); audit rows are written on the primary. Loopback only; at most 200 users for at most
300 s. Prints throughput, p50/p95 latency per kind and overall, errors, and where reads ran.

Run: ``.venv/bin/python bench/bench_load.py [--users 100] [--seconds 30] [--replica]`` on the
prepared database (``python -m etl prepare`` first, which loads the demo data); ``--replica``
starts a hot standby and PgBouncer first (``bash run.sh replica``) and reads from the standby.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import defaultdict
from datetime import date

import numpy as np
import sqlalchemy as sa

from geo.access import app_engine, current_user, scoped_connection
from geo.accounts import open_session, save_account
from geo.audit import record_event
from geo.replica import Router, router
from queries.counts import case_counts
from queries.heatmap import heat_counts
from queries.spatial import (
    Filters,
    polygon_from_geojson,
    records_in_polygon,
    records_in_unit,
    records_within_radius,
)

CITIES = [(105.8523, 21.0287), (106.6980, 10.7725), (108.2200, 16.0544), (105.7850, 10.0340), (106.6880, 20.8650)]
SCOPES = [("central", None), ("regional", "VIII"), ("regional", "II"), ("province", "01"), ("province", "79"),
          ("province", "48"), ("commune", "00070"), ("commune", "26743")]
CLEARANCES = ("thuong", "mat", "toi_mat")
YEAR = (date(2026, 1, 1), date(2026, 11, 24))


def _radius(conn, rng):
    lon, lat = CITIES[rng.randrange(5)]
    lon, lat, radius = lon + rng.gauss(0, 0.02), lat + rng.gauss(0, 0.02), rng.choice((2_000, 10_000))
    result = records_within_radius(conn, lon, lat, radius_m=radius, filters=Filters(start=YEAR[0], end=YEAR[1]))
    return "area_query", {"details": {"kind": "radius", "radius_m": radius}, "rows": len(result.records),
                          "geometry": f"POINT({lon} {lat})"}


def _polygon(conn, rng):
    lon, lat = CITIES[rng.randrange(5)]
    h = rng.uniform(0.01, 0.06)
    square = {"type": "Polygon", "coordinates": [[[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h],
                                                  [lon - h, lat + h], [lon - h, lat - h]]]}
    result = records_in_polygon(conn, square)
    return "area_query", {"details": {"kind": "polygon"}, "rows": len(result.records),
                          "geometry": polygon_from_geojson(square)}


def _unit(conn, rng):
    code = rng.choice(("00070", "26743", "20275", "31135", "00004"))
    result = records_in_unit(conn, level="commune", code=code)
    return "area_query", {"details": {"kind": "unit", "code": code}, "rows": len(result.records)}


def _map_counts(conn, rng):
    province = rng.choice((None, "01", "79", "48"))
    case_counts(conn, level="commune" if province else "province", start=YEAR[0], end=YEAR[1], province_code=province)


def _heat(conn, rng):
    heat_counts(conn, resolution=rng.choice((6, 7, 8)), start=YEAR[0], end=YEAR[1])


def _export(conn, rng):
    code = rng.choice(("01", "79", "48", "92"))
    result = records_in_unit(conn, level="province", code=code, filters=Filters(start=YEAR[0], end=YEAR[1]))
    payload = result.records.drop(columns="geometry").to_csv(index=False).encode("utf-8-sig")
    return "export", {"details": {"what": "records_in_unit", "code": code, "bytes": len(payload)},
                      "rows": len(result.records)}


MIX = [(_radius, 3), (_polygon, 2), (_unit, 2), (_map_counts, 3), (_heat, 2), (_export, 1)]


def _tokens(owner, engine, n: int) -> list[str]:
    tokens = []
    with owner.begin() as conn:
        for i in range(n):
            kind, code = SCOPES[i % len(SCOPES)]
            name = f"bench-{i:02d}"
            save_account(conn, username=name, role="viewer", scope_kind=kind, scope_code=code,
                         clearance=CLEARANCES[i % 3], display_name="load test", disabled=False)
            tokens.append(open_session(conn, name))
    for token in tokens:  # every simulated user must really be signed in, or the figures mean nothing
        with scoped_connection(engine, token) as conn:
            assert current_user(conn) is not None
    return tokens


def _compare(owner, engine, central_token: str, *, repeats: int) -> None:
    """What row-level security costs: each call alone, as the owner (no policies) and as a central user."""
    print(f"one call at a time, p50 of {repeats}: owner (no policies) vs central user (policies, session lookup)")
    for func, _ in MIX:
        if func in (_radius, _polygon, _unit, _export):  # timed below without their audit row
            continue
        timings = []
        for scoped in (False, True):
            rng, ts = random.Random(0), []
            for _ in range(repeats):
                began = time.perf_counter()
                with (scoped_connection(engine, central_token) if scoped else owner.connect()) as conn:
                    func(conn, rng)
                ts.append((time.perf_counter() - began) * 1000)
            timings.append(np.percentile(ts, 50))
        print(f"  {func.__name__.strip('_'):<11} owner {timings[0]:7.1f} ms   central user {timings[1]:7.1f} ms")
    for name, call in (("radius 2 km", lambda c: records_within_radius(c, 105.8523, 21.0287, radius_m=2_000)),
                       ("radius 10 km", lambda c: records_within_radius(c, 105.8523, 21.0287, radius_m=10_000)),
                       ("unit", lambda c: records_in_unit(c, level="commune", code="00070"))):
        timings = []
        for scoped in (False, True):
            ts = []
            for _ in range(repeats):
                began = time.perf_counter()
                with (scoped_connection(engine, central_token) if scoped else owner.connect()) as conn:
                    call(conn)
                ts.append((time.perf_counter() - began) * 1000)
            timings.append(np.percentile(ts, 50))
        print(f"  {name:<11} owner {timings[0]:7.1f} ms   central user {timings[1]:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100, help="simulated users (1–200)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long they run (at most 300)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause of a user between two actions, in seconds (exponential; 0 = none)")
    parser.add_argument("--replica", action="store_true",
                        help="start a hot standby and PgBouncer (bash run.sh replica) and read from the standby")
    parser.add_argument("--compare", type=int, default=20,
                        help="first time each call N times alone, as the owner and as a central user (0 = skip)")
    args = parser.parse_args()
    if not (1 <= args.users <= 200 and 0 < args.seconds <= 300):
        parser.error("--users must be 1–200 and --seconds at most 300")

    from etl.prepare import prepare_database

    owner = prepare_database(show_progress=False)
    if args.replica:
        from geo.access import app_database_url
        from geo.replica import start_pgbouncer, start_standby

        standby = start_standby()
        print(f"standby on 127.0.0.1:{standby.port}, PgBouncer (transaction mode) on "
              f"127.0.0.1:{start_pgbouncer(app_database_url())}")
    engine = app_engine()
    route: Router = router()
    for e in (engine, *route.standbys):
        if e.url.host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"the load bench runs on loopback only, not on {e.url.host}")
    print(f"reads: {len(route.standbys)} standby(s) + primary; writes: primary ({engine.url.host}:{engine.url.port})")
    tokens = _tokens(owner, engine, args.users)
    for token in tokens:
        route.note_write(token)  # as the app does after a sign-in
    if args.compare:
        _compare(owner, engine, tokens[8 % len(tokens)], repeats=args.compare)  # bench-08: central, tối mật (sees all)
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop_at = time.perf_counter() + args.seconds
    funcs, weights = zip(*MIX)

    def user(i: int) -> None:
        rng = random.Random(i)
        while time.perf_counter() < stop_at:
            func = rng.choices(funcs, weights)[0]
            began = time.perf_counter()
            try:
                with route.read(tokens[i]) as conn:
                    audit = func(conn, rng)
                if audit is not None:  # written on the primary, as pages.session.audit does
                    with scoped_connection(engine, tokens[i]) as conn:
                        record_event(conn, audit[0], **audit[1])
                ok = True
            except Exception as exc:  # noqa: BLE001 - counted, the first few shown
                ok = False
                with lock:
                    errors[func.__name__] += 1
                    if sum(errors.values()) <= 3:
                        print(f"error in {func.__name__}: {type(exc).__name__}: {exc}"[:300])
            if ok:
                with lock:
                    times[func.__name__].append((time.perf_counter() - began) * 1000)
            if args.think:
                time.sleep(min(rng.expovariate(1 / args.think), max(stop_at - time.perf_counter(), 0)))

    began = time.perf_counter()
    threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    with owner.begin() as conn:  # bench sessions end here; the accounts stay disabled
        conn.execute(sa.text("UPDATE app_session SET ended_at = now() WHERE ended_at IS NULL AND account_id IN"
                             " (SELECT id FROM account WHERE username LIKE 'bench-%')"))
        conn.execute(sa.text("UPDATE account SET disabled_at = now() WHERE username LIKE 'bench-%'"))
    every = [t for ts in times.values() for t in ts]
    pool = engine.pool
    print(f"{args.users} users, think {args.think:g} s, {elapsed:.0f} s, pool {pool.size()} + overflow {pool._max_overflow} connections")
    for name, ts in sorted(times.items()):
        print(f"  {name.strip('_'):<11} {len(ts):6,} calls  p50 {np.percentile(ts, 50):7.1f} ms  "
              f"p95 {np.percentile(ts, 95):7.1f} ms  errors {errors.get(name, 0)}")
    print(f"throughput {len(every) / elapsed:,.1f} calls/s, p50 {np.percentile(every, 50):.1f} ms, "
          f"p95 {np.percentile(every, 95):.1f} ms, errors {sum(errors.values())}")
    print(f"reads on a standby {route.reads['standby']:,}, on the primary {route.reads['primary']:,}")


if __name__ == "__main__":
    main()
