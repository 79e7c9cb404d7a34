"""Assign millions of points to communes per second: a lon/lat grid with an exact fallback.

The grid stores, for each cell, the commune that contains the whole cell, ``OUTSIDE`` when no
commune touches it, or ``EDGE`` when a border passes through it (or next to it). Most points
are answered by one array lookup; points in edge cells go to an exact prepared-polygon test
(``STRtree.query(predicate="within")``, the same predicate as PostGIS ``ST_Contains``). Points
in no polygon are snapped to the nearest commune within the tolerance (measured on the
ellipsoid) or left unassigned.

Notes
-----
Border cells are found by sampling every border every ``cell/3`` degrees and then dilating the
marked cells by one ring, so a border that only clips a cell's corner still marks that cell.
The remaining cells form connected regions that lie wholly inside one commune or outside all
of them; one centre test per region labels all its cells.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyproj
import shapely
import sqlalchemy as sa
from scipy import ndimage
from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

OUTSIDE = -1
EDGE = -2
DEFAULT_CELL_DEG = 0.0025  # ~275 m: 44 M cells over Vietnam's extent, ~90 MB as int16
_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class Assignment:
    """Per point: index into the index's ``codes`` (or -1), whether snapped, distance in metres."""

    index: np.ndarray
    snapped: np.ndarray
    distance_m: np.ndarray


class CommuneIndex:
    """A point-in-commune index over a clean coverage.

    Parameters
    ----------
    codes
        Commune codes, one per polygon.
    geoms
        Their (Multi)Polygons in EPSG:4326, non-overlapping.
    cell
        Grid cell size in degrees.
    """

    def __init__(self, codes: np.ndarray, geoms: np.ndarray, *, cell: float = DEFAULT_CELL_DEG,
                 _arrays: dict[str, np.ndarray] | None = None) -> None:
        self.codes = np.asarray(codes, dtype=object)
        self.geoms = np.asarray(geoms, dtype=object)
        if len(self.codes) != len(self.geoms):
            raise ValueError(f"`codes` and `geoms` must have the same length, got {len(self.codes)} and {len(self.geoms)}.")
        if len(self.codes) >= np.iinfo(np.int16).max:
            raise ValueError("Too many polygons for an int16 grid.")
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        self.cell = float(cell)
        minx, miny, maxx, maxy = shapely.total_bounds(self.geoms)
        self.x0, self.y0 = minx - cell, miny - cell
        self.nx = int(np.ceil((maxx - self.x0) / cell)) + 2
        self.ny = int(np.ceil((maxy - self.y0) / cell)) + 2
        if _arrays is None:
            self.grid = self._build()
        else:
            self.grid = _arrays["grid"]
            self.edge_cells, self.edge_poly, self.edge_offsets = (
                _arrays["edge_cells"], _arrays["edge_poly"], _arrays["edge_offsets"])

    def save(self, path: Path) -> None:
        """Write the grid arrays (not the polygons) to ``path`` (.npz)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, grid=self.grid, edge_cells=self.edge_cells, edge_poly=self.edge_poly,
                 edge_offsets=self.edge_offsets, cell=np.array([self.cell]))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, codes: np.ndarray, geoms: np.ndarray) -> CommuneIndex:
        """Rebuild an index from arrays saved by :meth:`save` for the same polygons."""
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
        return cls(codes, geoms, cell=float(arrays["cell"][0]), _arrays=arrays)

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.where(np.isfinite(x), x, -1e9)  # non-finite coordinates land outside the grid
        y = np.where(np.isfinite(y), y, -1e9)
        return (np.floor((x - self.x0) / self.cell).astype(np.int64),
                np.floor((y - self.y0) / self.cell).astype(np.int64))

    def _build(self) -> np.ndarray:
        band = np.zeros((self.ny, self.nx), dtype=bool)
        borders = shapely.segmentize(shapely.boundary(self.geoms), self.cell / 3)
        xy = shapely.get_coordinates(borders)
        ix, iy = self._cells(xy[:, 0], xy[:, 1])
        band[iy, ix] = True
        band = ndimage.binary_dilation(band, structure=np.ones((3, 3), dtype=bool))
        labels, n_regions = ndimage.label(~band)
        # One representative cell per region: its centre decides the whole region.
        first = ndimage.minimum_position(labels, labels=labels, index=np.arange(1, n_regions + 1))
        rows = np.array([p[0] for p in first], dtype=np.int64)
        cols = np.array([p[1] for p in first], dtype=np.int64)
        owner = self._exact(self.x0 + (cols + 0.5) * self.cell, self.y0 + (rows + 0.5) * self.cell)
        lut = np.empty(n_regions + 1, dtype=np.int16)
        lut[0] = EDGE
        lut[1:] = np.where(owner >= 0, owner, OUTSIDE)
        grid = lut[labels].ravel()
        self._classify_band(grid, np.flatnonzero(band.ravel()))
        grid = grid.reshape(self.ny, self.nx)
        log.info("Commune grid %d x %d (%.4f°): %d regions, %.2f%% edge cells", self.nx, self.ny, self.cell,
                 n_regions, 100 * (grid == EDGE).mean())
        return grid

    def _classify_band(self, grid: np.ndarray, band: np.ndarray) -> None:
        """Settle band cells exactly; keep the candidate polygons of cells a border really crosses."""
        rows, cols = np.divmod(band, self.nx)
        x = self.x0 + cols * self.cell
        y = self.y0 + rows * self.cell
        boxes = shapely.box(x, y, x + self.cell, y + self.cell)
        cell_i, poly = self.tree.query(boxes, predicate="intersects")
        count = np.bincount(cell_i, minlength=len(band))
        grid[band[count == 0]] = OUTSIDE
        single = np.flatnonzero(count[cell_i] == 1)
        whole = shapely.contains_properly(self.geoms[poly[single]], boxes[cell_i[single]])
        grid[band[cell_i[single[whole]]]] = poly[single[whole]]
        settled = np.zeros(len(band), dtype=bool)
        settled[count == 0] = True
        settled[cell_i[single[whole]]] = True
        keep = ~settled[cell_i]
        # Candidate lists of the remaining edge cells, in CSR form keyed by flat cell index.
        self.edge_cells = band[np.flatnonzero(~settled)]
        edge_rank = np.cumsum(~settled) - 1
        pair_cell = edge_rank[cell_i[keep]]
        order = np.argsort(pair_cell, kind="stable")
        self.edge_poly = poly[keep][order].astype(np.int32)
        self.edge_offsets = np.searchsorted(pair_cell[order], np.arange(len(self.edge_cells) + 1))

    def _exact(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the polygon index containing each point (interior, as ST_Contains), else -1."""
        out = np.full(len(x), -1, dtype=np.int64)
        if len(x) == 0:
            return out
        points = shapely.points(x, y)
        pt_idx, poly_idx = self.tree.query(points, predicate="within")
        # A point cannot be inside two polygons of a clean coverage; keep the first if it is.
        order = np.argsort(pt_idx, kind="stable")
        pt_idx, poly_idx = pt_idx[order], poly_idx[order]
        keep = np.r_[True, pt_idx[1:] != pt_idx[:-1]] if len(pt_idx) else np.zeros(0, dtype=bool)
        out[pt_idx[keep]] = poly_idx[keep]
        return out

    def lookup(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Return the polygon index containing each point, or -1 (no snapping)."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        ix, iy = self._cells(lon, lat)
        inside = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny) & np.isfinite(lon) & np.isfinite(lat)
        out = np.full(len(lon), OUTSIDE, dtype=np.int64)
        out[inside] = self.grid[iy[inside], ix[inside]]
        edge = np.flatnonzero(out == EDGE)
        if len(edge):
            out[edge] = self._resolve_edges(lon[edge], lat[edge], iy[edge] * self.nx + ix[edge])
        out[out < 0] = -1
        return out

    def _resolve_edges(self, x: np.ndarray, y: np.ndarray, flat_cell: np.ndarray) -> np.ndarray:
        """Exact test of points in edge cells against only the polygons that touch their cell."""
        rank = np.searchsorted(self.edge_cells, flat_cell)
        starts, stops = self.edge_offsets[rank], self.edge_offsets[rank + 1]
        n_cand = stops - starts
        point = np.repeat(np.arange(len(x)), n_cand)
        cand = self.edge_poly[np.repeat(starts, n_cand) + (np.arange(n_cand.sum()) - np.repeat(np.cumsum(n_cand) - n_cand, n_cand))]
        hit = np.zeros(len(point), dtype=bool)
        order = np.argsort(cand, kind="stable")
        polys, first = np.unique(cand[order], return_index=True)
        bounds = np.r_[first, len(order)]
        for k, p in enumerate(polys):
            sel = order[bounds[k]:bounds[k + 1]]
            hit[sel] = shapely.contains_xy(self.geoms[p], x[point[sel]], y[point[sel]])
        out = np.full(len(x), -1, dtype=np.int64)
        out[point[hit][::-1]] = cand[hit][::-1]  # the first candidate wins, as in _exact
        return out

    def assign(self, lon: np.ndarray, lat: np.ndarray, *, snap_tolerance_m: float) -> Assignment:
        """Return containing polygons, snapping points within ``snap_tolerance_m`` of a polygon."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        index = self.lookup(lon, lat)
        snapped = np.zeros(len(lon), dtype=bool)
        distance = np.zeros(len(lon))
        missing = np.flatnonzero((index < 0) & np.isfinite(lon) & np.isfinite(lat))
        distance[index < 0] = np.inf
        if len(missing):
            points = shapely.points(lon[missing], lat[missing])
            # Degrees are never shorter than 100 km at Vietnam's latitudes: a safe search box.
            pt_idx, poly_idx = self.tree.query_nearest(points, max_distance=snap_tolerance_m / 100_000.0,
                                                       all_matches=False)
            if len(pt_idx):
                nearest = shapely.shortest_line(points[pt_idx], self.geoms[poly_idx])
                ends = shapely.get_coordinates(nearest).reshape(-1, 2, 2)
                _, _, metres = _GEOD.inv(ends[:, 0, 0], ends[:, 0, 1], ends[:, 1, 0], ends[:, 1, 1])
                ok = metres <= snap_tolerance_m
                rows = missing[pt_idx[ok]]
                index[rows] = poly_idx[ok]
                snapped[rows] = True
                distance[rows] = metres[ok]
        return Assignment(index=index, snapped=snapped, distance_m=distance)


_CURRENT_COMMUNES = """
SELECT code, content_hash, ST_AsBinary(geom) AS wkb FROM admin_unit
WHERE level = 'commune' AND valid_to IS NULL ORDER BY code
"""

_MEMO: dict[str, CommuneIndex] = {}


def load_commune_index(conn: Connection, *, cache_dir: Path | None = None) -> CommuneIndex:
    """Return the index of the current communes, from memory, the disk cache or built afresh.

    The cache key is a digest of the communes' content hashes, so a new boundary version
    builds a new index by itself.
    """
    rows = conn.execute(sa.text(_CURRENT_COMMUNES)).all()
    if not rows:
        raise ValueError("No current communes in the database: load the boundaries first.")
    key = hashlib.md5("".join(r.content_hash for r in rows).encode()).hexdigest()[:16]
    if key in _MEMO:
        return _MEMO[key]
    codes = np.array([r.code for r in rows], dtype=object)
    geoms = shapely.from_wkb([bytes(r.wkb) for r in rows])
    path = cache_dir / f"commune_index_{key}_{DEFAULT_CELL_DEG}.npz" if cache_dir else None
    if path is not None and path.exists():
        index = CommuneIndex.load(path, codes, geoms)
    else:
        index = CommuneIndex(codes, geoms)
        if path is not None:
            index.save(path)
    _MEMO.clear()
    _MEMO[key] = index
    return index
