"""Folium map layers built from query results (no SQL here)."""

from layers.assets import use_local_assets, vendor_assets
from layers.boundaries import base_map, fit_to, units_layer

__all__ = ["base_map", "fit_to", "units_layer", "use_local_assets", "vendor_assets"]
