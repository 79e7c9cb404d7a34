"""Locate records: coordinates, then a 2025 commune code, then an old code, then names.

Returns, per row, the 2025 commune and province, how the row was located, the point (only
when the file gave coordinates) and its H3 cell; or a quarantine reason. A row with a pre-2025
code of a commune that was split is attributed to one of its parts, chosen by the lineage
weights with a draw seeded by the row's source id (so re-imports give the same answer and
many such rows spread in proportion to the weights), and marked ``estimated``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import h3
import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from boundaries.point_index import CommuneIndex
from etl.vocabulary import fold

H3_RESOLUTION = 9

_PREFIXES = ("thanh_pho_", "tp_", "tinh_", "xa_", "phuong_", "dac_khu_", "thi_tran_", "thi_xa_", "huyen_", "quan_")
_PROVINCE_ALIASES = {"hcm": "79", "tphcm": "79", "ho_chi_minh": "79", "sai_gon": "79", "hn": "01",
                     "thua_thien_hue": "46", "hue": "46"}


def name_key(name: object) -> str:
    """Fold a unit name for matching: no accents, no type prefix, y/i spelling unified."""
    key = fold(str(name))
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
            break
    return re.sub(r"(?<=[^aeiou_])y(?=_|$)", "i", key)


@dataclass
class Gazetteer:
    """Everything needed to locate a record without a point, read once per import."""

    commune_province: dict[str, str]  # current commune -> province
    old_communes: set[str]
    lineage: dict[str, list[tuple[str, float]]]  # old commune -> [(new commune, weight)]
    province_by_key: dict[str, str]  # folded province name (new or old) -> current province code
    commune_by_name: dict[tuple[str, str], list[str]]  # (province, folded name) -> current codes
    old_by_name: dict[tuple[str, str], list[str]]  # (current province, folded old name) -> old codes


def load_gazetteer(conn: Connection) -> Gazetteer:
    """Read current and pre-2025 units and the lineage from the database."""
    current = conn.execute(sa.text(
        "SELECT code, name, parent_code, level FROM admin_unit WHERE valid_to IS NULL")).all()
    commune_province = {c: p for c, _, p, lvl in current if lvl == "commune"}
    province_by_key: dict[str, str] = {}
    commune_by_name: dict[tuple[str, str], list[str]] = {}
    for code, name, parent, level in current:
        if level == "province":
            province_by_key[name_key(name)] = code
        else:
            commune_by_name.setdefault((parent, name_key(name)), []).append(code)
    for old_code, name, new_code in conn.execute(sa.text(
            "SELECT u.code, u.name, l.new_code FROM admin_unit u JOIN unit_lineage l"
            " ON l.old_level = 'province' AND l.old_code = u.code"
            " WHERE u.level = 'province' AND u.valid_to = DATE '2025-07-01'")):
        province_by_key.setdefault(name_key(name), new_code)
    province_by_key.update({k: v for k, v in _PROVINCE_ALIASES.items() if v in commune_province.values()})
    lineage: dict[str, list[tuple[str, float]]] = {}
    for old, new, weight in conn.execute(sa.text(
            "SELECT old_code, new_code, weight FROM unit_lineage WHERE old_level = 'commune' ORDER BY old_code, new_code")):
        lineage.setdefault(old, []).append((new, weight))
    old_names = conn.execute(sa.text(
        "SELECT code, name FROM admin_unit WHERE level = 'commune' AND valid_to = DATE '2025-07-01'")).all()
    old_by_name: dict[tuple[str, str], list[str]] = {}
    for code, name in old_names:
        for province in {commune_province.get(new) for new, _ in lineage.get(code, [])} - {None}:
            old_by_name.setdefault((province, name_key(name)), []).append(code)
    return Gazetteer(commune_province, {c for c, _ in old_names}, lineage, province_by_key,
                     commune_by_name, old_by_name)


def _weighted_pick(parts: list[tuple[str, float]], seed_text: str) -> str:
    draw = int(hashlib.md5(seed_text.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    cumulative = np.cumsum([w for _, w in parts])
    return parts[int(np.searchsorted(cumulative / cumulative[-1], draw, side="right").clip(0, len(parts) - 1))][0]


def _from_old(old: str, source_id: str, gaz: Gazetteer) -> tuple[str, str] | None:
    parts = gaz.lineage.get(old)
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0][0], "old_code"
    return _weighted_pick(parts, f"{source_id}|{old}"), "estimated"


@dataclass
class Located:
    """Per input row (same index): location columns, or a quarantine reason."""

    frame: pd.DataFrame  # commune_code, province_code, old_commune_code, located_by, lon, lat, h3_9
    reason: pd.Series  # reason code or "" per row
    reason_field: pd.Series
    reason_value: pd.Series


def _pad5(values: pd.Series) -> pd.Series:
    text = values.fillna("").astype(str).str.strip()
    return text.where(~(text.str.fullmatch(r"\d{1,5}")), text.str.zfill(5))


def _to_float(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce")


def locate(rows: pd.DataFrame, *, index: CommuneIndex, gazetteer: Gazetteer, snap_tolerance_m: float) -> Located:
    """Locate each row of ``rows`` (text columns named as in :data:`etl.specs.LOCATION_ALIASES`)."""
    n = len(rows)
    col = {c: rows[c] if c in rows else pd.Series([""] * n, index=rows.index) for c in
           ("lon", "lat", "commune_code", "old_commune_code", "commune_name", "province_name", "source_id")}
    out = pd.DataFrame(index=rows.index, data={
        "commune_code": None, "province_code": None, "old_commune_code": None, "located_by": None,
        "lon": np.nan, "lat": np.nan, "h3_9": pd.array([pd.NA] * n, dtype="Int64")})
    reason = pd.Series("", index=rows.index, dtype=object)
    reason_field = pd.Series("", index=rows.index, dtype=object)
    reason_value = pd.Series("", index=rows.index, dtype=object)

    # 1. Coordinates.
    has_xy = (col["lon"] != "") | (col["lat"] != "")
    lon, lat = _to_float(col["lon"]), _to_float(col["lat"])
    bad_xy = has_xy & (lon.isna() | lat.isna() | ~np.isfinite(lon.fillna(0)) | ~np.isfinite(lat.fillna(0)))
    reason[bad_xy] = "bad_coordinates"
    reason_value[bad_xy] = col["lon"][bad_xy] + ", " + col["lat"][bad_xy]
    good_xy = has_xy & ~bad_xy
    if good_xy.any():
        x, y = lon[good_xy].to_numpy(), lat[good_xy].to_numpy()
        found = index.assign(x, y, snap_tolerance_m=snap_tolerance_m)
        ok = found.index >= 0
        rows_ok = good_xy[good_xy].index[ok]
        codes = index.codes[found.index[ok]]
        out.loc[rows_ok, "commune_code"] = codes
        out.loc[rows_ok, "province_code"] = [gazetteer.commune_province[c] for c in codes]
        out.loc[rows_ok, "located_by"] = np.where(found.snapped[ok], "snapped", "point")
        out.loc[rows_ok, "lon"], out.loc[rows_ok, "lat"] = x[ok], y[ok]
        out.loc[rows_ok, "h3_9"] = [h3.str_to_int(h3.latlng_to_cell(b, a, H3_RESOLUTION)) for a, b in zip(x[ok], y[ok])]
        missed = good_xy[good_xy].index[~ok]
        if len(missed):
            swapped = index.lookup(y[~ok], x[~ok]) >= 0
            reason[missed] = np.where(swapped, "swapped_coordinates", "outside_vietnam")
            reason_value[missed] = [f"{a}, {b}" for a, b in zip(x[~ok], y[~ok])]

    # 2. A 2025 commune code, and 3. an old code with a single successor: vectorised.
    unplaced = out["located_by"].isna() & (reason == "")
    code_col = _pad5(col["commune_code"])
    old_col = _pad5(col["old_commune_code"])
    by_code = unplaced & code_col.isin(gazetteer.commune_province.keys())
    out.loc[by_code, "commune_code"] = code_col[by_code]
    out.loc[by_code, "located_by"] = "code"
    single = {o: parts[0][0] for o, parts in gazetteer.lineage.items() if len(parts) == 1}
    by_old = unplaced & ~by_code & (code_col == "") & old_col.isin(single.keys())
    out.loc[by_old, "commune_code"] = old_col[by_old].map(single)
    out.loc[by_old, "old_commune_code"] = old_col[by_old]
    out.loc[by_old, "located_by"] = "old_code"
    placed = by_code | by_old
    out.loc[placed, "province_code"] = out.loc[placed, "commune_code"].map(gazetteer.commune_province)

    # The rest (split old codes, names, errors) row by row: rare, and each needs a lookup.
    pending = out.index[out["located_by"].isna() & (reason == "")]
    for i in pending:
        code, old, source_id = col["commune_code"][i].strip(), col["old_commune_code"][i].strip(), col["source_id"][i]
        code = code.zfill(5) if code.isdigit() and len(code) <= 5 else code
        old = old.zfill(5) if old.isdigit() and len(old) <= 5 else old
        result: tuple[str, str] | None = None
        if code:
            if code in gazetteer.commune_province:
                result = (code, "code")
            elif code in gazetteer.lineage:  # an old code in the "commune code" column
                old, result = code, _from_old(code, source_id, gazetteer)
            else:
                reason[i], reason_field[i], reason_value[i] = "unknown_code", "commune_code", code
                continue
        elif old:
            result = _from_old(old, source_id, gazetteer)
            if result is None:
                reason[i], reason_field[i], reason_value[i] = "unknown_old_code", "old_commune_code", old
                continue
        elif col["commune_name"][i] or col["province_name"][i]:
            result, problem = _from_names(col["province_name"][i], col["commune_name"][i], source_id, gazetteer)
            if result is None:
                reason[i], reason_value[i] = problem
                continue
            old = result[2] if len(result) > 2 else None
            result = result[:2]
        else:
            reason[i] = "unlocated"
            continue
        out.at[i, "commune_code"], out.at[i, "located_by"] = result
        out.at[i, "province_code"] = gazetteer.commune_province[result[0]]
        if old and result[1] in ("old_code", "estimated", "name"):
            out.at[i, "old_commune_code"] = old
    # Keep the pre-2025 code a located row came with, whatever located it: history needs it.
    keep_old = out["old_commune_code"].isna() & out["located_by"].notna() & old_col.isin(gazetteer.lineage.keys())
    out.loc[keep_old, "old_commune_code"] = old_col[keep_old]
    return Located(out, reason, reason_field, reason_value)


def _from_names(province_name: str, commune_name: str, source_id: str, gaz: Gazetteer):
    province = gaz.province_by_key.get(name_key(province_name)) if province_name else None
    label = f"{commune_name}, {province_name}".strip(", ")
    if province is None or not commune_name:
        return None, ("unknown_name", label)
    key = name_key(commune_name)
    current = gaz.commune_by_name.get((province, key), [])
    if len(current) == 1:
        return (current[0], "name"), None
    if len(current) > 1:
        return None, ("ambiguous_name", label)
    old = gaz.old_by_name.get((province, key), [])
    if len(old) == 1:
        picked = _from_old(old[0], source_id, gaz)
        if picked is not None:
            return (picked[0], "estimated" if picked[1] == "estimated" else "name", old[0]), None
    if len(old) > 1:
        return None, ("ambiguous_name", label)
    return None, ("unknown_name", label)
