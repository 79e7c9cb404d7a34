"""Offline maps: every asset a map asks for is a local copy that set-up has vendored."""

from __future__ import annotations

import folium
import geopandas as gpd
import shapely
from folium.plugins import Draw, FastMarkerCluster

from geo.settings import PROJECT_ROOT
from layers.areas import draw_control, record_cluster
from layers.assets import LOCAL_ASSETS, external_assets, localise
from layers.boundaries import base_map


def test_a_map_with_draw_and_clusters_asks_for_local_assets_only():
    fmap = base_map()
    draw_control().add_to(fmap)
    records = gpd.GeoDataFrame({"source_id": ["a", "b"]}, geometry=[shapely.Point(105.8, 21.0), None], crs=4326)
    cluster = record_cluster(records, name="records", tooltips=["a", "b"])
    assert isinstance(cluster, FastMarkerCluster)
    cluster.add_to(fmap)
    assert external_assets(fmap), "the plugins carry CDN addresses before localise()"
    localise(fmap)
    assert external_assets(fmap) == []
    html = fmap.get_root().render()
    assert "cdnjs" not in html and "jsdelivr" not in html and "unpkg" not in html
    assert "/app/static/vendor/leaflet-draw/leaflet.draw.js" in html


def test_every_local_asset_url_is_a_vendored_file():
    # `bash run.sh test` vendors the assets before the suite runs (python -m layers vendor).
    for url in LOCAL_ASSETS.values():
        path = PROJECT_ROOT / "static" / url.removeprefix("/app/static/")
        assert path.is_file(), f"{path} missing: run `python -m layers vendor`"


def test_plugins_of_folium_are_all_known_to_the_local_table():
    for element in (folium.Map(), Draw(), FastMarkerCluster([])):
        names = [name for name, _ in element.default_js + element.default_css]
        localised = localise(element) if isinstance(element, folium.Map) else None
        assert localised is None or external_assets(localised) == []
        assert any(n in LOCAL_ASSETS for n in names)
