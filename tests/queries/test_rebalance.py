"""Rebalancing: balanced contiguous groups on grids with known answers, planner changes, exports."""

from __future__ import annotations

import io
import json
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.errors import InvalidArgumentError
from queries.rebalance import (
    assignment_csv,
    assignment_geojson,
    balance_groups,
    commune_workload,
    imbalance,
    neighbours_of,
    rebalance_province,
    rescore,
)

# A 4 x 4 grid, rows listed bottom to top. Each 2 x 2 quadrant sums to 20 and each half to 40,
# so perfect contiguous splits into 2 and 4 groups exist; the rows and columns are unequal.
LOADS = [9, 1, 2, 2,
         5, 5, 2, 14,
         1, 1, 10, 1,
         8, 10, 8, 1]


def _grid(loads=LOADS, *, island: float | None = None) -> gpd.GeoDataFrame:
    cells = [shapely.box(105 + i * 0.01, 20 + j * 0.01, 105 + (i + 1) * 0.01, 20 + (j + 1) * 0.01)
             for j in range(4) for i in range(4)]
    codes = [f"{k:05d}" for k in range(16)]
    loads = list(loads)
    if island is not None:  # a square off the grid's right edge, touching nothing
        cells.append(shapely.box(105.06, 20.0, 105.07, 20.005))
        codes.append("00016")
        loads.append(island)
    return gpd.GeoDataFrame({"code": codes, "name": [f"Xã {c}" for c in codes], "workload": np.array(loads, float)},
                            geometry=cells, crs="EPSG:4326")


def test_imbalance_by_hand():
    max_mean, cv = imbalance(np.array([10, 20, 30]))
    assert max_mean == pytest.approx(1.5)
    assert cv == pytest.approx(np.sqrt(200 / 3) / 20)  # population standard deviation / mean
    assert np.isnan(imbalance(np.zeros(3))[0])


@pytest.mark.parametrize("k, total", [(2, 40.0), (4, 20.0)])
def test_grid_with_a_perfect_split_is_balanced_exactly(k, total):
    grid = _grid()
    result = balance_groups(grid, k=k, seed=0)
    assert result.groups["workload"].tolist() == [total] * k
    assert result.max_mean == pytest.approx(1.0) and result.cv == pytest.approx(0.0)
    assert result.groups["contiguous"].all() and not result.warnings
    assert sorted(result.assignment["code"]) == sorted(grid["code"])


def test_any_seed_gives_contiguous_groups_no_worse_than_the_start():
    grid = _grid()
    for seed in range(4):
        result = balance_groups(grid, k=4, seed=seed, restarts=1)
        assert result.groups["contiguous"].all()
        assert result.max_mean <= 1.25  # the rows as groups would give 27/20 = 1.35


def test_a_manual_change_that_breaks_contiguity_is_reported_and_rescored():
    grid = _grid()
    left_right = {c: (1 if int(c) % 4 < 2 else 2) for c in grid["code"]}  # halves: 40 and 40
    fine = rescore(grid, left_right)
    assert fine.max_mean == pytest.approx(1.0) and not fine.warnings
    moved = dict(left_right, **{"00003": 1})  # bottom-right corner to the left group: not touching it
    result = rescore(grid, moved)
    groups = result.groups.set_index("group")
    assert groups.loc[1, "workload"] == 42 and groups.loc[2, "workload"] == 38
    assert not groups.loc[1, "contiguous"] and groups.loc[1, "parts"] == 2
    assert result.max_mean == pytest.approx(42 / 40)
    assert len(result.warnings) == 1 and "Group 1 is not contiguous" in result.warnings[0]


@pytest.mark.parametrize("change, message", [
    ({"99999": 1}, "codes not in the province: 99999"),
    ({"00003": 0}, "groups must be positive integers"),
    ({"00003": "A"}, "groups must be positive integers"),
])
def test_bad_manual_assignments_are_refused_with_what_to_fix(change, message):
    grid = _grid()
    assignment = {c: 1 for c in grid["code"]} | change
    with pytest.raises(InvalidArgumentError, match=message):
        rescore(grid, assignment)


