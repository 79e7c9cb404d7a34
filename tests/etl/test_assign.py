"""The fast commune grid gives the same answer as PostGIS ST_Contains."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import sqlalchemy as sa

from boundaries.point_index import CommuneIndex, load_commune_index
from geo.settings import get_settings


@pytest.fixture(scope="module")
def index(engine, boundaries_loaded) -> CommuneIndex:
    with engine.connect() as conn:
        return load_commune_index(conn, cache_dir=get_settings().cache_dir)


def _postgis_contains(conn, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    conn.execute(sa.text("CREATE TEMP TABLE pts (i int, g geometry(Point, 4326)) ON COMMIT DROP"))
    raw = conn.connection.driver_connection
    with raw.cursor().copy("COPY pts (i, g) FROM STDIN") as copy:
        for i, (x, y) in enumerate(zip(lon, lat)):
            copy.write_row((i, f"SRID=4326;POINT({float(x)!r} {float(y)!r})"))
    rows = conn.execute(sa.text(
        "SELECT p.i, c.code FROM pts p JOIN admin_unit c ON c.level = 'commune' AND c.valid_to IS NULL"
        " AND ST_Contains(c.geom, p.g)")).all()
    out = np.full(len(lon), None, dtype=object)
    for i, code in rows:
        assert out[i] is None, f"point {i} is in two communes"
        out[i] = code
    return out


def test_grid_agrees_with_postgis_on_random_points_and_points_near_borders(conn, index):
    rng = np.random.default_rng(42)
    lon, lat = rng.uniform(102.1, 109.5, 30_000), rng.uniform(8.4, 23.4, 30_000)
    border = shapely.get_coordinates(shapely.boundary(index.geoms[rng.choice(len(index.geoms), 300)]))
    near = border[rng.choice(len(border), 10_000)] + rng.normal(0, 2e-4, (10_000, 2))  # within ~20 m of a border
    lon, lat = np.r_[lon, near[:, 0]], np.r_[lat, near[:, 1]]
    found = index.lookup(lon, lat)
    ours = np.where(found >= 0, index.codes[np.maximum(found, 0)], None)
    theirs = _postgis_contains(conn, lon, lat)
    mismatch = np.flatnonzero(ours != theirs)
    assert len(mismatch) == 0, [(lon[i], lat[i], ours[i], theirs[i]) for i in mismatch[:5]]
    assert (found >= 0).sum() > 10_000  # the sample really hit land


def test_snapping_assigns_a_point_just_offshore_and_not_one_far_out(index):
    geom = index.geoms[list(index.codes).index("11948")]  # Bạch Long Vĩ, a lone island
    minx, miny, maxx, maxy = geom.bounds
    near = index.assign(np.array([maxx + 0.01, maxx + 0.05]), np.array([(miny + maxy) / 2] * 2), snap_tolerance_m=2000)
    assert index.codes[near.index[0]] == "11948" and near.snapped[0] and 500 < near.distance_m[0] < 2000
    assert near.index[1] == -1 and not near.snapped[1]


def test_points_outside_the_grid_or_not_finite_are_unassigned(index):
    found = index.lookup(np.array([0.0, np.nan, 200.0]), np.array([0.0, 10.0, 95.0]))
    assert (found == -1).all()


def test_index_saved_and_loaded_gives_the_same_answers(index, tmp_path):
    index.save(tmp_path / "idx.npz")
    again = CommuneIndex.load(tmp_path / "idx.npz", index.codes, index.geoms)
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(102.1, 109.5, 50_000), rng.uniform(8.4, 23.4, 50_000)
    assert (again.lookup(lon, lat) == index.lookup(lon, lat)).all()
