"""Folium layers of administrative units (the basemap of an offline platform)."""

from __future__ import annotations

import folium
import geopandas as gpd

from layers.assets import use_local_assets
from layers.geojson import feature_collection

VIETNAM_CENTER = (15.9, 106.2)
PROVINCE_STYLE = {"color": "#37474f", "weight": 1.2, "fillColor": "#eceff1", "fillOpacity": 0.35}
COMMUNE_STYLE = {"color": "#78909c", "weight": 0.5, "fillColor": "#ffffff", "fillOpacity": 0.0}
SELECTED_STYLE = {"color": "#d84315", "weight": 3, "fillColor": "#ffab91", "fillOpacity": 0.35}


def base_map(*, center: tuple[float, float] = VIETNAM_CENTER, zoom: int = 5,
             tile_url: str | None = None, attribution: str = "") -> folium.Map:
    """Return a map with no external basemap unless ``tile_url`` is given, using local assets.

    Polygons are drawn as SVG (each unit a clickable, testable ``path``); the coverage-simplified
    display geometries keep even the national commune map light enough for that. The default
    view frames the whole country; pages zooming elsewhere call :func:`fit_to` (one framing
    only: a second fit after the first leaves Leaflet's SVG layer clipped to the first view).
    """
    fmap = folium.Map(location=center, zoom_start=zoom, tiles=None, control_scale=True)
    # Without a tile layer Leaflet knows no zoom range, and marker clustering needs one.
    fmap.options.update(max_zoom=18, min_zoom=4)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution or " ", name="basemap").add_to(fmap)
    fmap.get_root().header.add_child(folium.Element(
        "<style>.leaflet-container{background:#cfe3ef}</style>"))  # sea colour, no tiles
    return use_local_assets(fmap)


def units_layer(units: gpd.GeoDataFrame, *, name: str, style: dict,
                fields: list[str], aliases: list[str]) -> folium.GeoJson:
    """Return a GeoJSON layer of ``units`` with a tooltip of ``fields`` labelled by ``aliases``."""
    return folium.GeoJson(
        feature_collection(units, fields),
        name=name,
        style_function=lambda _feature, s=dict(style): s,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=False),
    )


def fit_to(fmap: folium.Map, units: gpd.GeoDataFrame) -> folium.Map:
    """Zoom ``fmap`` to the bounds of ``units``."""
    minx, miny, maxx, maxy = units.total_bounds
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap
