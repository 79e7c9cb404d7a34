"""Which commune and province is this point in?

A point inside a commune polygon gets that commune (``method = "contains"``). A point in a gap
between polygons or just offshore gets the nearest commune within the snap tolerance (2 km by
default, on the ellipsoid) and is flagged ``snapped``. Farther out, the answer is "not in
Vietnam", with the reason and the distance to the nearest commune.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.crs import check_lon_lat
from geo.settings import get_settings


@dataclass(frozen=True)
class UnitRef:
    """A current administrative unit."""

    code: str
    name: str
    unit_type: str


@dataclass(frozen=True)
class PointLocation:
    """The units under a point, or why there are none."""

    lon: float
    lat: float
    commune: UnitRef | None
    province: UnitRef | None
    method: str | None  # "contains" | "snapped" | None
    distance_m: float  # 0 inside a polygon; to the nearest commune otherwise
    reason: str | None = None

    @property
    def found(self) -> bool:
        return self.commune is not None

    @property
    def snapped(self) -> bool:
        return self.method == "snapped"


_CONTAINS = """
SELECT c.code, c.name, c.unit_type, p.code, p.name, p.unit_type
FROM admin_unit c
JOIN admin_unit p ON p.level = 'province' AND p.valid_to IS NULL AND p.code = c.parent_code
WHERE c.level = 'commune' AND c.valid_to IS NULL
  AND ST_Intersects(c.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
ORDER BY c.code
LIMIT 1
"""

# The degree box (index-friendly) is wider than the metre tolerance anywhere in Vietnam;
# the exact distance is then measured on the ellipsoid.
_NEAREST = """
WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g)
SELECT c.code, c.name, c.unit_type, p.code, p.name, p.unit_type,
       ST_Distance(c.geom::geography, pt.g::geography) AS distance_m
FROM pt
JOIN admin_unit c ON c.level = 'commune' AND c.valid_to IS NULL AND ST_DWithin(c.geom, pt.g, :box_deg)
JOIN admin_unit p ON p.level = 'province' AND p.valid_to IS NULL AND p.code = c.parent_code
ORDER BY distance_m
LIMIT 1
"""


def _refs(row) -> tuple[UnitRef, UnitRef]:
    return UnitRef(row[0], row[1], row[2]), UnitRef(row[3], row[4], row[5])


def unit_at(conn: Connection, lon: float, lat: float, *, snap_tolerance_m: float | None = None) -> PointLocation:
    """Return the current commune and province at (``lon``, ``lat``) in EPSG:4326.

    Parameters
    ----------
    conn
        Open connection to a database with the boundaries loaded.
    lon, lat
        WGS84 degrees.
    snap_tolerance_m
        How far from the nearest commune a point may be and still be attributed to it
        (default: the ``DIABAN_SNAP_TOLERANCE_M`` setting, 2,000 m).
    """
    lon, lat = check_lon_lat(lon, lat)
    tolerance = float(snap_tolerance_m if snap_tolerance_m is not None else get_settings().snap_tolerance_m)
    row = conn.execute(sa.text(_CONTAINS), {"lon": lon, "lat": lat}).fetchone()
    if row is not None:
        commune, province = _refs(row)
        return PointLocation(lon, lat, commune, province, "contains", 0.0)
    # 1° of latitude is ~110.6 km; longitude degrees are shorter, so this box is always enough.
    box_deg = tolerance / 100_000.0
    row = conn.execute(sa.text(_NEAREST), {"lon": lon, "lat": lat, "box_deg": box_deg}).fetchone()
    if row is not None and row[6] <= tolerance:
        commune, province = _refs(row)
        return PointLocation(lon, lat, commune, province, "snapped", float(row[6]))
    return PointLocation(
        lon, lat, None, None, None, math.inf,
        reason=(f"Điểm ({lon:.5f}, {lat:.5f}) nằm ngoài lãnh thổ Việt Nam (xa hơn {tolerance:,.0f} m "
                f"từ mọi xã). / The point is outside Vietnam: more than {tolerance:,.0f} m from any commune."),
    )
