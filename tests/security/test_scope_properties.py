"""Property test: random users of random scopes try random queries; nothing outside scope comes back.

Each attempt signs in as a user drawn at random (scope kind, unit, clearance), runs a query
drawn at random through the functions the app calls (radius, polygon, unit, nearest, counts,
heat map, indicators, table exports), on the app role's scoped connection. Rows must all be in
the user's scope and at or below their clearance; totals must equal what the owner counts
under the same rule computed independently in pandas (so nothing visible is lost either).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.access import CLEARANCES, scoped_connection
from queries.counts import case_counts
from queries.heatmap import heat_counts
from queries.rates import unit_indicators
from queries.spatial import (
    Filters,
    nearest_records,
    records_in_polygon,
    records_in_unit,
    records_within_radius,
)
from tests.security.conftest import REPORT

ATTEMPTS = 300
START, END = date(2021, 1, 1), date(2026, 11, 24)


@pytest.fixture(scope="module")
def world(engine, demo_loaded):
    """What the owner sees: every record's place and classification, units and departments."""
    with engine.connect() as conn:
        cases = pd.read_sql(sa.text(
            "SELECT province_code, commune_code, classification, decision_date, h3_9 IS NOT NULL AS has_cell,"
            " ST_X(geom) AS lon, ST_Y(geom) AS lat FROM case_record"), conn)
        departments = pd.read_sql(sa.text("SELECT department_code, province_code FROM regional_department_province"), conn)
        provinces = sorted(conn.execute(sa.text(
            "SELECT code FROM admin_unit WHERE level = 'province' AND valid_to IS NULL")).scalars())
    cases["decision_date"] = pd.to_datetime(cases["decision_date"])
    busy = cases["commune_code"].value_counts()
    communes = sorted(busy.index[:40].tolist() + busy.index[-10:].tolist())
    points = cases.dropna(subset=["lon"]).sample(500, random_state=0)[["lon", "lat"]].to_numpy()
    return {"cases": cases, "departments": departments.groupby("department_code")["province_code"].apply(tuple).to_dict(),
            "provinces": provinces, "communes": communes, "points": points}


def _visible(frame: pd.DataFrame, scope: dict) -> pd.Series:
    """The rule of domain.md, written independently of the SQL policy."""
    cleared = frame["classification"].map(CLEARANCES.index) <= CLEARANCES.index(scope["clearance"])
    if scope["kind"] == "central":
        placed = pd.Series(True, index=frame.index)
    elif scope["kind"] == "commune":
        placed = frame["commune_code"] == scope["code"]
    else:
        placed = frame["province_code"].isin(scope["provinces"])
    return cleared & placed


def _check_rows(rows: pd.DataFrame, scope: dict) -> int:
    if len(rows):
        ok = _visible(rows, scope)
        assert ok.all(), f"{(~ok).sum()} rows outside {scope}: {rows[~ok].head(3).to_dict('records')}"
    return len(rows)


@st.composite
def scopes(draw, world):
    kind = draw(st.sampled_from(["central", "regional", "province", "commune"]))
    code = {"central": None, "regional": draw(st.sampled_from(sorted(world["departments"]))),
            "province": draw(st.sampled_from(world["provinces"])),
            "commune": draw(st.sampled_from(world["communes"]))}[kind]
    provinces = world["departments"][code] if kind == "regional" else ((code,) if kind == "province" else ())
    return {"kind": kind, "code": code, "clearance": draw(st.sampled_from(CLEARANCES)), "provinces": provinces}


@st.composite
def queries(draw, world):
    kind = draw(st.sampled_from(["radius", "polygon", "unit", "nearest", "counts", "heat", "indicators", "export"]))
    lon, lat = world["points"][draw(st.integers(0, len(world["points"]) - 1))]
    year = draw(st.integers(2021, 2026))
    period = (date(year, 1, 1), min(date(year, 12, 31), END)) if draw(st.booleans()) else (START, END)
    classes = draw(st.sampled_from([(), ("thuong",), ("toi_mat",), ("mat", "toi_mat")]))
    return {"kind": kind, "lon": float(lon), "lat": float(lat), "radius": draw(st.integers(200, 30_000)),
            "half": draw(st.floats(0.005, 0.4)), "n": draw(st.integers(1, 300)), "period": period,
            "filters": Filters(start=period[0], end=period[1], classifications=classes),
            "level": draw(st.sampled_from(["province", "commune"])),
            "province": draw(st.sampled_from(world["provinces"])), "commune": draw(st.sampled_from(world["communes"])),
            "resolution": draw(st.integers(5, 9)),
            "table": draw(st.sampled_from(["petition", "discipline", "target", "quarantine", "case_record"]))}


