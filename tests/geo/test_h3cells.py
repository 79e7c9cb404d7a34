"""H3 helpers: descendant ranges and the circle cover are exact where they claim to be."""

from __future__ import annotations

import h3
import numpy as np
import pyproj

from geo.h3cells import child_ranges, disk_cover


def test_a_cells_descendants_fill_exactly_its_id_range():
    for resolution in (4, 6, 8):
        cell = h3.str_to_int(h3.latlng_to_cell(16.05, 108.22, resolution))
        low, high = child_ranges(np.array([cell]), 9)
        children = sorted(h3.str_to_int(c) for c in h3.cell_to_children(h3.int_to_str(cell), 9))
        assert low[0] == children[0] and high[0] >= children[-1]
        neighbours = [h3.str_to_int(c) for c in h3.grid_ring(h3.int_to_str(cell), 1)]
        outside = [h3.str_to_int(c) for n in neighbours for c in h3.cell_to_children(h3.int_to_str(n), 9)]
        assert not any(low[0] <= c <= high[0] for c in outside)


def test_no_cell_counted_inside_holds_a_point_beyond_the_radius():
    geod = pyproj.Geod(ellps="WGS84")
    rng = np.random.default_rng(0)
    lon0, lat0, radius = 105.8523, 21.0287, 5_000.0
    cover = disk_cover(lon0, lat0, radius)
    lon = lon0 + rng.uniform(-0.07, 0.07, 40_000)
    lat = lat0 + rng.uniform(-0.06, 0.06, 40_000)
    cells = np.array([h3.str_to_int(h3.latlng_to_cell(b, a, 9)) for a, b in zip(lon, lat)])
    _, _, distance = geod.inv(np.full(len(lon), lon0), np.full(len(lon), lat0), lon, lat)
    inside = np.zeros(len(cells), bool)
    for low, high in zip(cover.inside_low, cover.inside_high):
        inside |= (cells >= low) & (cells <= high)
    edge = np.isin(cells, cover.edge)
    assert not (inside & (distance > radius)).any()
    assert not ((distance <= radius) & ~inside & ~edge).any()
    assert not (inside & edge).any() and inside.sum() > 0.8 * (distance <= radius).sum()


def _classify(cover, cells):
    inside = np.zeros(len(cells), bool)
    touched = np.zeros(len(cells), bool)
    for low, high, exact in zip(cover.low, cover.high, cover.exact):
        hit = (cells >= low) & (cells <= high)
        touched |= hit
        inside |= hit & ~exact
    return inside, touched


def test_a_polygon_cover_counts_inside_only_points_inside_and_misses_none():
    import shapely

    from geo.h3cells import shape_cover

    rng = np.random.default_rng(1)
    concave = shapely.Polygon([(105.70, 20.90), (105.95, 20.95), (105.85, 21.02), (106.0, 21.15), (105.8, 21.2)],
                              holes=[[(105.80, 21.05), (105.85, 21.05), (105.85, 21.10), (105.80, 21.10)]])
    lon, lat = rng.uniform(105.65, 106.05, 60_000), rng.uniform(20.85, 21.25, 60_000)
    cells = np.array([h3.str_to_int(h3.latlng_to_cell(b, a, 9)) for a, b in zip(lon, lat)])
    covered = shapely.covers(concave, shapely.points(lon, lat))
    for budget in (6_000, 300):  # fine cells, and coarse edge cells when the budget is small
        inside, touched = _classify(shape_cover(concave, max_cells=budget), cells)
        assert not (inside & ~covered).any() and not (covered & ~touched).any()
        assert inside.sum() > (0.9 if budget > 1000 else 0.3) * covered.sum()


def test_a_large_circle_cover_is_exact_where_it_claims_to_be():
    from geo.h3cells import disk_ranges

    geod = pyproj.Geod(ellps="WGS84")
    rng = np.random.default_rng(2)
    lon0, lat0 = 106.6980, 10.7725
    lon, lat = lon0 + rng.uniform(-0.6, 0.6, 60_000), lat0 + rng.uniform(-0.6, 0.6, 60_000)
    cells = np.array([h3.str_to_int(h3.latlng_to_cell(b, a, 9)) for a, b in zip(lon, lat)])
    _, _, distance = geod.inv(np.full(len(lon), lon0), np.full(len(lon), lat0), lon, lat)
    for radius in (2_000.0, 40_000.0):
        inside, touched = _classify(disk_ranges(lon0, lat0, radius), cells)
        within = distance <= radius
        assert not (inside & ~within).any() and not (within & ~touched).any()
        assert inside.sum() > 0.8 * within.sum()


def test_merged_ranges_hold_the_same_cells():
    from geo.h3cells import CellCover, child_ranges, merge_ranges

    parent = h3.str_to_int(h3.latlng_to_cell(16.05, 108.22, 7))
    children = np.array(sorted(h3.str_to_int(c) for c in h3.cell_to_children(h3.int_to_str(parent), 8)))
    low, high = child_ranges(children, 9)
    merged = merge_ranges(CellCover(low, high, np.zeros(len(low), bool)))
    assert len(merged.low) == 1
    assert (merged.low[0], merged.high[0]) == tuple(int(x[0]) for x in child_ranges(np.array([parent]), 9))
    split = merge_ranges(CellCover(np.delete(low, 3), np.delete(high, 3), np.zeros(len(low) - 1, bool)))
    assert len(split.low) == 2 and not ((split.low <= low[3]) & (low[3] <= split.high)).any()
