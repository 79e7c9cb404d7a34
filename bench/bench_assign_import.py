"""Points per second for commune assignment (grid, geopandas sjoin, PostGIS join) on the same
1 M points, and the end-to-end time of importing 1 M case rows. Prints the figures.

Run: ``.venv/bin/python bench/bench_assign_import.py [--points 1000000] [--rows 1000000]``
(needs the boundaries loaded: ``bash run.sh app`` once, or ``python -m boundaries load``).
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa

from bench.scratch import scratch_database
from boundaries.load import load_boundaries
from boundaries.point_index import CommuneIndex, load_commune_index
from etl.importer import import_file
from geo.settings import get_settings


def _land_points(index: CommuneIndex, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points on Vietnam's land: draw in the mainland box, keep those in a commune."""
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        x, y = rng.uniform(102.1, 109.5, 4 * n), rng.uniform(8.4, 23.4, 4 * n)
        keep = index.lookup(x, y) >= 0
        lon, lat = np.r_[lon, x[keep]], np.r_[lat, y[keep]]
    return lon[:n], lat[:n]


def bench_assign(engine, n: int) -> None:
    with engine.connect() as conn:
        t = time.perf_counter()
        index = load_commune_index(conn, cache_dir=get_settings().cache_dir)
        print(f"commune index ready (cache or build):       {time.perf_counter() - t:7.2f} s")
    rng = np.random.default_rng(0)
    lon, lat = _land_points(index, n, rng)
    index.lookup(lon[:1000], lat[:1000])
    t = time.perf_counter()
    ours = index.lookup(lon, lat)
    dt = time.perf_counter() - t
    print(f"grid + exact fallback, {n:,} land points:  {n / dt / 1e6:7.2f} M points/s ({dt:.3f} s, 1 core)")
    box_lon, box_lat = rng.uniform(102.1, 109.5, n), rng.uniform(8.4, 23.4, n)
    t = time.perf_counter()
    index.lookup(box_lon, box_lat)
    dt = time.perf_counter() - t
    print(f"grid, {n:,} points uniform in the bbox:    {n / dt / 1e6:7.2f} M points/s")

    communes = gpd.GeoDataFrame({"code": index.codes}, geometry=index.geoms, crs=4326)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    t = time.perf_counter()
    joined = gpd.sjoin(points, communes, predicate="within", how="left")
    dt = time.perf_counter() - t
    print(f"geopandas sjoin(predicate='within'):        {n / dt / 1e6:7.2f} M points/s ({dt:.2f} s)")
    same = (joined.sort_index()["code"].to_numpy() == index.codes[ours]).mean()

    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TEMP TABLE pts (i int, lon float8, lat float8)"))
        buffer = io.StringIO()
        pd.DataFrame({"i": np.arange(n), "lon": lon, "lat": lat}).to_csv(buffer, index=False, header=False)
        with conn.connection.driver_connection.cursor().copy("COPY pts FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        # The fair PostGIS set-up: indexed point geometries, polygons on the outer side so each
        # commune is prepared once (index build time excluded, as the grid's build is).
        conn.execute(sa.text("ALTER TABLE pts ADD COLUMN g geometry(Point, 4326)"))
        conn.execute(sa.text("UPDATE pts SET g = ST_SetSRID(ST_MakePoint(lon, lat), 4326)"))
        conn.execute(sa.text("CREATE INDEX ON pts USING gist (g)"))
        conn.execute(sa.text("ANALYZE pts"))
        t = time.perf_counter()
        rows = conn.execute(sa.text(
            "SELECT p.i, c.code FROM admin_unit c JOIN pts p ON ST_Contains(c.geom, p.g)"
            " WHERE c.level = 'commune' AND c.valid_to IS NULL")).all()
        dt = time.perf_counter() - t
    print(f"PostGIS join (ST_Contains, GiST):           {n / dt / 1e6:7.2f} M points/s ({dt:.2f} s)")
    postgis = np.full(n, None, dtype=object)
    for i, code in rows:
        postgis[i] = code
    print(f"agreement with sjoin / PostGIS:             {same:.6f} / {(postgis == index.codes[ours]).mean():.6f}")


def bench_import(engine, n: int, *, profile: bool = False) -> None:
    rng = np.random.default_rng(1)
    with engine.connect() as conn:
        index = load_commune_index(conn, cache_dir=get_settings().cache_dir)
    lon, lat = _land_points(index, n, rng)
    frame = pd.DataFrame({
        "ma_ho_so": [f"B-{i:08d}" for i in range(n)],
        "loai": rng.choice(["KT_DHVP", "KT_THNV", "GS_CHUYENDE", "TO_CAO"], n),
        "cap": rng.choice(["tinh", "xa"], n), "doi_tuong": rng.choice(["to_chuc", "dang_vien"], n),
        "ngay_quyet_dinh": pd.to_datetime(rng.integers(1_609_459_200, 1_760_000_000, n), unit="s").strftime("%d/%m/%Y"),
        "trang_thai": rng.choice(["ket_luan", "dong", "tham_tra"], n),
        "nhom_vi_pham": rng.choice(["", "dat_dai", "tham_nhung|lang_phi"], n),
        "kinh_do": np.round(lon, 6), "vi_do": np.round(lat, 6),
    })
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.csv"
        frame.to_csv(path, index=False)
        t = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            with cProfile.Profile() as prof:
                result = import_file(engine, path)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        else:
            result = import_file(engine, path)
        dt = time.perf_counter() - t
    print(f"import {n:,} rows end to end (read, validate, assign, COPY): {dt:6.1f} s"
          f" ({n / dt:,.0f} rows/s); loaded {result.rows_loaded:,}, quarantined {result.rows_quarantined:,}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the import")
    args = parser.parse_args()
    with scratch_database() as engine:
        load_boundaries(engine, cache_dir=get_settings().cache_dir, reports_dir=Path(tempfile.gettempdir()),
                        show_progress=False)
        if args.points:
            bench_assign(engine, args.points)
        if args.rows:
            bench_import(engine, args.rows, profile=args.profile)


if __name__ == "__main__":
    main()
