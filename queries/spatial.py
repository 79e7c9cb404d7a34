"""Records of an area: near a point, within a radius, inside a drawn polygon, within a unit.

Every function takes the usual filters and returns an :class:`AreaResult` with the records (a
GeoDataFrame, points where the file gave them) and the counts by kind. Distances are on the
ellipsoid (``geography``). Under row-level security the planner uses an index only for
conditions PostgreSQL marks leakproof, and no PostGIS function may be (SECURITY.md): circles and
polygons are therefore read as ranges of the records' stored H3 cell ids (``bigint``, whose
operators are leakproof), from ``geo.h3cells``; only cells the edge crosses get the exact test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.crs import areas_km2, check_lon_lat
from geo.errors import InvalidArgumentError
from geo.h3cells import disk_ranges, shape_cover
from queries.arguments import check_unit_code

MAX_RADIUS_M = 200_000
MAX_POLYGON_KM2 = 400_000  # larger than Vietnam's land: certainly a mistake
MIN_POLYGON_KM2 = 1e-6  # one square metre
MAX_ROWS = 10_000  # records returned for the map and table; the counts by kind are always complete


@dataclass(frozen=True)
class Filters:
    """The filters every area query accepts; ``None`` or empty means "all"."""

    start: date | None = None
    end: date | None = None
    kinds: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subject_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    classifications: tuple[str, ...] = ()

    def params(self) -> dict:
        def arr(values: tuple[str, ...]) -> list[str] | None:
            return list(values) or None

        return {"f_start": self.start, "f_end": self.end, "f_kinds": arr(self.kinds), "f_sectors": arr(self.sectors),
                "f_categories": arr(self.categories), "f_subjects": arr(self.subject_types),
                "f_statuses": arr(self.statuses), "f_classes": arr(self.classifications)}


FILTER_SQL = """
      AND (CAST(:f_start AS date) IS NULL OR r.decision_date >= :f_start)
      AND (CAST(:f_end AS date) IS NULL OR r.decision_date <= :f_end)
      AND (CAST(:f_kinds AS text[]) IS NULL OR r.kind = ANY(CAST(:f_kinds AS text[])))
      AND (CAST(:f_sectors AS text[]) IS NULL OR r.sector = ANY(CAST(:f_sectors AS text[])))
      AND (CAST(:f_categories AS text[]) IS NULL OR r.categories && CAST(:f_categories AS text[]))
      AND (CAST(:f_subjects AS text[]) IS NULL OR r.subject_type = ANY(CAST(:f_subjects AS text[])))
      AND (CAST(:f_statuses AS text[]) IS NULL OR r.status = ANY(CAST(:f_statuses AS text[])))
      AND (CAST(:f_classes AS text[]) IS NULL OR r.classification = ANY(CAST(:f_classes AS text[])))
