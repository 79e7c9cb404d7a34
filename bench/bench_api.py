"""API latency: item pages at ≈ 1 M cases, and a bounded load of 100 concurrent API clients on loopback.

1. One client, one request at a time: p50/p95 of ``/collections/cases/items`` pages (100 features,
   plain, with a bbox, with a datetime interval, for a province token) through HTTP, the token and
   the row-level policies, beside the plain alternative: the same page's SQL as the owner (no HTTP,
   no policies, no JSON to the client).
2. A bounded load: ``--clients`` (100) asyncio clients, each with its own token of some scope, repeat
   a mix of item pages, single items, collections and analytics counts with a think time of
   ``--think`` seconds (0.5 – 1.5 s by default: people and GIS clients paging a layer), for at most
   ``--seconds`` and at most ``--max-requests`` requests, on 127.0.0.1 only. Prints p50/p95 per kind
   and overall, throughput and errors (any status other than 200, or a timeout).

The API runs in its own process (``python -m api``, ``DIABAN_API_WORKERS`` processes), as in
``bash run.sh app``. Run: ``.venv/bin/python bench/bench_api.py --scale 5`` (scratch database,
dropped afterwards) or ``--database NAME`` (an existing, loaded database).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import httpx
import numpy as np
import sqlalchemy as sa

from bench.scratch import scratch_database
from boundaries.load import load_boundaries
from etl.demo import generate_demo
from geo.accounts import save_account
from geo.database import database_url, get_engine, url_for_database
from geo.settings import get_settings
from geo.tokens import issue_token
from queries import features as fq

CITIES = [(105.8523, 21.0287), (106.6980, 10.7725), (108.2200, 16.0544), (105.7850, 10.0340), (106.6880, 20.8650)]
SCOPES = [("central", None, "toi_mat"), ("regional", "VIII", "mat"), ("province", "01", "mat"),
          ("province", "79", "thuong"), ("province", "48", "toi_mat"), ("commune", "00070", "thuong")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tokens(engine) -> dict[tuple, str]:
    out = {}
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE access_config SET bcrypt_cost = 4"))
        for kind, code, clearance in SCOPES:
            name = f"bench-{kind}-{code or 'all'}-{clearance}".lower().replace("_", "")
            save_account(conn, username=name, role="viewer", scope_kind=kind, scope_code=code, clearance=clearance)
            out[(kind, code, clearance)] = issue_token(conn, username=name, name="bench", access="read", days=1).secret
    return out


def _start_api(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DIABAN_API_PORT": str(port), "DIABAN_API_HOST": "127.0.0.1",
           "DIABAN_API_WORKERS": str(workers)}
    log = tempfile.NamedTemporaryFile(prefix="bench-api-", suffix=".log", delete=False)
    process = subprocess.Popen([sys.executable, "-m", "api"], env=env, stdout=log, stderr=subprocess.STDOUT,
                               cwd=Path(__file__).resolve().parents[1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"the API did not start; log: {Path(log.name).read_text()[-2000:]}")


def _pct(values: list[float]) -> tuple[float, float]:
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def item_pages(base: str, engine, tokens: dict, repeats: int) -> None:
    central, province = tokens[("central", None, "toi_mat")], tokens[("province", "01", "mat")]
    rng = random.Random(0)

    def bbox(i: int) -> str:
        lon, lat = CITIES[i % 5]
        return f"{lon - 0.1:.4f},{lat - 0.1:.4f},{lon + 0.1:.4f},{lat + 0.1:.4f}"

    cases = [("page of 100, no filter", central, lambda i: {"limit": 100, "offset": rng.randrange(0, 50_000)},
              lambda i, p: fq.Query(limit=100, offset=p["offset"])),
             ("page of 100, bbox 0.2°", central, lambda i: {"limit": 100, "bbox": bbox(i)},
              lambda i, p: fq.Query(limit=100, bbox=fq.parse_bbox(p["bbox"]))),
             ("page of 100, datetime 2025", central, lambda i: {"limit": 100, "datetime": "2025-01-01/2025-12-31"},
              lambda i, p: fq.Query(limit=100, start=date(2025, 1, 1), end=date(2025, 12, 31))),
             ("page of 100, province token", province, lambda i: {"limit": 100, "offset": rng.randrange(0, 2_000)},
              lambda i, p: fq.Query(limit=100, offset=p["offset"], province_code="01"))]
    spec = fq.collection("cases")
    print(f"\n1. item pages, one client ({repeats} requests each): API (HTTP + token + policies + audit row)"
          " beside the same page's SQL as the owner")
    with httpx.Client(base_url=base, timeout=60) as http, engine.connect() as owner:
        for label, token, params, query in cases:
            api_ms, sql_ms = [], []
            for i in range(repeats):
                p = params(i)
                t = time.perf_counter()
                answer = http.get("/collections/cases/items", params=p, headers={"Authorization": f"Bearer {token}"})
                api_ms.append((time.perf_counter() - t) * 1000)
                assert answer.status_code == 200, answer.text
                t = time.perf_counter()
                fq.record_page(owner, spec, query(i, p))
                sql_ms.append((time.perf_counter() - t) * 1000)
            (a50, a95), (s50, s95) = _pct(api_ms), _pct(sql_ms)
            print(f"  {label:30s} API p50 {a50:7.1f} ms  p95 {a95:7.1f} ms   |  owner SQL p50 {s50:6.1f} ms"
                  f"  p95 {s95:6.1f} ms")


async def _client(base: str, token: str, rng: random.Random, stop_at: float, budget: list[int], think: tuple,
                  times: dict, errors: dict, ids: list[str]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:
        await asyncio.sleep(rng.uniform(0, think[1]))  # clients arrive spread over the first think time
        while time.monotonic() < stop_at and budget[0] > 0:
            budget[0] -= 1
            roll = rng.random()
            lon, lat = CITIES[rng.randrange(5)]
            if roll < 0.55:
                kind, path = "items page", "/collections/cases/items"
                params = {"limit": 100, "bbox": f"{lon - 0.1:.4f},{lat - 0.1:.4f},{lon + 0.1:.4f},{lat + 0.1:.4f}"} \
                    if rng.random() < 0.5 else {"limit": 100, "offset": rng.randrange(0, 5_000)}
            elif roll < 0.75:
                kind, path, params = "single item", f"/collections/cases/items/{rng.choice(ids)}", {}
            elif roll < 0.85:
                kind, path, params = "collections", "/collections", {}
            elif roll < 0.95:
                kind, path, params = "petitions page", "/collections/petitions/items", {"limit": 100}
            else:
                kind, path, params = "analytics counts", "/analytics/counts", {"level": "province"}
            t = time.perf_counter()
            try:
                answer = await http.get(path, params=params)
                ok = answer.status_code in (200, 404)  # a single item outside the token's scope is a 404
            except httpx.HTTPError as exc:
                ok, answer = False, exc
            times[kind].append((time.perf_counter() - t) * 1000)
            if not ok:
                errors[kind] += 1
            await asyncio.sleep(rng.uniform(*think))


async def load(base: str, tokens: dict, ids: list[str], *, clients: int, seconds: float, max_requests: int,
               think: tuple[float, float]) -> None:
    print(f"\n2. bounded load: {clients} concurrent clients on 127.0.0.1, think time {think[0]}–{think[1]} s, "
          f"at most {seconds:.0f} s and {max_requests:,} requests")
    times, errors = defaultdict(list), defaultdict(int)
    budget = [max_requests]
    rng = random.Random(1)
    scopes = list(tokens.values())
    began = time.monotonic()
    await asyncio.gather(*(_client(base, scopes[i % len(scopes)], random.Random(rng.random()), began + seconds,
                                   budget, think, times, errors, ids) for i in range(clients)))
    elapsed = time.monotonic() - began
    every = [t for values in times.values() for t in values]
    print(f"  {'call':18s} {'calls':>7s} {'p50':>9s} {'p95':>9s} {'errors':>7s}")
    for kind, values in sorted(times.items()):
        p50, p95 = _pct(values)
        print(f"  {kind:18s} {len(values):7,d} {p50:7.0f} ms {p95:7.0f} ms {errors[kind]:7d}")
    p50, p95 = _pct(every)
    print(f"  {'all':18s} {len(every):7,d} {p50:7.0f} ms {p95:7.0f} ms {sum(errors.values()):7d}")
    print(f"  throughput {len(every) / elapsed:.1f} requests/s over {elapsed:.0f} s;"
          f" goal p95 < 1,000 ms and 0 errors: {'met' if p95 < 1000 and not errors else 'NOT met'}")


def run(engine, url: str, args) -> None:
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM case_record")).scalar_one()
        ids = conn.execute(sa.text("SELECT source_id FROM case_record TABLESAMPLE SYSTEM (1) LIMIT 2000")
                           ).scalars().all()
    print(f"cases in the database: {total:,}")
    tokens = _tokens(engine)
    port = _free_port()
    api = _start_api(url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        item_pages(base, engine, tokens, args.repeats)
        asyncio.run(load(base, tokens, ids, clients=args.clients, seconds=args.seconds,
                         max_requests=args.max_requests, think=(args.think_min, args.think_max)))
    finally:
        api.terminate()
        api.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=5.0, help="demo scale of the scratch database (5 ≈ 1 M cases)")
    parser.add_argument("--database", help="run on this existing database; generate nothing")
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--think-min", type=float, default=0.5)
    parser.add_argument("--think-max", type=float, default=1.5)
    parser.add_argument("--workers", type=int, default=2, help="API processes (DIABAN_API_WORKERS)")
    args = parser.parse_args()
    if not (1 <= args.clients <= 500 and 1 <= args.seconds <= 600 and args.max_requests <= 200_000):
        raise SystemExit("bounded load only: --clients 1–500, --seconds 1–600, --max-requests ≤ 200,000")
    if args.database:
        url = url_for_database(database_url(), args.database)
        run(get_engine(url), url, args)
        return
    with scratch_database() as engine:
        load_boundaries(engine, cache_dir=get_settings().cache_dir, reports_dir=Path(tempfile.gettempdir()),
                        show_progress=False)
        t = time.perf_counter()
        demo = generate_demo(engine, scale=args.scale, today=date(2026, 11, 24))
        print(f"demo data, scale {args.scale}: {demo.counts['case']:,} cases in {time.perf_counter() - t:.0f} s")
        run(engine, engine.url.render_as_string(hide_password=False), args)


if __name__ == "__main__":
    main()