def test_a_commune_left_without_a_group_is_refused():
    grid = _grid()
    with pytest.raises(InvalidArgumentError, match="communes without a group: 00015"):
        rescore(grid, {c: 1 for c in grid["code"] if c != "00015"})


def test_an_island_is_attached_to_its_nearest_commune_and_never_breaks_contiguity():
    grid = _grid(island=0.0)
    neighbours = neighbours_of(grid)
    assert neighbours.bridges[["code", "to_code"]].values.tolist() == [["00016", "00003"]]
    assert neighbours.bridges["distance_m"].iloc[0] == pytest.approx(2_090, rel=0.05)  # 0.02° at 20° N
    result = balance_groups(grid, k=4, neighbours=neighbours, seed=0)
    groups = result.assignment.set_index("code")["group"]
    assert groups["00016"] == groups["00003"]
    assert result.groups["contiguous"].all()
    # With the island in its own group, the planner is warned only if that group is split.
    assert rescore(grid, {**groups.to_dict(), "00016": 5}, neighbours=neighbours).warnings == ()


@pytest.mark.parametrize("language, header", [
    ("vi", "Mã xã,Tên xã,Nhóm,Khối lượng công việc"),
    ("en", "Commune code,Commune name,Group,Workload"),
    ("both", "Mã xã / Commune code,Tên xã / Commune name,Nhóm / Group,Khối lượng công việc / Workload"),
])
def test_csv_export_has_a_bom_and_the_chosen_headers(language, header):
    grid = _grid()
    result = balance_groups(grid, k=2, seed=0)
    data = assignment_csv(result, language=language)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == header
    table = pd.read_csv(io.StringIO(text), dtype=str)
    assert len(table) == 16 and set(table.iloc[:, 2]) == {"1", "2"}


def test_geojson_export_has_one_feature_per_commune_with_its_group():
    grid = _grid()
    result = balance_groups(grid, k=2, seed=0)
    data = json.loads(assignment_geojson(grid, result))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 16
    props = {f["properties"]["code"]: f["properties"]["group"] for f in data["features"]}
    assert props == dict(zip(result.assignment["code"], result.assignment["group"]))
    assert data["features"][0]["properties"]["name"].startswith("Xã")


def test_bad_k_and_measure_are_refused(conn):
    with pytest.raises(InvalidArgumentError, match="`k` must be between 2 and 16"):
        balance_groups(_grid(), k=17)
    with pytest.raises(InvalidArgumentError, match="`measure` must be one of"):
        commune_workload(conn, province_code="56", measure="violations")


# --- on the demo data ------------------------------------------

def test_demo_province_with_an_island_is_rebalanced_contiguously(engine, demo_loaded):
    with engine.connect() as c:
        result = rebalance_province(c, province_code="56", k=5, measure="cases", start=date(2025, 7, 1),
                                    end=date(2026, 11, 24))
        members = commune_workload(c, province_code="56", measure="members")
    assert "22736" in set(result.neighbours.bridges["code"])  # Trường Sa, far offshore
    assert result.after.groups["contiguous"].all() and not result.after.warnings
    assert result.after.cv < result.before.cv and result.after.max_mean < 1.1
    assert result.after.groups["workload"].sum() == result.units["workload"].sum()
    assert len(result.after.assignment) == len(result.units) == 65
    assert members["workload"].gt(0).all()


def test_demo_current_assignment_is_the_baseline_and_can_be_improved(engine, demo_loaded):
    with engine.connect() as c:
        first = rebalance_province(c, province_code="56", k=3, measure="open_cases")
        current = dict(zip(first.before.assignment["code"], first.before.assignment["group"]))
        again = rebalance_province(c, province_code="56", k=3, measure="open_cases", current=current)
    assert again.before.max_mean == pytest.approx(first.before.max_mean)
    assert again.after.max_mean <= again.before.max_mean
