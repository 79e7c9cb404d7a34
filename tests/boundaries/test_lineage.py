"""Lineage rows from a conversion table: kinds, splits and weights."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely import box

from boundaries.lineage import commune_lineage, province_lineage


def _table(rows):
    cols = ["ma_xa_cu", "ma_xa_moi", "phan_loai", "ghi_chu", "ma_huyen_cu"]
    return pd.DataFrame(rows, columns=cols)


def test_split_old_commune_gets_equal_weights_without_polygons():
    table = _table([
        ["00001", "10000", "toan_bo", "Nhập toàn bộ", "001"],
        ["00002", "10000", "mot_phan", "Nhập một phần", "001"],
        ["00002", "10001", "mot_phan", "Nhập một phần", "001"],
        ["00002", "10002", "mot_phan", "Nhập một phần", "001"],
        ["00003", "10003", "khac", "Đổi tên", "001"],
    ])
    rows, unused = commune_lineage(table)
    assert unused.empty
    split = rows[rows["old_code"] == "00002"]
    assert list(split["kind"]) == ["part"] * 3
    assert split["weight"].tolist() == pytest.approx([1 / 3] * 3)
    assert set(split["weight_method"]) == {"equal"}
    assert rows.set_index("old_code").loc["00001", "kind"] == "whole"
    assert rows.set_index("old_code").loc["00003", "kind"] == "unchanged"


def test_split_weights_follow_area_when_both_sides_have_polygons():
    table = _table([["00002", "10001", "mot_phan", "", "001"], ["00002", "10002", "mot_phan", "", "001"]])
    old = {"00002": box(0, 0, 0.04, 0.01)}
    new = {"10001": box(0, 0, 0.01, 0.01), "10002": box(0.01, 0, 0.05, 0.01)}
    rows, _ = commune_lineage(table, old_geoms=old, new_geoms=new)
    weights = rows.set_index("new_code")["weight"]
    assert weights["10001"] == pytest.approx(0.25, rel=1e-3)
    assert weights["10002"] == pytest.approx(0.75, rel=1e-3)
    assert set(rows["weight_method"]) == {"area"}


def test_island_district_maps_to_its_special_zone_and_a_partial_area_is_unused():
    table = _table([
        ["", "11948", "khac", "Sắp xếp toàn bộ huyện Bạch Long Vĩ thành đặc khu Bạch Long Vĩ", "318"],
        ["", "14698", "toan_bo", "Khu vực bãi bồi ven biển do huyện Kim Sơn quản lý", "376"],
    ])
    rows, unused = commune_lineage(table)
    assert rows[["old_level", "old_code", "new_code", "weight"]].values.tolist() == [["district", "318", "11948", 1.0]]
    assert len(unused) == 1


def test_province_lineage_marks_unchanged_provinces():
    table = pd.DataFrame({"ma_tinh_cu": ["01", "02", "08"], "ma_tinh_moi": ["01", "08", "08"]})
    rows = province_lineage(table).set_index("old_code")
    assert rows.loc["01", "kind"] == "unchanged"
    assert rows.loc["02", "kind"] == "whole" and rows.loc["08", "kind"] == "whole"
