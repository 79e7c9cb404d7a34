"""Map assets served by the app itself: the platform runs on an isolated network.

Leaflet, Leaflet.markercluster and Leaflet.draw come from the npm registry (``npm pack`` of a
pinned release) at set-up time, never at run time: Leaflet 1.9, the release folium's templates
are written against (Debian ships 1.7). They are unpacked into ``static/vendor`` beside
``app.py`` and Streamlit serves them under ``/app/static``. Every folium element is pointed at
those copies instead of a CDN, and anything without a local copy is dropped rather than fetched.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import folium


@dataclass(frozen=True)
class NpmAsset:
    """A pinned npm release and the files of its ``dist`` folder the maps use."""

    package: str
    folder: str
    files: tuple[str, ...]


LEAFLET = NpmAsset("leaflet@1.9.4", "leaflet", ("leaflet.js", "leaflet.css", "images"))
MARKERCLUSTER = NpmAsset("leaflet.markercluster@1.5.3", "leaflet",
                         ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"))
DRAW = NpmAsset("leaflet-draw@1.0.4", "leaflet-draw", ("leaflet.draw.js", "leaflet.draw.css", "images"))
NPM_ASSETS = (LEAFLET, MARKERCLUSTER, DRAW)

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


def vendor_npm(static_dir: Path, asset: NpmAsset) -> Path:
    """Unpack ``asset`` from the npm registry into ``static_dir/vendor/<folder>`` (set-up time).

    Skipped when the files of that exact release are already there (a stamp file names it), so a
    second set-up needs no network and a version change re-vendors.
    """
    target = static_dir / "vendor" / asset.folder
    stamp = target / f".{asset.package.split('@')[0]}.version"
    if stamp.is_file() and stamp.read_text() == asset.package and all((target / n).exists() for n in asset.files):
        return target
    if shutil.which("npm") is None:
        raise FileNotFoundError(f"npm is missing: install the Debian package `npm` to vendor {asset.package}.")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(["npm", "pack", asset.package, "--silent"], cwd=tmp, capture_output=True, text=True)
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise FileNotFoundError(f"`npm pack {asset.package}` failed: {done.stderr.strip()[-300:]}")
        with tarfile.open(tarballs[0]) as archive:
            archive.extractall(tmp, filter="data")
        dist = Path(tmp) / "package" / "dist"
        target.mkdir(parents=True, exist_ok=True)
        for name in asset.files:
            src = dist / name
            if src.is_dir():
                shutil.copytree(src, target / name, dirs_exist_ok=True)
            else:
                shutil.copy2(src, target / name)
    stamp.write_text(asset.package)
    return target


def vendor_all(static_dir: Path) -> list[Path]:
    """Vendor every map asset; return the folders written."""
    return sorted({vendor_npm(static_dir, asset) for asset in NPM_ASSETS})


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
