"""Map assets served by the app itself: the platform runs on an isolated network.

Leaflet and Leaflet.markercluster come from Debian's packages (``libjs-leaflet`` …);
Leaflet.draw, which Debian does not package, comes from the npm registry (``npm pack``) at
set-up time, never at run time. Both are copied into ``static/vendor`` beside ``app.py`` and
Streamlit serves them under ``/app/static``. Every folium element is pointed at those copies
instead of a CDN, and anything without a local copy is dropped rather than fetched.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import folium

DEBIAN_PACKAGES = ["libjs-leaflet", "libjs-leaflet.markercluster"]
NPM_DRAW_PACKAGE = "leaflet-draw@1.0.4"  # the release folium's Draw plugin is written against
_SYSTEM_DIR = Path("/usr/share/javascript/leaflet")
_FILES = ["leaflet.js", "leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css",
          "leaflet.markercluster.js", "images"]
_DRAW_FILES = ["leaflet.draw.js", "leaflet.draw.css", "images"]
URL_PREFIX = "/app/static/vendor/leaflet"
DRAW_PREFIX = "/app/static/vendor/leaflet-draw"

LOCAL_JS = [("leaflet", f"{URL_PREFIX}/leaflet.js")]
LOCAL_CSS = [("leaflet_css", f"{URL_PREFIX}/leaflet.css")]

# folium's asset names → the local copy; names missing here have no local copy and are dropped
# (jQuery, Bootstrap, Font Awesome: our maps do not use them).
LOCAL_ASSETS = {
    "leaflet": f"{URL_PREFIX}/leaflet.js",
    "leaflet_css": f"{URL_PREFIX}/leaflet.css",
    "markerclusterjs": f"{URL_PREFIX}/leaflet.markercluster.js",
    "markerclustercss": f"{URL_PREFIX}/MarkerCluster.css",
    "markerclusterdefaultcss": f"{URL_PREFIX}/MarkerCluster.Default.css",
    "leaflet_draw_js": f"{DRAW_PREFIX}/leaflet.draw.js",
    "leaflet_draw_css": f"{DRAW_PREFIX}/leaflet.draw.css",
}


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


def vendor_draw(static_dir: Path, *, package: str = NPM_DRAW_PACKAGE) -> Path:
    """Unpack Leaflet.draw from the npm registry into ``static_dir/vendor/leaflet-draw`` (set-up time).

    Skipped when the files are already there, so a second set-up needs no network.
    """
    target = static_dir / "vendor" / "leaflet-draw"
    if all((target / name).exists() for name in _DRAW_FILES):
        return target
    if shutil.which("npm") is None:
        raise FileNotFoundError("npm is missing: install the Debian package `npm` to vendor Leaflet.draw.")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(["npm", "pack", package, "--silent"], cwd=tmp, capture_output=True, text=True)
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise FileNotFoundError(f"`npm pack {package}` failed: {done.stderr.strip()[-300:]}")
        with tarfile.open(tarballs[0]) as archive:
            archive.extractall(tmp, filter="data")
        dist = Path(tmp) / "package" / "dist"
        target.mkdir(parents=True, exist_ok=True)
        for name in _DRAW_FILES:
            src = dist / name
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


def localise(fmap: folium.Map) -> folium.Map:
    """Point every element of ``fmap`` (plugins included) at local copies; drop what has none.

    Call it after all layers and plugins are added: plugins such as Draw and MarkerCluster carry
    CDN addresses of their own.
    """
    def walk(element) -> None:
        for attribute in ("default_js", "default_css"):
            assets = getattr(element, attribute, None)
            if assets:
                setattr(element, attribute, [(name, LOCAL_ASSETS[name]) for name, _url in assets
                                             if name in LOCAL_ASSETS])
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(fmap)
    return fmap


def external_assets(fmap: folium.Map) -> list[str]:
    """Return asset URLs of ``fmap`` that would leave the machine (empty for a good map)."""
    found: list[str] = []

    def walk(element) -> None:
        for attribute in ("default_js", "default_css"):
            found.extend(url for _name, url in getattr(element, attribute, None) or [] if "://" in url)
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(fmap)
    return found
