"""Read boundary sources into one frame shape, whatever the file's own field names.

Every reader returns the columns ``code, name, short_name, unit_type, parent_code,
population`` (and ``geometry`` for layers), codes as zero-padded strings. A file that cannot be
read raises :class:`DatasetCorruptError` naming the file, so a damaged download is reported as
such rather than as a stack trace from GDAL.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.crs import WGS84
from geo.errors import DatasetCorruptError

UNIT_COLUMNS = ["code", "name", "short_name", "unit_type", "parent_code", "population"]

# Field mappings: our column -> the source's column, per registered layer.
COMMUNES_2025_FIELDS = {"code": "ma_xa", "name": "ten_xa_nso", "short_name": "ten_xa",
                        "unit_type": "loai", "parent_code": "ma_tinh", "population": "dan_so"}
PROVINCES_2025_FIELDS = {"code": "ma_tinh", "name": "ten_tinh_nso", "short_name": "ten_tinh",
                         "unit_type": "loai", "population": "dan_so"}
PROVINCES_63_FIELDS = {"code": "ma_tinh_cu", "name": "ten_tinh_cu_nso"}
DISTRICTS_2019_FIELDS = {"code": "ma_huyen_cu", "name": "ten_huyen_cu", "parent_code": "ma_tinh_cu"}

_CODE_WIDTH = {"province": 2, "district": 3, "commune": 5}

# Longest first, so "Thành phố" wins over a shorter prefix.
_TYPE_PREFIXES = ["Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận", "Tỉnh", "Xã"]


def split_type_prefix(name: str) -> tuple[str, str]:
    """Split an official name into its unit type and short name ("Phường Ba Đình" -> type, name)."""
    name = unicodedata.normalize("NFC", " ".join(str(name).split()))
    for prefix in _TYPE_PREFIXES:
        if name.lower().startswith(prefix.lower() + " "):
            return prefix, name[len(prefix) + 1 :]
    return "", name


def pad_code(values: pd.Series, level: str) -> pd.Series:
    """Return codes as zero-padded strings of the width the level uses (numbers lose zeros)."""
    width = _CODE_WIDTH[level]
    as_text = values.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    return as_text.str.zfill(width)


def _finish(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    out = frame.copy()
    out["code"] = pad_code(out["code"], level)
    out["name"] = out["name"].map(lambda s: unicodedata.normalize("NFC", " ".join(str(s).split())))
    split = out["name"].map(split_type_prefix)
    if "unit_type" not in out or out["unit_type"].isna().all():
        out["unit_type"] = split.map(lambda t: t[0])
    if "short_name" not in out or out["short_name"].isna().all():
        out["short_name"] = split.map(lambda t: t[1])
    if "parent_code" in out and out["parent_code"].notna().any():
        parent_level = {"commune": "province", "district": "province", "province": None}[level]
        if parent_level:
            out["parent_code"] = pad_code(out["parent_code"], parent_level)
    else:
        out["parent_code"] = None
    if "population" not in out:
        out["population"] = pd.NA
    out["population"] = pd.array(out["population"], dtype="Int64")
    out["unit_type"] = out["unit_type"].astype("string")
    cols = UNIT_COLUMNS + (["geometry"] if "geometry" in out else [])
    return out[cols]


def read_layer(path: Path, *, layer: str, fields: Mapping[str, str], level: str) -> gpd.GeoDataFrame:
    """Read an OGR layer (GeoPackage, Shapefile, GeoJSON) and rename its fields to ours."""
    try:
        raw = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # GDAL raises several unrelated types for a damaged file
        raise DatasetCorruptError(
            f"Không đọc được lớp '{layer}' trong {path}. / Cannot read layer '{layer}' of {path}: "
            f"{exc}. The file may be truncated or not a {path.suffix} file."
        ) from exc
    missing = [src for src in fields.values() if src not in raw.columns]
    if missing:
        raise DatasetCorruptError(
            f"Layer '{layer}' of {path} lacks the fields {missing}; it has {list(raw.columns)}."
        )
    if raw.crs is not None and raw.crs.to_epsg() != WGS84:
        raw = raw.to_crs(WGS84)
    frame = raw.rename(columns={src: ours for ours, src in fields.items()})
    frame = _finish(frame, level)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)


def read_official_2025(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the official NSO code list into (provinces, communes) frames."""
    try:
        nested = json.loads(Path(path).read_text(encoding="utf-8"))
        provinces = pd.DataFrame(
            [{"code": p["code"], "name": p["name"], "division_type": p["division_type"]} for p in nested]
        )
        communes = pd.DataFrame(
            [{"code": w["code"], "name": w["name"], "division_type": w["division_type"],
              "parent_code": p["code"]} for p in nested for w in p["wards"]]
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DatasetCorruptError(f"Cannot read the official code list {path}: {exc}") from exc
    provinces["code"] = pad_code(provinces["code"], "province")
    communes["code"] = pad_code(communes["code"], "commune")
    communes["parent_code"] = pad_code(communes["parent_code"], "province")
    return provinces, communes


def read_communes_pre2025(path: Path) -> pd.DataFrame:
    """Read the pre-reform commune list (no geometry); the parent is the old district."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        frame = raw.rename(columns={"Mã PX": "code", "Phường Xã": "name", "Cấp": "unit_type",
                                    "Mã QH": "parent_code"})[["code", "name", "unit_type", "parent_code"]]
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise DatasetCorruptError(f"Cannot read the pre-reform commune list {path}: {exc}") from exc
    # Island districts without communes appear as rows with no commune code: not communes.
    frame = frame[frame["code"].str.strip() != ""].copy()
    frame["code"] = pad_code(frame["code"], "commune")
    out = _finish(frame.drop(columns=["parent_code"]), "commune")
    out["parent_code"] = pad_code(frame["parent_code"], "district").to_numpy()
    return out


def read_csv_table(path: Path, *, required: list[str]) -> pd.DataFrame:
    """Read a small CSV table as text, checking that the ``required`` columns are there."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatasetCorruptError(f"Cannot read {path}: {exc}") from exc
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise DatasetCorruptError(f"{path} lacks the columns {missing}; it has {list(table.columns)}.")
    return table


def as_multipolygons(geoms: np.ndarray) -> np.ndarray:
    """Return valid MultiPolygons: repaired, stripped of lines and points, promoted."""
    geoms = shapely.make_valid(np.asarray(geoms, dtype=object))
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            out[i] = None
            continue
        polys = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
        parts = [q for p in polys for q in shapely.get_parts(p)]
        out[i] = shapely.MultiPolygon(parts) if parts else None
    return out
