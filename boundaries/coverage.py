"""Measure and repair a polygonal coverage (communes that should tile the country).

Official boundary files are often simplified ring by ring, so neighbours overlap and leave
slivers between them. A coverage must have neither: a point must fall in exactly one commune.
Repair uses GEOS's CoverageCleaner (``shapely.coverage_clean``): overlaps go to the neighbour
with the longest shared border, gaps narrower than ``gap_width`` are merged the same way, and
shared edges come out vertex-identical, which coverage-preserving simplification needs later.
Gaps wider than that (lakes, real enclaves) are kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import shapely

from boundaries.sources import as_multipolygons
from geo.crs import areas_km2

log = logging.getLogger(__name__)

OVERLAP_TOLERANCE_KM2 = 0.01
SMALL_HOLE_KM2 = 0.5
# About 220 m at Vietnam's latitudes: wider than the source's 50 m simplification slivers,
# narrower than any real commune or lake we must keep.
DEFAULT_GAP_WIDTH_DEG = 0.002


@dataclass(frozen=True)
class CoverageStats:
    """Figures that say how far a set of polygons is from a clean coverage."""

    polygons: int
    area_km2: float
    overlap_pairs: int
    overlap_km2: float
    max_overlap_km2: float
    overlaps_over_tolerance: int
    holes: int
    small_holes: int
    small_holes_km2: float
    large_holes: int
    large_holes_km2: float


def measure_coverage(geoms: np.ndarray) -> CoverageStats:
    """Return overlap and hole figures (areas on the ellipsoid) for lon/lat polygons."""
    geoms = np.asarray(geoms, dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    shared = shapely.intersection(geoms[left[keep]], geoms[right[keep]])
    # Only the polygonal part of an intersection is an overlap; shared edges are lines.
    shared = np.array([_polygonal(g) for g in shared], dtype=object)
    overlap = areas_km2(shared[shapely.is_empty(shared) == False]) if len(shared) else np.zeros(0)  # noqa: E712
    union = shapely.union_all(geoms)
    rings = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
    hole_areas = areas_km2(np.array(rings, dtype=object)) if rings else np.zeros(0)
    small = hole_areas < SMALL_HOLE_KM2
    return CoverageStats(
        polygons=len(geoms),
        area_km2=float(areas_km2(geoms).sum()),
        overlap_pairs=int((overlap > 0).sum()),
        overlap_km2=float(overlap.sum()),
        max_overlap_km2=float(overlap.max()) if len(overlap) else 0.0,
        overlaps_over_tolerance=int((overlap > OVERLAP_TOLERANCE_KM2).sum()),
        holes=len(hole_areas),
        small_holes=int(small.sum()),
        small_holes_km2=float(hole_areas[small].sum()),
        large_holes=int((~small).sum()),
        large_holes_km2=float(hole_areas[~small].sum()),
    )


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    if not parts:
        return shapely.Polygon()
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


def _fill_small_holes(geoms: np.ndarray) -> np.ndarray:
    """Give every hole of the union smaller than :data:`SMALL_HOLE_KM2` to a bordering unit.

    The cleaner closes narrow gaps between units but leaves holes inside one unit's own
    polygon and wide, short gaps; a hole this small is a digitising artefact, not a lake.
    """
    out = geoms.copy()
    union = shapely.coverage_union_all(out)
    holes = np.array([shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors], dtype=object)
    if len(holes) == 0:
        return out
    small = holes[areas_km2(holes) < SMALL_HOLE_KM2]
    tree = shapely.STRtree(out)
    for hole in small:
        candidates = tree.query(hole, predicate="intersects")
        if len(candidates) == 0:
            continue
        shared = shapely.length(shapely.intersection(shapely.boundary(out[candidates]), shapely.boundary(hole)))
        best = candidates[int(np.argmax(shared))]
        out[best] = as_multipolygons(np.array([shapely.union(out[best], hole)], dtype=object))[0]
    if len(small):
        log.info("Filled %d small holes of the coverage", len(small))
    return out


def repair_coverage(geoms: np.ndarray, *, gap_width: float = DEFAULT_GAP_WIDTH_DEG) -> np.ndarray:
    """Return a clean coverage from overlapping, sliver-ridden lon/lat polygons.

    Parameters
    ----------
    geoms
        Polygons or MultiPolygons in EPSG:4326, one per unit, in the units' order.
    gap_width
        Gaps narrower than this (degrees) are merged into a neighbour.

    Returns
    -------
    numpy.ndarray
        Valid MultiPolygons, same order and length; none empty.

    Notes
    -----
    Uses GEOS CoverageCleaner (Martin Davis, JTS/GEOS 3.14) with the "longest border" merge
    strategy, so an overlap goes to the neighbour that shares most of its edge with it.
    """
    valid = as_multipolygons(geoms)
    if any(g is None for g in valid):
        raise ValueError("`geoms` must all be non-empty polygons; repair cannot invent a unit.")
    cleaned = shapely.coverage_clean(valid, gap_width=gap_width, merge_strategy="longest_border")
    out = _fill_small_holes(as_multipolygons(cleaned))
    lost = [i for i, g in enumerate(out) if g is None]
    if lost:
        raise ValueError(f"Coverage repair emptied the units at positions {lost}.")
    return out
