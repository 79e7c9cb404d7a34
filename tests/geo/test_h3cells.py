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
