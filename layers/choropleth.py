"""Choropleth layers: units coloured by a value or by a class, with a legend that says what and in
which unit. Labels arrive translated from the page; this module never chooses a language."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from layers.geojson import feature_collection

SEQUENTIAL = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"]
NO_DATA = "#eeeeee"
OUTLINE = "#546e7a"


def _plain(value: float) -> str:
    return f"{value:,.0f}"


def class_edges(values: np.ndarray) -> np.ndarray:
    """Class limits: quantiles (0, 25, 50, 75, 90, 100 %) of the positive values.

    Maps shown side by side pass the limits of all their values together to every map, so one
    colour means the same figure on each.
    """
    values = np.asarray(values, dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    edges = np.unique(np.quantile(positive, [0, 0.25, 0.5, 0.75, 0.9, 1.0])) if len(positive) else np.array([0.0, 1.0])
    return edges if len(edges) >= 2 else np.array([edges[0], edges[0] + 1])


def choropleth_layer(units: gpd.GeoDataFrame, values: pd.Series, *, name: str, legend: str,
                     fields: list[str], aliases: list[str], format_value: Callable[[float], str] = _plain,
                     outline: float = 0.5, edges: np.ndarray | None = None) -> tuple[folium.GeoJson, str]:
    """Return a layer of ``units`` coloured by ``values`` (indexed by unit code) and its legend HTML.

    Classes are quantiles of the non-zero values, so a few very large units do not wash out
    the rest of the map (``edges`` imposes classes instead, e.g. shared by small multiples).
    ``legend`` names the measure and its unit ("Số vụ việc (vụ)");
    ``format_value`` writes numbers the way the reader's language does; ``outline`` is the border
    width in pixels (0 for small hexagons, whose borders would hide their colour).
    """
    frame = units.copy()
    frame["value"] = frame["code"].map(values).astype(float).fillna(0)
    frame["shown"] = frame["value"].map(format_value)
    edges = class_edges(frame["value"].to_numpy()) if edges is None else np.asarray(edges, dtype=float)
    colours = SEQUENTIAL[: len(edges) - 1]

    def colour_of(value: float) -> str:
        if value <= 0:
            return NO_DATA
        k = int(np.searchsorted(edges, value, side="right")) - 1
        return colours[min(max(k, 0), len(colours) - 1)]

    def style(feature: dict) -> dict:
        return {"fillColor": colour_of(feature["properties"]["value"]), "color": OUTLINE, "weight": outline,
                "fillOpacity": 0.8}

    layer = folium.GeoJson(
        feature_collection(frame, fields + ["value", "shown"]),
        name=name, style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=fields + ["shown"], aliases=aliases + [legend]),
    )
    items = [(NO_DATA, format_value(0))] + [
        (c, f"{format_value(edges[k])} – {format_value(edges[k + 1])}") for k, c in enumerate(colours)]
    return layer, legend_html(legend, items)


def class_layer(units: gpd.GeoDataFrame, classes: pd.Series, *, colours: Mapping[str, str],
                labels: Mapping[str, str], name: str, legend: str, fields: list[str], aliases: list[str],
                default: str) -> tuple[folium.GeoJson, str]:
    """Return a layer of ``units`` coloured by a class per unit code, and its legend HTML.

    ``colours`` and ``labels`` are keyed by class (their order is the legend's order); units
    absent from ``classes`` get ``default``. Only classes present on the map enter the legend.
    """
    frame = units.copy()
    frame["cls"] = frame["code"].map(classes).fillna(default).astype(str)
    frame["label"] = frame["cls"].map(labels).fillna(frame["cls"])
    palette = dict(colours)

    def style(feature: dict) -> dict:
        return {"fillColor": palette.get(feature["properties"]["cls"], NO_DATA), "color": OUTLINE, "weight": 0.5,
                "fillOpacity": 0.8}

    layer = folium.GeoJson(
        feature_collection(frame, fields + ["cls", "label"]),
        name=name, style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=fields + ["label"], aliases=aliases + [legend]),
    )
    present = set(frame["cls"])
    items = [(palette[c], labels.get(c, c)) for c in colours if c in present]
    return layer, legend_html(legend, items)


def legend_html(title: str, items: list[tuple[str, str]]) -> str:
    """Return a small legend (colour swatches and labels) as HTML; no script, works offline."""
    swatches = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:12px">'
        f'<span style="width:14px;height:14px;background:{c};border:1px solid #90a4ae;margin-right:4px"></span>'
        f"{html.escape(label)}</span>" for c, label in items)
    return f'<div class="diaban-legend" style="font-size:0.85rem"><b>{html.escape(title)}</b>: {swatches}</div>'
