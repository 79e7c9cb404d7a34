"""H3 helpers that work on whole arrays of 64-bit cell ids.

Records store their resolution-9 cell as a BIGINT. A heat map at a coarser resolution needs
each cell's parent; the parent is a bit operation on the id (set the resolution field, fill
the finer digits with 7), so a million cells take milliseconds instead of a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import h3
import h3.api.basic_int as h3int
import numpy as np
import pyproj

_RES_SHIFT = 52
_RES_MASK = np.int64(0xF) << _RES_SHIFT
_GEOD = pyproj.Geod(ellps="WGS84")


def parents_of(cells: np.ndarray, resolution: int) -> np.ndarray:
    """Return the parent at ``resolution`` of each H3 cell id (int64), same as ``h3.cell_to_parent``."""
    if not 0 <= resolution <= 15:
        raise ValueError(f"`resolution` must be between 0 and 15, got {resolution}.")
    cells = np.asarray(cells, dtype=np.int64)
    current = (cells >> _RES_SHIFT) & 0xF
    if (current < resolution).any():
        raise ValueError(f"Some cells are coarser than resolution {resolution}.")
    out = (cells & ~_RES_MASK) | (np.int64(resolution) << _RES_SHIFT)
    for digit in range(resolution + 1, 16):
        out |= np.int64(7) << np.int64((15 - digit) * 3)
    return out


def cell_strings(cells: np.ndarray) -> list[str]:
    """Return H3 cell ids as the hexadecimal strings folium and libpysal use."""
    return [h3.int_to_str(int(c)) for c in cells]


def cell_boundaries(cells: list[str]) -> list[list[tuple[float, float]]]:
    """Return each cell's boundary as (lon, lat) pairs, closed."""
    rings = []
    for cell in cells:
        ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]
        rings.append(ring + ring[:1])
    return rings


def child_ranges(cells: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Return, per cell, the smallest and largest id its descendants at ``resolution`` can have.

    All descendants of a cell share its leading bits, so they fill one integer range: a coarse
    cell becomes one ``BETWEEN`` on the stored resolution-9 ids, i.e. one B-tree range scan.
    """
    cells = np.asarray(cells, dtype=np.int64)
    current = (cells >> _RES_SHIFT) & 0xF
    base = (cells & ~_RES_MASK) | (np.int64(resolution) << _RES_SHIFT)
    low, high = base.copy(), base.copy()
    for digit in range(1, resolution + 1):
        shift = np.int64((15 - digit) * 3)
        finer = digit > current
        low = np.where(finer, low & ~(np.int64(7) << shift), low)
        high = np.where(finer, (high & ~(np.int64(7) << shift)) | (np.int64(6) << shift), high)
    return low, high


@dataclass(frozen=True)
class DiskCover:
    """Resolution-``resolution`` cells covering a circle: ranges of cells wholly inside it, and the
    cells its edge crosses (whose points need the exact distance test)."""

    inside_low: np.ndarray
    inside_high: np.ndarray
    edge: np.ndarray


def disk_cover(lon: float, lat: float, radius_m: float, *, resolution: int = 9, sides: int = 96) -> DiskCover:
    """Cover the geodesic circle of ``radius_m`` around (lon, lat) with H3 cells.

    A cell is inside when its centre is within ``radius - R`` (R bounds the distance from a
    cell's centre to its corners: hexagon circumradius = edge length, taken from the cells here
    with 10 % to spare); a cell may touch the circle when its centre is within ``radius + R``.
    The circles are drawn as polygons that stay on the safe side (inscribed inside, circumscribed
    outside), so no inside cell can hold a point beyond the radius.
    """
    centre = h3int.latlng_to_cell(lat, lon, resolution)
    reach = 1.1 * max(h3int.edge_length(e, "m") for e in h3int.origin_to_directed_edges(centre)) + 2.0
    inner = _cells_within(lon, lat, radius_m - reach, resolution, sides, outside=False)
    outer = _cells_within(lon, lat, radius_m + reach, resolution, sides, outside=True)
    edge = np.array(sorted(outer - inner), dtype=np.int64)
    compact = np.array(h3int.compact_cells(list(inner)), dtype=np.int64)
    low, high = child_ranges(compact, resolution) if len(compact) else (np.array([], np.int64),) * 2
    return DiskCover(low, high, edge)


def _cells_within(lon: float, lat: float, radius_m: float, resolution: int, sides: int, *,
                  outside: bool) -> set[int]:
    """Cells whose centres fall in a polygon drawn inside (or around) the geodesic circle."""
    if radius_m <= 0:
        return set()
    if outside:
        radius_m = radius_m / np.cos(np.pi / sides)  # the polygon's edges clear the circle
    azimuths = np.linspace(0.0, 360.0, sides, endpoint=False)
    lons, lats, _ = _GEOD.fwd(np.full(sides, lon), np.full(sides, lat), azimuths, np.full(sides, radius_m))
    return set(h3int.polygon_to_cells(h3int.LatLngPoly(list(zip(lats, lons))), resolution))
