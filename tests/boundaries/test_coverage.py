"""Coverage measurement and repair on polygons whose answer is known by hand."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import box

from boundaries.coverage import measure_coverage, repair_coverage

# 0.01 degrees is about 1.1 km at the equator.
D = 0.01


def test_overlap_between_neighbours_is_measured_and_given_to_one_side():
    left, right = box(0, 0, 10 * D, 10 * D), box(9 * D, 0, 20 * D, 10 * D)  # 1 x 10 cells overlap
    before = measure_coverage(np.array([left, right], dtype=object))
    assert before.overlap_pairs == 1
    assert before.overlap_km2 == pytest.approx(1.11 * 11.06, rel=0.02)
    repaired = repair_coverage(np.array([left, right], dtype=object))
    after = measure_coverage(repaired)
    assert after.overlap_km2 == 0 and after.overlap_pairs == 0
    assert shapely.union_all(repaired).equals(shapely.union(left, right))


def test_sliver_gap_is_closed_but_a_lake_stays():
    # A 55 m x 2.2 km sliver between two communes, closed off by neighbours above and below.
    left, right = box(0, 0, 2 * D, 2 * D), box(2.05 * D, 0, 4 * D, 2 * D)
    top, bottom = box(0, 2 * D, 4 * D, 3 * D), box(0, -1 * D, 4 * D, 0)
    ring = shapely.Polygon(box(6 * D, 0, 9 * D, 3 * D).exterior, [box(7 * D, 1 * D, 8 * D, 2 * D).exterior])
    geoms = np.array([left, right, top, bottom, ring], dtype=object)
    before = measure_coverage(geoms)
    assert before.small_holes == 1  # the sliver
    assert before.large_holes == 1  # a 1.1 x 1.1 km lake inside the ring: a real enclave
    repaired = repair_coverage(geoms)
    after = measure_coverage(repaired)
    assert after.small_holes == 0 and after.overlap_km2 == 0
    assert after.large_holes == 1
    assert shapely.area(shapely.union_all(repaired)) > shapely.area(shapely.union_all(geoms))


def test_small_enclosed_hole_is_filled():
    outer = shapely.Polygon(box(0, 0, 10 * D, 10 * D).exterior, [box(4 * D, 4 * D, 4.2 * D, 4.2 * D).exterior])
    neighbour = box(10 * D, 0, 20 * D, 10 * D)
    before = measure_coverage(np.array([outer, neighbour], dtype=object))
    assert before.small_holes == 1
    after = measure_coverage(repair_coverage(np.array([outer, neighbour], dtype=object)))
    assert after.small_holes == 0


def test_repair_refuses_an_empty_unit():
    with pytest.raises(ValueError, match="non-empty"):
        repair_coverage(np.array([box(0, 0, 1, 1), shapely.Polygon()], dtype=object))
