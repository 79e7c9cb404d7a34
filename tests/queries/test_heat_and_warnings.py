"""H3 heat-map counts and early warnings."""

from __future__ import annotations

from datetime import date

import h3
import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.h3cells import parents_of
from queries.heatmap import h3_hotspots, heat_counts, resolution_for_zoom
from queries.warnings import early_warnings, score_windows

TODAY = date(2026, 11, 24)


def test_parent_cells_by_bit_operations_match_the_h3_library():
    rng = np.random.default_rng(0)
    cells = np.array([h3.str_to_int(h3.latlng_to_cell(lat, lon, 9))
                      for lat, lon in zip(rng.uniform(8, 23, 500), rng.uniform(102, 109, 500))])
    for resolution in (5, 7, 8):
        expected = [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), resolution)) for c in cells]
        assert (parents_of(cells, resolution) == np.array(expected)).all()


def test_heat_counts_add_up_to_the_records_with_a_cell(conn, demo_loaded):
    counts = heat_counts(conn, resolution=7, start=date(2025, 1, 1), end=date(2025, 12, 31))
    total = conn.execute(sa.text("SELECT count(*) FROM case_record WHERE h3_9 IS NOT NULL"
                                 " AND decision_date BETWEEN '2025-01-01' AND '2025-12-31'")).scalar_one()
    assert counts["cases"].sum() == total
    assert all(h3.get_resolution(c) == 7 for c in counts["cell"].head(50))
    assert resolution_for_zoom(6) == 7 and resolution_for_zoom(12) == 9


def test_gi_star_on_h3_cells_marks_the_planted_clusters(conn, demo_loaded):
    counts = heat_counts(conn, resolution=7, start=date(2021, 1, 1), end=TODAY, kinds=["KT_DHVP", "TO_CAO"])
    table = h3_hotspots(counts, seed=0).table
    hot_cells = set(table.loc[table["label"].str.startswith("hot"), "code"])
    seeds = demo_loaded.truth.hotspots
    rows = conn.execute(sa.text("SELECT commune_code, h3_9 FROM case_record WHERE commune_code = ANY(:c)"
                                " AND h3_9 IS NOT NULL"), {"c": seeds}).all()
    frame = pd.DataFrame(rows, columns=["commune", "h3_9"])
    frame["cell"] = [h3.int_to_str(int(c)) for c in parents_of(frame["h3_9"].to_numpy(np.int64), 7)]
    covered = frame.groupby("commune")["cell"].agg(lambda cells: bool(set(cells) & hot_cells))
    print(f"planted clusters with a hot H3 cell (res 7): {int(covered.sum())}/{len(seeds)}")
    assert covered.sum() >= len(seeds) // 2  # cells are ~5 km²: a cluster of communes spans many


def test_a_burst_far_above_the_baseline_alerts_and_ordinary_noise_does_not():
    frame = pd.DataFrame({"code": ["a", "b", "c"], "recent": [12, 3, 0], "baseline": [73, 73, 0]})
    scored = score_windows(frame, window_days=28, baseline_days=730).set_index("code")
    assert scored.loc["a", "expected"] == np.float64(73 / 730 * 28)
    assert scored.loc["a", "alert"] and not scored.loc["b", "alert"] and not scored.loc["c", "alert"]


def test_planted_surges_raise_alerts_routed_to_their_province(conn, demo_loaded):
    alerts = early_warnings(conn, as_of=TODAY, level="commune")
    flagged = alerts[alerts["alert"]]
    assert set(demo_loaded.truth.surges) <= set(flagged["code"])
    row = flagged.set_index("code").loc[demo_loaded.truth.surges[0]]
    assert row["responsible"] == row["province_code"] and len(row["responsible"]) == 2
    print(f"early warnings: {len(flagged)} communes alerted, {len(demo_loaded.truth.surges)} planted")
