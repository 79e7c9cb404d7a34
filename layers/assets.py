"""Map assets served by the app itself: the platform runs on an isolated network.

Leaflet and its plugins come from Debian's packages (``libjs-leaflet`` …), are copied into
``static/vendor`` beside ``app.py`` at set-up, and Streamlit serves them under
``/app/static``. Every folium element is pointed at those copies instead of a CDN.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import folium

DEBIAN_PACKAGES = ["libjs-leaflet", "libjs-leaflet.markercluster"]
_SYSTEM_DIR = Path("/usr/share/javascript/leaflet")
_FILES = ["leaflet.js", "leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css",
          "leaflet.markercluster.js", "images"]
URL_PREFIX = "/app/static/vendor/leaflet"

LOCAL_JS = [("leaflet", f"{URL_PREFIX}/leaflet.js")]
LOCAL_CSS = [("leaflet_css", f"{URL_PREFIX}/leaflet.css")]


def vendor_assets(static_dir: Path) -> Path:
    """Copy the OS-packaged Leaflet files into ``static_dir/vendor/leaflet`` and return that folder."""
    target = static_dir / "vendor" / "leaflet"
    target.mkdir(parents=True, exist_ok=True)
    for name in _FILES:
        src = _SYSTEM_DIR / name
        if not src.exists():
            raise FileNotFoundError(f"{src} is missing: install the Debian packages {DEBIAN_PACKAGES}.")
        if src.is_dir():
            shutil.copytree(src, target / name, dirs_exist_ok=True)
        else:
            shutil.copy2(src, target / name)
    return target


def use_local_assets(element: folium.Element) -> folium.Element:
    """Point ``element`` (a map) at the local Leaflet copies and drop CDN-only extras."""
    element.default_js = list(LOCAL_JS)
    element.default_css = list(LOCAL_CSS)
    return element
