"""H3 hexagons as map shapes, so hexagon heat maps reuse the unit choropleth and class layers."""

from __future__ import annotations

import geopandas as gpd
import shapely

from geo.h3cells import cell_boundaries
from layers.geojson import GEOMETRY_JSON


def hexagon_shapes(cells: list[str]) -> gpd.GeoDataFrame:
    """Return one polygon per H3 cell, with the cell id in ``code`` (like units) and its GeoJSON."""
    rings = cell_boundaries(list(cells))
    frame = gpd.GeoDataFrame({"code": list(cells)}, geometry=[shapely.Polygon(ring) for ring in rings], crs="EPSG:4326")
    frame[GEOMETRY_JSON] = [{"type": "Polygon", "coordinates": [[list(point) for point in ring]]} for ring in rings]
    return frame
