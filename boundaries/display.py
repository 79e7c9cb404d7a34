"""Display geometries: light enough to draw, faithful enough to read.

Simplifying each polygon on its own opens gaps and overlaps along shared borders; GEOS's
coverage simplification moves each shared edge once, so neighbours keep sharing it. The
coordinates are then snapped to a grid to cut the size of the GeoJSON sent to the browser.
Snapping can split a handful of shared edges by less than one grid step; the quality report
counts them (``display_edge_mismatches``).
"""

from __future__ import annotations

import numpy as np
import shapely

from boundaries.sources import as_multipolygons

# (simplification tolerance, coordinate grid) in degrees.
DETAIL = (0.0004, 0.00001)  # ~40 m, 1 m grid: a province or commune view
OVERVIEW = (0.004, 0.0001)  # ~400 m, 10 m grid: the national view


def simplify_coverage(geoms: np.ndarray, *, tolerance: float, grid: float) -> np.ndarray:
    """Return coverage-simplified MultiPolygons snapped to ``grid``, in input order.

    A unit too small to survive the tolerance keeps its snapped, unsimplified shape rather
    than vanish from the map.
    """
    geoms = np.asarray(geoms, dtype=object)
    simple = shapely.coverage_simplify(geoms, tolerance)
    out = as_multipolygons(shapely.set_precision(simple, grid))
    for i in np.flatnonzero([g is None for g in out]):
        out[i] = as_multipolygons(np.array([shapely.set_precision(geoms[i], grid)], dtype=object))[0]
    return out


def count_edge_mismatches(geoms: np.ndarray) -> int:
    """Return how many polygons have a border not matched exactly by their neighbour."""
    edges = shapely.coverage_invalid_edges(np.asarray(geoms, dtype=object))
    return int((~shapely.is_empty(edges)).sum())
