"""Folium map layers and charts built from query results (no SQL here, no language choice)."""

from layers.areas import area_outline, draw_control, radius_circle, record_cluster
from layers.assets import external_assets, localise, use_local_assets, vendor_all
from layers.boundaries import base_map, fit_to, units_layer
from layers.charts import funnel_chart
from layers.choropleth import choropleth_layer, class_layer, legend_html
from layers.hexagons import hexagon_shapes

__all__ = ["area_outline", "base_map", "choropleth_layer", "class_layer", "draw_control", "external_assets",
           "fit_to", "funnel_chart", "hexagon_shapes", "legend_html", "localise", "radius_circle",
           "record_cluster", "units_layer", "use_local_assets", "vendor_all"]