"""

_COLUMNS = """r.source_id, r.kind, r.subject_type, r.sector, r.categories, r.decision_date, r.status,
       r.conclusion, r.classification, r.commune_code, r.province_code, r.old_commune_code, r.located_by,
       r.geom"""


@dataclass(frozen=True)
class AreaResult:
    """Records of an area and their counts by kind."""

    records: gpd.GeoDataFrame
    counts: pd.DataFrame = field(repr=False)
    truncated: bool = False


_TABLE = "case_record r"
# The cover's ranges joined to the records by their stored cell: a B-tree range scan per range.
_COVERED = ("unnest(CAST(:lo AS bigint[]), CAST(:hi AS bigint[]), CAST(:exact AS boolean[])) AS c(lo, hi, exact)"
            " JOIN case_record r ON r.h3_9 BETWEEN c.lo AND c.hi")


def records_where(conn: Connection, where: str, params: dict, filters: Filters, *, order: str = "r.decision_date DESC",
                  extra_columns: str = "", limit: int = MAX_ROWS, counts: pd.DataFrame | None = None,
                  source: str = _TABLE) -> AreaResult:
    """Return the records of ``source`` (``case_record r`` by default) matching ``where``.

    ``where`` and ``source`` are trusted SQL from this module; values are bound by ``params``.
    """
    if not (isinstance(limit, int) and 1 <= limit <= MAX_ROWS):
        raise InvalidArgumentError(f"`limit` must be between 1 and {MAX_ROWS:,}, got {limit!r}.")
    sql = (f"SELECT {_COLUMNS}{extra_columns} FROM {source} WHERE {where} {FILTER_SQL}"
           f" ORDER BY {order} LIMIT {limit + 1}")
    records = gpd.read_postgis(sa.text(sql), conn, geom_col="geom", params={**params, **filters.params()})
    truncated = len(records) > limit
    records = records.iloc[:limit].rename_geometry("geometry")
    counts = _counts(conn, where, params, filters, source=source) if counts is None else counts
    return AreaResult(records=records, counts=counts, truncated=truncated)


def _counts(conn: Connection, where: str, params: dict, filters: Filters, *, source: str = _TABLE) -> pd.DataFrame:
    sql = f"SELECT r.kind, count(*) AS cases FROM {source} WHERE {where} {FILTER_SQL} GROUP BY 1 ORDER BY 1"
    return pd.read_sql(sa.text(sql), conn, params={**params, **filters.params()})


_CENTRE = "CAST(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS geography)"
_WITHIN = f"r.geom IS NOT NULL AND ST_DWithin(CAST(r.geom AS geography), {_CENTRE}, :radius)"


def _radius_params(lon: float, lat: float, radius_m: float) -> dict:
    lon, lat = check_lon_lat(lon, lat)
    if not (isinstance(radius_m, (int, float)) and 1 <= radius_m <= MAX_RADIUS_M):
        raise InvalidArgumentError(f"`radius_m` must be between 1 and {MAX_RADIUS_M:,}, got {radius_m!r}.")
    return {"lon": lon, "lat": lat, "radius": float(radius_m)}


_IN_CIRCLE = f"(NOT c.exact OR ST_DWithin(CAST(r.geom AS geography), {_CENTRE}, :radius))"


def _circle(params: dict) -> dict:
    """The circle's cover as bound parameters, with its centre and radius."""
    return {**params, **disk_ranges(params["lon"], params["lat"], params["radius"]).params()}


def _radius_counts(conn: Connection, params: dict, filters: Filters) -> pd.DataFrame:
    """Counts by kind within the radius, from the records' stored H3 cells.

    Cells wholly inside the circle are counted without any distance test, as B-tree ranges over
    the stored resolution-9 ids (rows are written in H3 order, so a range is a few adjacent
    pages); only the cells the circle's edge crosses are tested exactly with ``ST_DWithin``.
    The answer is the same as testing every record (``tests/queries/test_spatial.py``).
    """
    return _counts(conn, _IN_CIRCLE, _circle(params), filters, source=_COVERED)


def records_within_radius(conn: Connection, lon: float, lat: float, *, radius_m: float,
                          filters: Filters = Filters(), limit: int = MAX_ROWS) -> AreaResult:
    """Return records within ``radius_m`` metres of (lon, lat), on the ellipsoid, nearest first.

    The records come from the circle's cell cover and are sorted by distance (the ``limit``
    nearest kept); the counts by kind cover all matches.
    """
    params = _circle(_radius_params(lon, lat, radius_m))
    # Ordered by the computed distance, not ``<->``: the distance-ordered index scan would walk the
    # whole table past every row outside the cover's ranges.
    return records_where(conn, _IN_CIRCLE, params, filters, order="distance_m",
                         extra_columns=f", ST_Distance(CAST(r.geom AS geography), {_CENTRE}) AS distance_m",
                         limit=limit, source=_COVERED)


def radius_counts(conn: Connection, lon: float, lat: float, *, radius_m: float,
                  filters: Filters = Filters()) -> pd.DataFrame:
    """Return only the counts by kind within ``radius_m`` metres: no record leaves the database."""
    return _radius_counts(conn, _radius_params(lon, lat, radius_m), filters)


