"""Shapes for maps: the stored display geometries of current units, never the full ones."""

from __future__ import annotations

import geopandas as gpd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import InvalidArgumentError

_LEVELS = ("province", "commune")
_DETAIL_COLUMNS = {"overview": "geom_overview", "detail": "geom_detail"}


def unit_shapes(
    conn: Connection, *, level: str, province_code: str | None = None, detail: str = "overview"
) -> gpd.GeoDataFrame:
    """Return current units of ``level`` with a display geometry, optionally within one province.

    Parameters
    ----------
    level
        ``"province"`` or ``"commune"``.
    province_code
        Two-digit code: only this province (``level="province"``) or its communes.
    detail
        ``"overview"`` (national view, ~400 m) or ``"detail"`` (~40 m).
    """
    if level not in _LEVELS:
        raise InvalidArgumentError(f"`level` must be one of {_LEVELS}, got {level!r}.")
    if detail not in _DETAIL_COLUMNS:
        raise InvalidArgumentError(f"`detail` must be one of {tuple(_DETAIL_COLUMNS)}, got {detail!r}.")
    if province_code is not None and not (isinstance(province_code, str) and province_code.isdigit()
                                          and len(province_code) == 2):
        raise InvalidArgumentError(f"`province_code` must be two digits such as '01', got {province_code!r}.")
    column = _DETAIL_COLUMNS[detail]  # identifier from the allow-list above
    scope = "" if province_code is None else (
        " AND code = :province" if level == "province" else " AND parent_code = :province")
    query = sa.text(
        f"SELECT code, name, short_name, unit_type, parent_code, population, area_km2, {column} AS geom"
        f" FROM admin_unit WHERE level = :level AND valid_to IS NULL{scope} ORDER BY code"
    )
    shapes = gpd.read_postgis(query, conn, geom_col="geom", params={"level": level, "province": province_code})
    return shapes.rename_geometry("geometry")
