"""Area-query overlays: the records as clustered markers, the queried area, the drawing tool."""

from __future__ import annotations

import json
from collections.abc import Mapping

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.plugins import Draw, FastMarkerCluster
from jinja2 import Template

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


class DrawTexts(MacroElement):
    """Replace Leaflet.draw's English texts (``L.drawLocal``) before its toolbar is built.

    ``texts`` maps a dotted path of ``L.drawLocal`` (``draw.toolbar.buttons.polygon``) to the
    already-translated text; the element must be added to the map before the Draw control, since
    the toolbar reads ``L.drawLocal`` when it is created.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (texts) {
            Object.keys(texts).forEach(function (path) {
                var node = L.drawLocal, parts = path.split('.');
                for (var i = 0; i < parts.length - 1; i++) { node = node[parts[i]] = node[parts[i]] || {}; }
                node[parts[parts.length - 1]] = texts[path];
            });
        })({{ this.texts_json }});
        {% endmacro %}
    """)

    def __init__(self, texts: Mapping[str, str]):
        super().__init__()
        self._name = "DrawTexts"
        self.texts_json = json.dumps(dict(texts), ensure_ascii=False)


def draw_control(fmap: folium.Map | None = None, *, texts: Mapping[str, str] | None = None) -> Draw:
    """Return a drawing tool limited to polygons and rectangles (the shapes an area query takes).

    With ``fmap`` and ``texts`` (``L.drawLocal`` paths → translated texts), the texts are added to
    the map first, so the toolbar speaks the user's language.
    """
    if fmap is not None and texts:
        DrawTexts(texts).add_to(fmap)
    return Draw(export=False, position="topleft",
                draw_options={"polyline": False, "circle": False, "marker": False, "circlemarker": False,
                              "polygon": {"allowIntersection": False, "showArea": False}, "rectangle": True},
                edit_options={"edit": False, "remove": True})
