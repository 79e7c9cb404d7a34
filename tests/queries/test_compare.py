"""Provinces and regional departments side by side."""

from __future__ import annotations

from datetime import date

import pytest

from geo.errors import InvalidArgumentError
from queries.compare import compare_units, departments, unit_trend
from queries.rates import unit_indicators

PERIOD = {"start": date(2026, 1, 1), "end": date(2026, 11, 24)}


def test_a_province_shows_the_same_figures_whatever_it_is_compared_with(engine, demo_loaded):
    with engine.connect() as conn:
        pair = compare_units(conn, level="province", codes=["01", "92"], **PERIOD).set_index("code")
        alone = compare_units(conn, level="province", codes=["92"], **PERIOD).set_index("code")
        direct = unit_indicators(conn, level="province", **PERIOD).set_index("code")
    assert list(pair.index) == ["01", "92"]
    assert pair.loc["92", "rate_smoothed"] == pytest.approx(alone.loc["92", "rate_smoothed"])
    assert pair.loc["01", "cases"] == direct.loc["01", "cases"] and pair.loc["01", "members"] > 0
    assert (pair["open_cases"] >= 0).all() and (pair["overdue_petitions"] >= 0).all()


def test_a_department_is_the_sum_of_its_provinces(engine, demo_loaded):
    with engine.connect() as conn:
        department = compare_units(conn, level="department", codes=["VIII"], **PERIOD).iloc[0]
        provinces = compare_units(conn, level="province", codes=["82", "86", "91", "92", "96"], **PERIOD)
        trend = unit_trend(conn, level="department", codes=["VIII", "I"], start=date(2025, 1, 1),
                           end=date(2025, 12, 31), freq="quarter")
        province_trend = unit_trend(conn, level="province", codes=["82", "86", "91", "92", "96"],
                                    start=date(2025, 1, 1), end=date(2025, 12, 31), freq="quarter")
    assert department["provinces"] == 5 and department["name"] == "Vụ Địa bàn VIII"
    for column in ("cases", "members", "violations", "previous", "open_cases", "overdue_petitions"):
        assert department[column] == provinces[column].sum()
    assert set(trend["code"]) == {"VIII", "I"} and len(trend[trend["code"] == "VIII"]) == 4
    assert trend[trend["code"] == "VIII"]["cases"].sum() == province_trend["cases"].sum()


def test_unknown_units_and_options_are_refused(engine, demo_loaded):
    with engine.connect() as conn:
        with pytest.raises(InvalidArgumentError, match="99"):
            compare_units(conn, level="province", codes=["01", "99"], **PERIOD)
        with pytest.raises(InvalidArgumentError):
            compare_units(conn, level="province", codes=[], **PERIOD)
        with pytest.raises(InvalidArgumentError):
            unit_trend(conn, level="department", codes=["I"], freq="week", **PERIOD)


def test_departments_list_their_provinces(conn):
    table = departments(conn).set_index("code")
    assert len(table) == 9 and table.loc["VIII", "provinces"] == ["82", "86", "91", "92", "96"]
    assert table.loc["VIII", "name"] == "Vụ Địa bàn VIII"
