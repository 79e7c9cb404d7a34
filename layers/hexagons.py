"""H3 hexagons as map shapes, so hexagon heat maps reuse the unit choropleth and class layers."""

from __future__ import annotations

import geopandas as gpd
import shapely

from geo.h3cells import cell_boundaries


def hexagon_shapes(cells: list[str]) -> gpd.GeoDataFrame:
    """Return one polygon per H3 cell, with the cell id in ``code`` (like units)."""
    polygons = [shapely.Polygon(ring) for ring in cell_boundaries(list(cells))]
    return gpd.GeoDataFrame({"code": list(cells)}, geometry=polygons, crs="EPSG:4326")
