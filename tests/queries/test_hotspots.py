"""Gi* hotspots against esda on tiny grids, FDR by hand, and the planted demo hotspots found."""

from __future__ import annotations

from datetime import date

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from boundaries.store import read_units
from queries.hotspots import fdr_adjust, find_hotspots, unit_graph
from queries.rates import empirical_bayes, unit_indicators


def _grid(n: int) -> gpd.GeoDataFrame:
    cells = [shapely.box(i, j, i + 1, j + 1) for j in range(n) for i in range(n)]
    return gpd.GeoDataFrame({"code": [f"{k:03d}" for k in range(n * n)]}, geometry=cells)


def test_gi_star_on_a_5x5_grid_matches_esda_with_the_same_seed():
    grid = _grid(5)
    values = pd.Series(np.arange(25, dtype=float) % 7, index=grid["code"])
    graph = unit_graph(grid)
    ours = find_hotspots(values, graph, permutations=999, seed=3).table
    reference = esda.G_Local(values.to_numpy(), graph.transform("B").to_W(), transform="B", permutations=999,
                             star=True, seed=3, n_jobs=1)
    assert np.allclose(ours["statistic"], reference.Zs)
    assert np.allclose(ours["p_sim"], reference.p_sim)
    assert np.allclose(ours["z_sim"], reference.z_sim)
    assert graph.cardinalities.loc["012"] == 8 and graph.cardinalities.loc["000"] == 3  # queen


def test_planted_cluster_on_a_grid_is_hot_and_the_background_is_not():
    grid = _grid(10)
    rng = np.random.default_rng(0)
    values = pd.Series(rng.poisson(5, 100).astype(float), index=grid["code"])
    cluster = ["044", "045", "054", "055"]
    values[cluster] = 30.0
    table = find_hotspots(values, unit_graph(grid), seed=1).table.set_index("code")
    assert set(table.loc[cluster, "label"]) == {"hot_99"}
    far = [f"{k:03d}" for k in (0, 9, 90, 99)]
    assert set(table.loc[far, "label"]) == {"ns"}


def test_fdr_adjust_matches_benjamini_hochberg_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.20])
    # sorted 0.01, 0.03, 0.04, 0.20 -> x 4/1, 4/2, 4/3, 4/4 -> 0.04, 0.06, 0.0533, 0.20 -> monotone from the top
    assert np.allclose(fdr_adjust(p), [0.04, 0.0533333, 0.0533333, 0.20])


def test_empirical_bayes_pulls_small_units_towards_the_mean():
    events = np.array([1.0, 100.0, 0.0, 50.0])
    base = np.array([0.5, 100.0, 0.0, 50.0])  # thousands of members; the third has none
    smoothed = empirical_bayes(events, base)
    assert np.isnan(smoothed[2])
    mean = 151 / 150.5
    assert abs(smoothed[0] - mean) < abs(1 / 0.5 - mean)  # the tiny unit moved towards the mean
    assert smoothed[1] == pytest.approx(1.0, abs=0.05)


def test_islands_get_nearest_neighbours(engine, boundaries_loaded):
    with engine.connect() as c:
        units = read_units(c, level="commune")
    graph = unit_graph(units[units["parent_code"] == "56"])  # Khánh Hòa, with Trường Sa far offshore
    assert len(graph.isolates) == 0
    assert graph.cardinalities.loc["22736"] == 3


def test_planted_demo_hotspots_are_found(engine, demo_loaded):
    truth = demo_loaded.truth
    with engine.connect() as c:
        indicators = unit_indicators(c, level="commune", start=date(2021, 1, 1), end=date(2026, 11, 24),
                                     kinds=["KT_DHVP", "TO_CAO"])
        units = read_units(c, level="commune")
    table = find_hotspots(indicators.set_index("code")["violations"], unit_graph(units), seed=0).table
    hot = set(table.loc[table["label"].str.startswith("hot"), "code"])
    planted = truth.hotspots + truth.growing_hotspots
    found = [seed for seed in planted if seed in hot]
    cluster_units = {c for seed in planted for c in truth.clusters[seed]}
    false_alarm = len(hot - cluster_units) / max(len(hot), 1)
    print(f"planted hotspots found: {len(found)}/{len(planted)}; hot units outside planted clusters: "
          f"{len(hot - cluster_units)} of {len(hot)} ({false_alarm:.0%})")
    assert len(found) == len(planted)
