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


@dataclass(frozen=True)
class CellCover:
    """Ranges of resolution-9 ids covering a shape: ``exact`` ranges are cells its edge may cross
    (their points need the exact test), the others lie wholly inside it."""

    low: np.ndarray
    high: np.ndarray
    exact: np.ndarray

    def params(self) -> dict:
        """The cover as bound parameters ``lo``, ``hi``, ``exact`` (lists of the same length)."""
        return {"lo": self.low.tolist(), "hi": self.high.tolist(), "exact": self.exact.tolist()}


_SLACK_M = 2.0  # points sit in their cell's hexagon up to rounding; a little room against it


def shape_cover(inner: "shapely.Geometry", outer: "shapely.Geometry | None" = None, *, resolution: int = 9,
                max_cells: int = 6_000) -> CellCover:
    """Cover a lon/lat shape with H3 cells of mixed resolutions, as ranges of resolution-9 ids.

    A cell whose descendants all lie within ``inner`` is counted without a test; one whose
    descendants may reach ``outer`` (``inner`` when not given: the two differ for a circle drawn
    as inscribed and circumscribed polygons) is refined into its children, down to
    ``resolution``, or kept whole with the exact test once ``max_cells`` would be exceeded.

    Notes
    -----
    H3 children do not tile their parent's hexagon exactly: a descendant at resolution 9 may
    stick out of a resolution-r hexagon by at most the sum of the edge lengths of the finer
    resolutions (each child's centre lies in its parent). So a cell is "inside" when its
    hexagon, grown by that sum (with 25 % to spare), lies inside the shape, and "outside" when
    the grown hexagon misses it; distances are turned into degrees with the longitude's (the
    larger) scale, so the margin errs on the safe side.
    """
    import shapely

    outer = inner if outer is None else outer
    minx, miny, maxx, maxy = outer.bounds
    lat_centre, lon_centre = (miny + maxy) / 2, (minx + maxx) / 2
    metre = 1.0 / (110_000.0 * np.cos(np.radians(min(89.0, max(abs(miny), abs(maxy)) + 0.5))))  # degrees per metre
    edges = {r: 1.2 * max(h3int.edge_length(e, "m") for e in
                          h3int.origin_to_directed_edges(h3int.latlng_to_cell(lat_centre, lon_centre, r)))
             for r in range(0, resolution + 1)}

    def margin(r: int) -> float:
        return (1.25 * sum(edges[j] for j in range(r + 1, resolution + 1)) + _SLACK_M) * metre

    diagonal = np.hypot(maxx - minx, maxy - miny) / metre
    start = int(np.clip(min((r for r in range(resolution + 1) if edges[r] < diagonal / 2), default=resolution),
                        0, resolution))
    grown = outer.buffer(margin(start))
    cells = np.array(h3int.h3shape_to_cells_experimental(h3.geo_to_h3shape(grown), start, contain="overlap"),
                     dtype=np.int64)
    inside: list[np.ndarray] = []
    edge: list[np.ndarray] = []
    level = start
    while len(cells):
        hexes = shapely.polygons([[(lng, lat) for lat, lng in h3int.cell_to_boundary(int(c))] for c in cells])
        d = margin(level)
        near = shapely.intersects(outer.buffer(d), hexes)
        shrunk = inner.buffer(-d)
        full = near & (shapely.contains(shrunk, hexes) if not shrunk.is_empty else False)
        if full.any():
            inside.append(np.array(h3int.compact_cells(cells[full].tolist()), dtype=np.int64))
        rest = cells[near & ~full]
        if level == resolution or len(rest) * 7 > max_cells:
            edge.append(rest)
            break
        cells = np.array([c for p in rest for c in h3int.cell_to_children(int(p), level + 1)], dtype=np.int64)
        level += 1
    inside_cells = np.concatenate(inside) if inside else np.array([], np.int64)
    edge_cells = np.concatenate(edge) if edge else np.array([], np.int64)
    low_in, high_in = child_ranges(inside_cells, resolution) if len(inside_cells) else (np.array([], np.int64),) * 2
    low_edge, high_edge = child_ranges(edge_cells, resolution) if len(edge_cells) else (np.array([], np.int64),) * 2
    return merge_ranges(CellCover(np.concatenate([low_in, low_edge]), np.concatenate([high_in, high_edge]),
                                  np.concatenate([np.zeros(len(low_in), bool), np.ones(len(low_edge), bool)])),
                        resolution)


def _next_cell(cells: np.ndarray, resolution: int) -> np.ndarray:
    """The next valid id at ``resolution`` after each cell in id order (digits count in base 7)."""
    out = np.asarray(cells, dtype=np.int64).copy()
    carry = np.ones(len(out), bool)
    for digit in range(resolution, 0, -1):
        shift = np.int64((15 - digit) * 3)
        value = (out >> shift) & 7
        bump = carry & (value < 6)
        out = np.where(bump, out + (np.int64(1) << shift), out)
        wrap = carry & (value >= 6)
        out = np.where(wrap, out & ~(np.int64(7) << shift), out)
        carry = wrap
    return np.where(carry, out + (np.int64(1) << np.int64(45)), out)  # the next base cell


def merge_ranges(cover: CellCover, resolution: int = 9) -> CellCover:
    """Join ranges that follow each other with no valid cell id between them (same test flag).

    Fewer ranges are fewer B-tree descents; ids between two such ranges all carry the digit 7,
    which no cell has, so no record can lie between them.
    """
    if len(cover.low) < 2:
        return cover
    order = np.argsort(cover.low, kind="stable")
    low, high, exact = cover.low[order], cover.high[order], cover.exact[order]
    joins = (_next_cell(high[:-1], resolution) == low[1:]) & (exact[:-1] == exact[1:])
    starts = np.concatenate([[True], ~joins])
    ends = np.concatenate([np.flatnonzero(starts)[1:] - 1, [len(low) - 1]])
    return CellCover(low[starts], high[ends], exact[starts])


def circle_shapes(lon: float, lat: float, radius_m: float, *, sides: int = 96) -> tuple:
    """A geodesic circle as two lon/lat polygons: one inside it (inscribed) and one around it."""
    import shapely

    azimuths = np.linspace(0.0, 360.0, sides, endpoint=False)

    def ring(r: float) -> "shapely.Polygon":
        lons, lats, _ = _GEOD.fwd(np.full(sides, lon), np.full(sides, lat), azimuths, np.full(sides, r))
        return shapely.Polygon(list(zip(lons, lats)))

    return ring(max(radius_m - 20.0, 0.5)), ring(radius_m / np.cos(np.pi / sides) + 20.0)


def disk_ranges(lon: float, lat: float, radius_m: float) -> CellCover:
    """The circle's cover as ranges: :func:`disk_cover` up to 15 km, :func:`shape_cover` beyond."""
    if radius_m <= 15_000:
        cover = disk_cover(lon, lat, radius_m)
        return merge_ranges(CellCover(np.concatenate([cover.inside_low, cover.edge]),
                                      np.concatenate([cover.inside_high, cover.edge]),
                                      np.concatenate([np.zeros(len(cover.inside_low), bool),
                                                      np.ones(len(cover.edge), bool)])))
    inner, outer = circle_shapes(lon, lat, radius_m)
    return shape_cover(inner, outer)
