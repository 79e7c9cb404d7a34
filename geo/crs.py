"""Coordinate reference systems and measurements on the ellipsoid.

Geometry is stored in WGS84 lon/lat. Areas are measured in an equal-area projection, never
in square degrees, so a figure in km² means the same in Hà Giang and in Cà Mau.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pyproj
import shapely

from geo.errors import InvalidArgumentError

WGS84 = 4326
VN2000_UTM48N = 3405  # metric CRS for planar work inside mainland Vietnam
EQUAL_AREA = 6933  # WGS 84 / NSIDC EASE-Grid 2.0 Global: equal-area, world-wide

# Generous envelope of Vietnam's land and sea territory, Hoàng Sa and Trường Sa included.
VIETNAM_BBOX = (101.5, 6.0, 117.9, 23.6)


@lru_cache(maxsize=8)
def _transformer(src: int, dst: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def project(geoms: np.ndarray, *, src: int = WGS84, dst: int = EQUAL_AREA) -> np.ndarray:
    """Return ``geoms`` transformed from ``src`` to ``dst``, made valid again.

    Projection can fold a ring that was valid in degrees (tiny self-touches near shared
    edges), so the result is passed through ``make_valid``.
    """
    tr = _transformer(src, dst)

    def _xy(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    out = shapely.transform(np.asarray(geoms, dtype=object), _xy)
    return shapely.make_valid(out)


def areas_km2(geoms: np.ndarray) -> np.ndarray:
    """Return the ellipsoidal area of each lon/lat geometry in km²."""
    geoms = np.asarray(geoms, dtype=object)
    if geoms.size == 0:
        return np.zeros(0)
    return shapely.area(project(geoms)) / 1e6


def check_lon_lat(lon: object, lat: object) -> tuple[float, float]:
    """Return (lon, lat) as floats, or raise naming what is wrong with them."""
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"`lon` and `lat` must be numbers, got {lon!r}, {lat!r}.") from None
    if not (math.isfinite(lon_f) and math.isfinite(lat_f)):
        raise InvalidArgumentError(f"`lon` and `lat` must be finite, got {lon!r}, {lat!r}.")
    if not (-180 <= lon_f <= 180 and -90 <= lat_f <= 90):
        raise InvalidArgumentError(
            f"`lon` must be in [-180, 180] and `lat` in [-90, 90], got {lon_f}, {lat_f}: "
            "were longitude and latitude swapped?"
        )
    return lon_f, lat_f
