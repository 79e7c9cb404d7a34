"""Emerging hotspots: Mann-Kendall on known series, the category rules, growing demo clusters."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from boundaries.store import read_units
from queries.emerging import classify, commune_series, emerging_hotspots, mann_kendall
from queries.hotspots import unit_graph


def test_mann_kendall_of_a_strictly_increasing_series_by_hand():
    z, p = mann_kendall(np.arange(10.0))
    # S = 45, Var = 10·9·25/18 = 125, z = (45 − 1)/√125 = 3.9355
    assert z[0] == pytest.approx(44 / np.sqrt(125))
    assert p[0] < 0.001
    z, p = mann_kendall(np.array([[1.0, 3, 2, 4, 3, 5, 4, 3], [5.0, 4, 3, 2, 1, 0, -1, -2]]))
    assert p[0] > 0.05 and z[1] < 0 and p[1] < 0.01


T, F = True, False


@pytest.mark.parametrize("hot, cold, z, p, expected", [
    ([F, F, F, F, F, T], [F] * 6, 0, 1, "new_hot"),
    ([F, F, F, T, T, T], [F] * 6, 2, 0.01, "consecutive_hot"),
    ([T] * 10, [F] * 10, 3, 0.001, "intensifying_hot"),
    ([T] * 10, [F] * 10, 0.5, 0.6, "persistent_hot"),
    ([T] * 10, [F] * 10, -3, 0.001, "diminishing_hot"),
    ([T, F, T, F, F, T], [F] * 6, 0, 1, "sporadic_hot"),
    ([T, F, F, F, F, T], [F, T, F, F, F, F], 0, 1, "oscillating_hot"),
    ([T] * 9 + [F], [F] * 10, 0, 1, "historical_hot"),
    ([F] * 6, [F, F, F, F, F, T], 0, 1, "new_cold"),
    ([F] * 6, [F] * 6, 0, 1, "no_pattern"),
])
def test_category_rules(hot, cold, z, p, expected):
    assert classify(np.array(hot), np.array(cold), z, p) == expected


def test_growing_demo_clusters_are_classed_as_emerging_hot(engine, demo_loaded):
    with engine.connect() as c:
        units = read_units(c, level="commune")
        series = commune_series(c, pd.Index(units["code"]), start=date(2021, 1, 1), end=date(2025, 12, 31),
                                kinds=["KT_DHVP", "TO_CAO"])  # full years only
    assert series.shape == (3321, 5)
    result = emerging_hotspots(series, unit_graph(units), permutations=99, seed=0).set_index("code")
    growing = result.loc[demo_loaded.truth.growing_hotspots, "category"]
    steady = result.loc[demo_loaded.truth.hotspots, "category"]
    print("growing clusters:", growing.tolist(), "| steady clusters:", steady.tolist())
    assert growing.isin(["new_hot", "consecutive_hot", "intensifying_hot"]).sum() >= 3
    assert steady.str.endswith("_hot").all()