def _run(conn, q: dict, scope: dict, world: dict) -> tuple[int, int]:
    """Run one query; return (rows checked one by one, totals compared)."""
    cases, (start, end) = world["cases"], q["period"]
    in_period = cases[(cases["decision_date"] >= pd.Timestamp(start)) & (cases["decision_date"] <= pd.Timestamp(end))]
    expected = int(_visible(in_period, scope).sum())
    if q["kind"] == "radius":
        return _check_rows(records_within_radius(conn, q["lon"], q["lat"], radius_m=q["radius"],
                                                 filters=q["filters"]).records, scope), 0
    if q["kind"] == "polygon":
        h = q["half"]
        square = {"type": "Polygon", "coordinates": [[[q["lon"] - h, q["lat"] - h], [q["lon"] + h, q["lat"] - h],
                  [q["lon"] + h, q["lat"] + h], [q["lon"] - h, q["lat"] + h], [q["lon"] - h, q["lat"] - h]]]}
        return _check_rows(records_in_polygon(conn, square, filters=q["filters"]).records, scope), 0
    if q["kind"] == "unit":
        code = q["province"] if q["level"] == "province" else q["commune"]
        result = records_in_unit(conn, level=q["level"], code=code, filters=Filters(start=start, end=end))
        column = "province_code" if q["level"] == "province" else "commune_code"
        want = int(_visible(in_period[in_period[column] == code], scope).sum())
        assert int(result.counts["cases"].sum()) == want
        return _check_rows(result.records, scope), 1
    if q["kind"] == "nearest":
        return _check_rows(nearest_records(conn, q["lon"], q["lat"], n=q["n"]), scope), 0
    if q["kind"] == "counts":
        counts = case_counts(conn, level=q["level"], start=start, end=end)
        assert int(counts["cases"].sum()) == expected
        return 0, 1
    if q["kind"] == "heat":
        heat = heat_counts(conn, resolution=q["resolution"], start=start, end=end)
        assert int(heat["cases"].sum()) == int(_visible(in_period[in_period["has_cell"]], scope).sum())
        return 0, 1
    if q["kind"] == "indicators":
        indicators = unit_indicators(conn, level="province", start=start, end=end)
        assert int(indicators["cases"].sum()) == expected
        return 0, 1
    table = q["table"]  # an export of one province's rows, from an allow-listed table
    commune = "NULL AS commune_code" if table == "quarantine" else "commune_code"
    rows = pd.read_sql(sa.text(f"SELECT province_code, {commune}, classification FROM {table}"
                               " WHERE province_code = :p"), conn, params={"p": q["province"]})
    if table == "quarantine":  # editors and administrators only, and never a commune's users
        assert rows.empty or scope["kind"] != "commune"
    if table == "case_record":
        assert len(rows) == int(_visible(cases[cases["province_code"] == q["province"]], scope).sum())
    return _check_rows(rows, scope), int(table == "case_record")


def test_random_users_never_get_a_row_outside_their_scope_or_above_their_clearance(app_engine, users, world):
    stats = Counter()
    began = time.perf_counter()

    @settings(max_examples=ATTEMPTS, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(scope=scopes(world), query=queries(world), role=st.sampled_from(["viewer", "editor"]))
    def attempt(scope, query, role):
        token = users.token(kind=scope["kind"], code=scope["code"], clearance=scope["clearance"], role=role)
        with scoped_connection(app_engine, token) as conn:
            rows, totals = _run(conn, query, scope, world)
        stats["attempts"] += 1
        stats[f"{query['kind']} queries"] += 1
        stats["rows checked"] += rows
        stats["totals compared"] += totals

    attempt()
    stats["rows outside scope"] = 0  # any would have failed an assertion above
    stats["seconds"] = round(time.perf_counter() - began)
    REPORT["random users × random queries"] = stats
    print(dict(stats))
    assert stats["attempts"] >= ATTEMPTS and stats["rows checked"] > 10_000 and stats["totals compared"] > 50
    assert len(users.tokens) > 30  # many distinct users, not one repeated
