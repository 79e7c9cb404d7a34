"""Area-query overlays: the records as clustered markers, the queried area, the drawing tool."""

from __future__ import annotations

import json

import folium
import geopandas as gpd
from folium.plugins import Draw, FastMarkerCluster

RECORD_COLOUR = "#c62828"
AREA_STYLE = {"color": "#1565c0", "weight": 2, "fillColor": "#90caf9", "fillOpacity": 0.15}

# One small circle per record with its tooltip; the cluster plugin groups them by zoom. Data go
# as one array (FastMarkerCluster), not one script line per marker, so 10,000 records stay small.
_MARKER_CALLBACK = """
function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 6, color: '#ffffff', weight: 1, fillColor: 'RECORD_COLOUR', fillOpacity: 0.9});
    marker.bindTooltip(row[2]);
    return marker;
}
""".replace("RECORD_COLOUR", RECORD_COLOUR)


def record_cluster(records: gpd.GeoDataFrame, *, name: str, tooltips: list[str]) -> FastMarkerCluster | None:
    """Return clustered markers of ``records`` with a point (None when none has one).

    ``tooltips`` is one already-translated, HTML-safe line per record, in the records' order.
    """
    has_point = records.geometry.notna() & ~records.geometry.is_empty
    if not has_point.any():
        return None
    points = records.geometry[has_point]
    texts = [tooltips[i] for i, ok in enumerate(has_point.to_numpy()) if ok]
    data = [[round(p.y, 6), round(p.x, 6), text] for p, text in zip(points, texts)]
    return FastMarkerCluster(data, callback=_MARKER_CALLBACK, name=name)


def radius_circle(lon: float, lat: float, radius_m: float, *, name: str) -> folium.Circle:
    """Return the circle of a radius query (metres on the ground, as the query measures)."""
    return folium.Circle(location=(lat, lon), radius=radius_m, name=name,
                         color=AREA_STYLE["color"], weight=2, fill=True, fill_opacity=0.08)


def area_outline(geojson: dict | str, *, name: str) -> folium.GeoJson:
    """Return the outline of a drawn polygon or a chosen unit."""
    data = json.loads(geojson) if isinstance(geojson, str) else geojson
    return folium.GeoJson(data, name=name, style_function=lambda _f: dict(AREA_STYLE))


def draw_control() -> Draw:
    """Return a drawing tool limited to polygons and rectangles (the shapes an area query takes)."""
    return Draw(export=False, position="topleft",
                draw_options={"polyline": False, "circle": False, "marker": False, "circlemarker": False,
                              "polygon": {"allowIntersection": False, "showArea": False}, "rectangle": True},
                edit_options={"edit": False, "remove": True})