def nearest_records(conn: Connection, lon: float, lat: float, *, n: int = 10,
                    filters: Filters = Filters()) -> gpd.GeoDataFrame:
    """Return the ``n`` records with coordinates nearest to (lon, lat), with ``distance_m``."""
    lon, lat = check_lon_lat(lon, lat)
    if not (isinstance(n, int) and 1 <= n <= 1000):
        raise InvalidArgumentError(f"`n` must be an integer between 1 and 1,000, got {n!r}.")
    sql = (f"SELECT {_COLUMNS}, ST_Distance(CAST(r.geom AS geography), {_CENTRE}) AS distance_m"
           f" FROM case_record r WHERE r.geom IS NOT NULL {FILTER_SQL}"
           f" ORDER BY CAST(r.geom AS geography) <-> {_CENTRE} LIMIT :n")
    return gpd.read_postgis(sa.text(sql), conn, geom_col="geom",
                            params={"lon": lon, "lat": lat, "n": n, **filters.params()}).rename_geometry("geometry")


def polygon_from_geojson(geojson: str | dict) -> shapely.Geometry:
    """Return a valid (Multi)Polygon from a drawn GeoJSON geometry or Feature, or raise with the reason."""
    try:
        data = json.loads(geojson) if isinstance(geojson, str) else dict(geojson)
        if data.get("type") == "Feature":
            data = data.get("geometry") or {}
        geom = shapely.from_geojson(json.dumps(data))
    except (ValueError, TypeError, RecursionError, shapely.errors.GEOSException) as exc:
        raise InvalidArgumentError(f"Vùng vẽ không phải GeoJSON hợp lệ: {exc}. / The drawn area is not valid GeoJSON.") from exc
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise InvalidArgumentError(f"Vùng vẽ phải là đa giác, nhận được {geom.geom_type}. "
                                   f"/ The drawn area must be a polygon, got {geom.geom_type}.")
    if not geom.is_valid:
        repaired = shapely.make_valid(geom)
        parts = [p for p in shapely.get_parts(repaired) if p.geom_type == "Polygon"]
        geom = shapely.MultiPolygon(parts) if parts else shapely.Polygon()
    if geom.is_empty:
        raise InvalidArgumentError("Vùng vẽ rỗng. / The drawn area is empty.")
    area = float(areas_km2(np.array([geom], dtype=object))[0])
    if area > MAX_POLYGON_KM2:
        raise InvalidArgumentError(f"Vùng vẽ quá lớn ({area:,.0f} km²); tối đa {MAX_POLYGON_KM2:,} km². "
                                   f"/ The drawn area is too large ({area:,.0f} km²).")
    if area < MIN_POLYGON_KM2:
        raise InvalidArgumentError("Vùng vẽ quá nhỏ (dưới 1 m²). / The drawn area is smaller than 1 m².")
    return geom


def records_in_polygon(conn: Connection, geojson: str | dict, *, filters: Filters = Filters(),
                       limit: int = MAX_ROWS) -> AreaResult:
    """Return records inside a drawn polygon (repaired when invalid; points on its edge count)."""
    geom = polygon_from_geojson(geojson)
    return records_where(conn, "(NOT c.exact OR ST_Covers(ST_GeomFromText(:wkt, 4326), r.geom))",
                         {"wkt": geom.wkt, **shape_cover(geom).params()}, filters, limit=limit, source=_COVERED)


def records_in_unit(conn: Connection, *, level: str, code: str, filters: Filters = Filters(),
                    limit: int = MAX_ROWS) -> AreaResult:
    """Return records of a 2025 province or commune, by the codes stored at import.

    Records located by code or by an old code count too (they have no point).
    """
    column = check_unit_code(level, code)
    return records_where(conn, f"r.{column} = :code", {"code": code}, filters, limit=limit)
