"""GeoJSON for folium, built from geometry already serialised once per set of shapes.

Serialising 3,321 commune polygons is the slow part of drawing a national map (≈ 0.8 s with
``GeoDataFrame.to_json``); the shapes do not change between reruns, so their geometry is turned
into GeoJSON dicts once (:func:`with_geometry_json`, cached by the page) and each map only adds
its properties.
"""

from __future__ import annotations

import json

import geopandas as gpd
import shapely

GEOMETRY_JSON = "geometry_json"


def with_geometry_json(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``units`` with each geometry also as a GeoJSON dict (column ``geometry_json``)."""
    out = units.copy()
    out[GEOMETRY_JSON] = [json.loads(text) for text in shapely.to_geojson(units.geometry.to_numpy())]
    return out


def feature_collection(units: gpd.GeoDataFrame, columns: list[str]) -> dict:
    """Return a FeatureCollection of ``units`` with ``columns`` as properties (NaN becomes null)."""
    if GEOMETRY_JSON in units:
        geometries = list(units[GEOMETRY_JSON])
    else:
        geometries = [json.loads(text) for text in shapely.to_geojson(units.geometry.to_numpy())]
    properties = units[columns].astype(object).where(units[columns].notna(), None)
    features = [{"type": "Feature", "geometry": geometry, "properties": dict(zip(columns, row))}
                for geometry, row in zip(geometries, properties.itertuples(index=False, name=None))]
    return {"type": "FeatureCollection", "features": features}


