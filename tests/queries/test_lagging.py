"""Lagging units: a unit one short is not flagged, one far below is; planted demo laggards found."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import sqlalchemy as sa

from queries.lagging import funnel_limits, lagging_detail, lagging_status, rank_lagging_units


def test_one_below_target_is_not_flagged_and_far_below_is():
    p, adjusted, status = lagging_status(np.array([11, 2, 12, 30]), np.array([12.0, 12.0, 12.0, 12.0]))
    assert status.tolist() == ["on_track", "lagging", "on_track", "on_track"]
    assert p[1] == pytest.approx(0.000522, rel=0.01)  # P(X <= 2 | Poisson(12)), by hand
    assert p[0] > 0.4


def test_a_tiny_unit_with_one_missing_inspection_is_not_painted_red():
    _, _, status = lagging_status(np.array([0]), np.array([1.0]))
    assert status.tolist() == ["on_track"]  # P(X = 0 | 1) = 0.37


def test_planted_lagging_communes_and_province_are_found(conn, demo_loaded):
    truth = demo_loaded.truth
    as_of = date(2026, 11, 24)
    communes = rank_lagging_units(conn, year=2026, as_of=as_of, level="commune")
    flagged = set(communes.loc[communes["status"] == "lagging", "code"])
    found = [c for c in truth.lagging_communes if c in flagged]
    provinces = rank_lagging_units(conn, year=2026, as_of=as_of, level="province")
    province_flagged = set(provinces.loc[provinces["status"] == "lagging", "code"])
    in_province = set(conn.execute(sa.text(
        "SELECT code FROM admin_unit WHERE level = 'commune' AND valid_to IS NULL AND parent_code = ANY(:p)"),
        {"p": truth.lagging_provinces}).scalars())
    others = flagged - set(truth.lagging_communes) - in_province
    print(f"planted lagging communes found: {len(found)}/{len(truth.lagging_communes)}; communes flagged: "
          f"{len(flagged)}, of which {len(others)} outside the planted communes and the lagging province "
          f"({len(others) / len(communes):.2%} of communes: the false-alarm rate); provinces flagged: "
          f"{sorted(province_flagged)}")
    assert set(truth.lagging_provinces) <= province_flagged
    assert len(found) == len(truth.lagging_communes)
    assert len(others) / len(communes) < 0.01
    assert 0.5 < communes["share"].iloc[0] < 0.95  # seasonal share by late November


def test_funnel_limits_narrow_as_units_grow():
    low_small, high_small = funnel_limits(np.array([4.0]), coverage=0.95)
    low_big, high_big = funnel_limits(np.array([400.0]), coverage=0.95)
    assert low_small[0] == pytest.approx(1 / 4) and high_small[0] == pytest.approx(8 / 4)  # Poisson(4): 1 and 8
    assert low_small[0] < low_big[0] < 1 < high_big[0] < high_small[0]
    wide, _ = funnel_limits(np.array([400.0]), coverage=0.998)
    assert wide[0] < low_big[0]


def test_a_units_targets_line_by_line(engine, demo_loaded):
    truth = demo_loaded.truth
    with engine.connect() as conn:
        ranked = rank_lagging_units(conn, year=2026, as_of=date(2026, 11, 24)).set_index("code")
        code = truth.lagging_communes[0]
        detail = lagging_detail(conn, year=2026, as_of=date(2026, 11, 24), level="commune", code=code)
    assert detail["planned"].sum() == ranked.loc[code, "planned"]
    assert detail["actual"].sum() == ranked.loc[code, "actual"]
    assert set(detail["status"]) <= {"lagging", "watch", "on_track"} and len(detail) > 1
