"""Offline maps: every asset a map asks for is a local copy that set-up has vendored."""

from __future__ import annotations

import re

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


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)


def test_every_script_and_stylesheet_a_localised_map_loads_is_a_vendored_file():
    fmap = base_map()
    draw_control().add_to(fmap)
    records = gpd.GeoDataFrame({"source_id": ["a"]}, geometry=[shapely.Point(105.8, 21.0)], crs=4326)
    record_cluster(records, name="records", tooltips=["a"]).add_to(fmap)
    urls = _asset_urls(localise(fmap).get_root().render())
    assert {"/app/static/vendor/leaflet/leaflet.js", "/app/static/vendor/leaflet/leaflet.markercluster.js",
            "/app/static/vendor/leaflet-draw/leaflet.draw.js"} <= set(urls)
    for url in urls:
        assert url.startswith("/app/static/vendor/"), f"{url} is not served by the app"
        path = PROJECT_ROOT / "static" / url.removeprefix("/app/static/")
        assert path.is_file() and path.stat().st_size > 100, f"{path} is missing or empty"


def test_vendored_leaflet_is_the_release_folium_is_written_for():
    folium_url = dict(folium.Map.default_js)["leaflet"]
    wanted = re.search(r"leaflet@(\d+\.\d+)", folium_url).group(1)
    header = (PROJECT_ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").read_text()[:400]
    vendored = re.search(r"Leaflet (\d+\.\d+)", header).group(1)
    assert vendored == wanted, f"folium expects Leaflet {wanted}, the app serves {vendored}"


def test_every_plugin_asset_folium_asks_for_has_a_local_copy_or_is_unused():
    unused = {"jquery", "bootstrap", "bootstrap_css", "awesome_markers", "awesome_markers_font_css",
              "awesome_rotate_css", "awesome_markers_css", "glyphicons_css"}
    for element in (folium.Map(), Draw(), FastMarkerCluster([])):
        for name, _url in element.default_js + element.default_css:
            assert name in LOCAL_ASSETS or name in unused, f"{type(element).__name__} asks for {name}"


def test_draw_toolbar_texts_are_set_before_the_toolbar_is_built():
    fmap = base_map()
    draw_control(fmap, texts={"draw.toolbar.buttons.polygon": "Vẽ đa giác"}).add_to(fmap)
    html = localise(fmap).get_root().render()
    assert '"draw.toolbar.buttons.polygon": "Vẽ đa giác"' in html
    assert html.index("Vẽ đa giác") < html.index("new L.Control.Draw(")


def test_every_leaflet_draw_text_the_catalogue_replaces_exists_in_leaflet_draw():
    from pages.i18n import STRINGS

    script = (PROJECT_ROOT / "static" / "vendor" / "leaflet-draw" / "leaflet.draw.js").read_text()
    for key, (_vi, en) in STRINGS.items():
        if key.startswith("draw."):
            assert f'"{en}"' in script or f"'{en}'" in script, f"{key}: Leaflet.draw has no text {en!r}"
