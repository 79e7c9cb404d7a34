"""Records of an area: near a point, within a radius, inside a drawn polygon, within a unit.

Every function takes the usual filters and returns an :class:`AreaResult` with the records (a
GeoDataFrame, points where the file gave them) and the counts by kind. Distances are on the
ellipsoid (``geography``); the radius search uses the GiST index on ``geom::geography``.
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
from queries.units import unit_code_column

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


_FILTER_SQL = """
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


def _result(conn: Connection, where: str, params: dict, filters: Filters, *, order: str = "r.decision_date DESC",
            extra_columns: str = "") -> AreaResult:
    sql = (f"SELECT {_COLUMNS}{extra_columns} FROM case_record r WHERE {where} {_FILTER_SQL}"
           f" ORDER BY {order} LIMIT {MAX_ROWS + 1}")
    records = gpd.read_postgis(sa.text(sql), conn, geom_col="geom", params={**params, **filters.params()})
    truncated = len(records) > MAX_ROWS
    records = records.iloc[:MAX_ROWS].rename_geometry("geometry")
    counts_sql = f"SELECT r.kind, count(*) AS cases FROM case_record r WHERE {where} {_FILTER_SQL} GROUP BY 1 ORDER BY 1"
    counts = pd.read_sql(sa.text(counts_sql), conn, params={**params, **filters.params()})
    return AreaResult(records=records, counts=counts, truncated=truncated)


def records_within_radius(conn: Connection, lon: float, lat: float, *, radius_m: float,
                          filters: Filters = Filters()) -> AreaResult:
    """Return records within ``radius_m`` metres of (lon, lat), on the ellipsoid, nearest first."""
    lon, lat = check_lon_lat(lon, lat)
    if not (isinstance(radius_m, (int, float)) and 1 <= radius_m <= MAX_RADIUS_M):
        raise InvalidArgumentError(f"`radius_m` must be between 1 and {MAX_RADIUS_M:,}, got {radius_m!r}.")
    centre = "CAST(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS geography)"
    where = f"r.geom IS NOT NULL AND ST_DWithin(CAST(r.geom AS geography), {centre}, :radius)"
    return _result(conn, where, {"lon": lon, "lat": lat, "radius": float(radius_m)}, filters,
                   order=f"ST_Distance(CAST(r.geom AS geography), {centre})",
                   extra_columns=f", ST_Distance(CAST(r.geom AS geography), {centre}) AS distance_m")


def nearest_records(conn: Connection, lon: float, lat: float, *, n: int = 10,
                    filters: Filters = Filters()) -> gpd.GeoDataFrame:
    """Return the ``n`` records with coordinates nearest to (lon, lat), with ``distance_m``."""
    lon, lat = check_lon_lat(lon, lat)
    if not (isinstance(n, int) and 1 <= n <= 1000):
        raise InvalidArgumentError(f"`n` must be an integer between 1 and 1,000, got {n!r}.")
    centre = "CAST(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS geography)"
    sql = (f"SELECT {_COLUMNS}, ST_Distance(CAST(r.geom AS geography), {centre}) AS distance_m"
           f" FROM case_record r WHERE r.geom IS NOT NULL {_FILTER_SQL}"
           f" ORDER BY CAST(r.geom AS geography) <-> {centre} LIMIT :n")
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


def records_in_polygon(conn: Connection, geojson: str | dict, *, filters: Filters = Filters()) -> AreaResult:
    """Return records inside a drawn polygon (repaired when invalid; points on its edge count)."""
    geom = polygon_from_geojson(geojson)
    where = ("r.geom IS NOT NULL AND CAST(r.geom AS geography) && CAST(ST_GeomFromText(:wkt, 4326) AS geography)"
             " AND ST_Covers(ST_GeomFromText(:wkt, 4326), r.geom)")
    return _result(conn, where, {"wkt": geom.wkt}, filters)


def records_in_unit(conn: Connection, *, level: str, code: str, filters: Filters = Filters()) -> AreaResult:
    """Return records of a 2025 province or commune, by the codes stored at import.

    Records located by code or by an old code count too (they have no point).
    """
    column = unit_code_column(level)
    width = 2 if level == "province" else 5
    if not (isinstance(code, str) and code.isdigit() and len(code) == width):
        raise InvalidArgumentError(f"`code` of a {level} must be {width} digits, got {code!r}.")
    return _result(conn, f"r.{column} = :code", {"code": code}, filters)
