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


def test_ground_truth_file_lists_the_planted_patterns(demo_loaded):
    truth = json.loads(demo_loaded.truth_path.read_text(encoding="utf-8"))
    assert len(truth["hotspots"]) == 6 and len(truth["growing_hotspots"]) == 4
    assert len(truth["lagging_communes"]) == 12 and len(truth["lagging_provinces"]) == 1
    assert len(truth["overdue_petition_communes"]) == 6


def test_same_seed_regenerates_the_same_records(engine, demo_loaded):
    again = generate_demo(engine, seed=11, scale=1.0, today=date(2026, 11, 24))
    assert again.counts == demo_loaded.counts
    batches = _frame(engine, "SELECT file_name, rows_inserted, rows_updated, rows_unchanged FROM import_batch"
                             " WHERE file_name = 'demo-seed11-cases' ORDER BY id DESC LIMIT 1")
    assert batches[["rows_inserted", "rows_updated"]].iloc[0].tolist() == [0, 0]
    assert batches["rows_unchanged"][0] == demo_loaded.counts["case"]
