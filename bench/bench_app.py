"""Size of the national commune map and warm server time of each page of the app.

Run: ``.venv/bin/python bench/bench_app.py`` against the prepared database (``bash run.sh app``
prepares it; ``DATABASE_URL`` or the embedded cluster). Chromium render times come from the
browser test, which writes ``test-artifacts/timings.json``.
"""

from __future__ import annotations

import gzip
import time

import pandas as pd
import streamlit_folium
from streamlit.testing.v1 import AppTest

from geo.database import database_url, get_engine
from geo.settings import PROJECT_ROOT
from layers.assets import localise
from layers.boundaries import base_map
from layers.choropleth import choropleth_layer
from layers.geojson import with_geometry_json
from queries.maps import unit_shapes

PAGES = ["pages/overview.py", "pages/heatmap.py", "pages/lagging.py", "pages/area.py", "pages/import_data.py",
         "pages/units_map.py"]


def national_commune_map() -> None:
    with get_engine(database_url()).connect() as conn:
        communes = with_geometry_json(unit_shapes(conn, level="commune"))
    start = time.perf_counter()
    fmap = base_map()
    layer, _ = choropleth_layer(communes, pd.Series(1.0, index=communes["code"]), name="x", legend="x",
                                fields=["name", "code"], aliases=["name", "code"])
    layer.add_to(fmap)
    script, _ = streamlit_folium._generate_leaflet_string(localise(fmap))
    built = time.perf_counter() - start
    raw = script.encode()
    print(f"national commune map ({len(communes):,} communes): {len(raw) / 1e6:.2f} MB raw, "
          f"{len(gzip.compress(raw)) / 1e6:.2f} MB gzip, built in {built:.2f} s")


def warm_pages(repeats: int = 3) -> None:
    for page in PAGES:
        app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
        app.run()
        start = time.perf_counter()
        app.switch_page(page).run()
        cold = time.perf_counter() - start
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - start)
        print(f"{page}: first {cold:.2f} s, warm median {sorted(times)[len(times) // 2]:.2f} s")


if __name__ == "__main__":
    national_commune_map()
    warm_pages()
