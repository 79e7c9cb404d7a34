"""Old -> new lineage rows from the official conversion tables.

The NSO table lists, for each new commune, the old communes (or parts) that formed it. An old
commune that went to several new ones is a *split*; records located only by its code must be
shared out, so each part gets a weight: the area share of ``old ∩ new`` where both sides have
polygons, an equal share otherwise (``weight_method`` says which).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import shapely

from geo.crs import areas_km2

EFFECTIVE = "2025-07-01"
LINEAGE_COLUMNS = ["old_level", "old_code", "new_level", "new_code", "kind", "weight",
                   "weight_method", "effective", "note"]


def _kind_of(row: pd.Series) -> str:
    label, note = row["phan_loai"], str(row["ghi_chu"]).lower()
    if label == "toan_bo":
        return "whole"
    if label == "mot_phan":
        return "part"
    if label == "giu_nguyen":
        return "unchanged"
    # "khac": the note says what happened (renamed, retyped, partly merged, whole island).
    if "một phần" in note or "một  phần" in note:
        return "part"
    if note.startswith("đổi"):
        return "unchanged"
    return "whole"


def commune_lineage(
    crosswalk: pd.DataFrame,
    *,
    old_geoms: Mapping[str, shapely.Geometry] | None = None,
    new_geoms: Mapping[str, shapely.Geometry] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (lineage rows, rows that could not be used) from the commune conversion table.

    Rows without an old commune code but with an old district (island districts that became
    special zones) give a district -> commune row; rows with neither are returned as unused.
    """
    old_geoms, new_geoms = old_geoms or {}, new_geoms or {}
    table = crosswalk.copy()
    table["kind"] = table.apply(_kind_of, axis=1)
    has_commune = table["ma_xa_cu"].str.strip() != ""
    # Only a whole island district that became a special zone maps district -> commune; a
    # row naming a district for a piece of it (a coastal alluvial area) cannot be attributed.
    has_district = table["ghi_chu"].str.lower().str.startswith("sắp xếp toàn bộ huyện")
    unused = table[~has_commune & ~has_district]

    communes = table[has_commune].drop_duplicates(["ma_xa_cu", "ma_xa_moi"])
    rows = pd.DataFrame({
        "old_level": "commune", "old_code": communes["ma_xa_cu"].str.zfill(5),
        "new_level": "commune", "new_code": communes["ma_xa_moi"].str.zfill(5),
        "kind": communes["kind"], "note": communes["ghi_chu"],
    })
    districts = table[~has_commune & has_district].drop_duplicates(["ma_huyen_cu", "ma_xa_moi"])
    rows = pd.concat([rows, pd.DataFrame({
        "old_level": "district", "old_code": districts["ma_huyen_cu"].str.zfill(3),
        "new_level": "commune", "new_code": districts["ma_xa_moi"].str.zfill(5),
        "kind": "whole", "note": districts["ghi_chu"],
    })], ignore_index=True)

    targets = rows.groupby(["old_level", "old_code"])["new_code"].transform("size")
    split = targets > 1
    rows.loc[split, "kind"] = "part"
    rows["weight"] = 1.0 / targets
    rows["weight_method"] = np.where(split, "equal", "whole")
    rows = _area_weights(rows, old_geoms=old_geoms, new_geoms=new_geoms)
    rows["effective"] = EFFECTIVE
    return rows[LINEAGE_COLUMNS].reset_index(drop=True), unused


def _area_weights(
    rows: pd.DataFrame, *, old_geoms: Mapping[str, shapely.Geometry], new_geoms: Mapping[str, shapely.Geometry]
) -> pd.DataFrame:
    """Replace equal shares by area shares for splits whose old and new units all have polygons."""
    out = rows.copy()
    for _, group in out[out["weight_method"] == "equal"].groupby(["old_level", "old_code"]):
        old = old_geoms.get(group["old_code"].iloc[0])
        news = [new_geoms.get(c) for c in group["new_code"]]
        if old is None or any(g is None for g in news):
            continue
        parts = areas_km2(shapely.intersection(old, np.array(news, dtype=object)))
        if parts.sum() <= 0 or (parts <= 0).any():
            continue  # polygons do not agree with the table: keep the equal share
        out.loc[group.index, "weight"] = parts / parts.sum()
        out.loc[group.index, "weight_method"] = "area"
    return out


def province_lineage(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Return 63 -> 34 province lineage rows (no province was split, so every weight is 1)."""
    table = crosswalk.drop_duplicates(["ma_tinh_cu", "ma_tinh_moi"])
    sources = table.groupby("ma_tinh_moi")["ma_tinh_cu"].transform("size")
    unchanged = (sources == 1) & (table["ma_tinh_cu"] == table["ma_tinh_moi"])
    return pd.DataFrame({
        "old_level": "province", "old_code": table["ma_tinh_cu"].str.zfill(2),
        "new_level": "province", "new_code": table["ma_tinh_moi"].str.zfill(2),
        "kind": np.where(unchanged, "unchanged", "whole"), "weight": 1.0,
        "weight_method": "whole", "effective": EFFECTIVE, "note": None,
    })[LINEAGE_COLUMNS].reset_index(drop=True)
