"""The demo generator: calibrated, seasonal, deterministic, with pre-2025 codes and a ground truth."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.demo import MEMBERS_NATIONAL, NATIONAL_PER_YEAR, generate_demo


def _frame(engine, query: str) -> pd.DataFrame:
    with engine.connect() as c:
        return pd.read_sql(sa.text(query), c)


def test_demo_loads_every_record_type_and_loses_nothing(demo_loaded):
    counts = demo_loaded.counts
    assert counts["case"] > 150_000 and counts["case_quarantined"] == 0
    assert counts["party_org"] > 3321 and counts["discipline"] > 0 and counts["petition"] > 0 and counts["target"] > 0


def test_members_total_about_five_point_six_million(engine, demo_loaded):
    total = _frame(engine, "SELECT sum(members) AS m FROM party_org WHERE source_file LIKE 'demo-seed11%'")["m"][0]
    assert total == pytest.approx(MEMBERS_NATIONAL, rel=0.05)


def test_kinds_follow_the_national_proportions_and_activity_is_seasonal(engine, demo_loaded):
    cases = _frame(engine, "SELECT kind, decision_date FROM case_record WHERE source_file = 'demo-seed11-cases'"
                           " AND decision_date BETWEEN '2022-01-01' AND '2024-12-31'")
    by_kind = cases["kind"].value_counts()
    national = {k: sum(v) for k, v in NATIONAL_PER_YEAR.items()}
    assert by_kind["KT_THNV"] / by_kind["KT_TAICHINH"] == pytest.approx(national["KT_THNV"] / national["KT_TAICHINH"], rel=0.1)
    first_half = (pd.to_datetime(cases["decision_date"]).dt.month <= 6).mean()
    assert 0.28 < first_half < 0.38


def test_records_before_the_reform_carry_old_codes_and_some_have_no_coordinates(engine, demo_loaded):
    before = _frame(engine, "SELECT located_by, old_commune_code, geom IS NULL AS no_point FROM case_record"
                            " WHERE source_file = 'demo-seed11-cases' AND decision_date < '2025-07-01'")
    assert before["old_commune_code"].notna().mean() > 0.95
    assert 0.2 < before["no_point"].mean() < 0.4
    assert {"old_code", "estimated", "point"} <= set(before["located_by"])


def _rate_per_member(engine, codes: list[str], *, kinds: tuple[str, ...], years: tuple[int, int]) -> tuple[float, float]:
    """Cases per member of the communes ``codes`` and of every other commune, over ``years``."""
    frame = _frame(engine, f"""
        WITH m AS (SELECT commune_code, sum(members) AS members FROM party_org
                   WHERE source_file LIKE 'demo-seed11%' AND commune_code IS NOT NULL GROUP BY 1),
             c AS (SELECT commune_code, count(*) AS cases FROM case_record
                   WHERE source_file = 'demo-seed11-cases' AND kind IN {kinds!r}
                     AND extract(year FROM decision_date) BETWEEN {years[0]} AND {years[1]} GROUP BY 1)
        SELECT m.commune_code, m.members, coalesce(c.cases, 0) AS cases FROM m LEFT JOIN c USING (commune_code)""")
    inside = frame["commune_code"].isin(codes)
    return (frame.loc[inside, "cases"].sum() / frame.loc[inside, "members"].sum(),
            frame.loc[~inside, "cases"].sum() / frame.loc[~inside, "members"].sum())


def test_planted_hotspot_clusters_have_several_times_the_violation_rate_of_the_rest(engine, demo_loaded):
    truth = demo_loaded.truth
    cluster = sorted({c for seed in truth.hotspots for c in truth.clusters[seed]})
    assert len(truth.hotspots) >= 3 and len(cluster) > len(truth.hotspots), "a hotspot is a cluster, not one unit"
    inside, rest = _rate_per_member(engine, cluster, kinds=("KT_DHVP", "TO_CAO"), years=(2021, 2025))
    assert inside > 3 * rest


def test_planted_growing_clusters_grow_year_after_year_and_the_rest_does_not(engine, demo_loaded):
    truth = demo_loaded.truth
    growing = sorted({c for seed in truth.growing_hotspots for c in truth.clusters[seed]})
    first, rest_first = _rate_per_member(engine, growing, kinds=("KT_DHVP", "TO_CAO"), years=(2021, 2021))
    last, rest_last = _rate_per_member(engine, growing, kinds=("KT_DHVP", "TO_CAO"), years=(2025, 2025))
    assert last > 4 * first
    assert 0.5 < rest_last / rest_first < 2


def test_planted_silent_communes_have_no_case_in_the_last_year_and_surges_a_burst(engine, demo_loaded):
    truth = demo_loaded.truth
    recent = _frame(engine, "SELECT commune_code, kind, decision_date FROM case_record"
                            " WHERE source_file = 'demo-seed11-cases' AND decision_date > DATE '2026-11-24' - 365")
    assert set(truth.silent_communes) and not recent["commune_code"].isin(truth.silent_communes).any()
    last_20_days = recent[(pd.to_datetime(recent["decision_date"]) > "2026-11-04") & (recent["kind"] == "TO_CAO")]
    per_commune = last_20_days["commune_code"].value_counts()
    assert all(per_commune.get(code, 0) >= 10 for code in truth.surges)
    assert per_commune.drop(truth.surges, errors="ignore").median() < 3


def test_planted_lagging_communes_do_far_less_this_year_than_their_targets_call_for(engine, demo_loaded):
    frame = _frame(engine, """
        WITH t AS (SELECT commune_code, sum(planned) AS planned FROM target WHERE year = 2026 GROUP BY 1),
             a AS (SELECT commune_code, count(*) AS actual FROM case_record
                   WHERE source_file = 'demo-seed11-cases' AND decision_date >= '2026-01-01' GROUP BY 1)
        SELECT t.commune_code, t.planned, coalesce(a.actual, 0) AS actual FROM t LEFT JOIN a USING (commune_code)""")
    frame["ratio"] = frame["actual"] / frame["planned"]
    lagging = frame["commune_code"].isin(demo_loaded.truth.lagging_communes)
    assert lagging.sum() == len(demo_loaded.truth.lagging_communes)
    assert frame.loc[lagging, "ratio"].max() < frame.loc[~lagging, "ratio"].median() / 3


def test_ground_truth_file_is_what_the_generator_returned(demo_loaded):
    truth = json.loads(demo_loaded.truth_path.read_text(encoding="utf-8"))
    assert truth["hotspots"] == demo_loaded.truth.hotspots and truth["surges"] == demo_loaded.truth.surges


def test_same_seed_regenerates_the_same_records(engine, demo_loaded):
    again = generate_demo(engine, seed=11, scale=1.0, today=date(2026, 11, 24))
    assert again.counts == demo_loaded.counts
    batches = _frame(engine, "SELECT file_name, rows_inserted, rows_updated, rows_unchanged FROM import_batch"
                             " WHERE file_name = 'demo-seed11-cases' ORDER BY id DESC LIMIT 1")
    assert batches[["rows_inserted", "rows_updated"]].iloc[0].tolist() == [0, 0]
    assert batches["rows_unchanged"][0] == demo_loaded.counts["case"]
