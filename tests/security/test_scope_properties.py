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
            "SELECT source_id, province_code, commune_code, classification, decision_date, h3_9 IS NOT NULL AS has_cell,"
            " ST_X(geom) AS lon, ST_Y(geom) AS lat FROM case_record"), conn)
        departments = pd.read_sql(sa.text("SELECT department_code, province_code FROM regional_department_province"), conn)
        provinces = sorted(conn.execute(sa.text(
            "SELECT code FROM admin_unit WHERE level = 'province' AND valid_to IS NULL")).scalars())
    cases["decision_date"] = pd.to_datetime(cases["decision_date"])
    busy = cases["commune_code"].value_counts()
    communes = sorted(busy.index[:40].tolist() + busy.index[-10:].tolist())
    points = cases.dropna(subset=["lon"]).sample(500, random_state=0)[["lon", "lat"]].to_numpy()
    return {"cases": cases, "cases_by_id": cases.set_index("source_id")[["province_code", "commune_code", "classification"]],
            "departments": departments.groupby("department_code")["province_code"].apply(tuple).to_dict(),
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


API_ATTEMPTS = 240
API_DAY = "2020-06-15"  # before the demo's first year: the written records change no analysis of other tests


@st.composite
def api_calls(draw, world):
    kind = draw(st.sampled_from(["items", "items", "item", "counts", "write", "write"]))
    lon, lat = world["points"][draw(st.integers(0, len(world["points"]) - 1))]
    h = draw(st.floats(0.01, 1.0))
    places = draw(st.lists(st.sampled_from(world["communes"] + ["26743", "00070", "31117"]), min_size=1, max_size=6))
    return {"kind": kind, "collection": draw(st.sampled_from(["cases", "petitions", "discipline"])),
            "bbox": f"{lon - h:.4f},{lat - h:.4f},{lon + h:.4f},{lat + h:.4f}" if draw(st.booleans()) else None,
            "datetime": draw(st.sampled_from([None, "2024-01-01/2024-12-31", "../2022-06-30", "2026-01-01/.."])),
            "province": draw(st.sampled_from([None, *world["provinces"]])),
            "limit": draw(st.sampled_from([100, 500, 2000])),
            "places": places, "classes": draw(st.lists(st.sampled_from(CLEARANCES), min_size=len(places),
                                                       max_size=len(places))),
            "pick": draw(st.integers(0, 10_000))}


def test_random_api_tokens_never_read_or_write_outside_their_scope(app_engine, engine, users, world):
    """The same rule through the API: random tokens (scope, clearance, role, read or write) read pages of
    features, single items and counts, and post batches; every row returned is checked against the rule,
    every total against the owner's count, and every row written is read back as the owner."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from geo.tokens import issue_token

    http = TestClient(create_app(app_engine), raise_server_exceptions=True)
    secrets_: dict[tuple, str] = {}
    with engine.connect() as conn:
        ids = conn.execute(sa.text("SELECT source_id FROM case_record ORDER BY id LIMIT 20000")).scalars().all()
    stats, written = Counter(), []
    located = world["cases"].dropna(subset=["province_code", "commune_code"])
    commune_of = located.groupby("province_code")["commune_code"].first().to_dict()
    began = time.perf_counter()

    def own_place(scope: dict) -> str:
        """A commune inside the scope, so that some rows of every batch may load."""
        if scope["kind"] == "commune":
            return scope["code"]
        return commune_of.get(scope["provinces"][0], "00070") if scope["provinces"] else "00070"

    def token(scope: dict, role: str, access: str) -> str:
        key = (scope["kind"], scope["code"], scope["clearance"], role, access)
        if key not in secrets_:
            users.token(kind=scope["kind"], code=scope["code"], clearance=scope["clearance"], role=role)
            username = f"t-{role}-{scope['kind']}-{scope['code'] or 'all'}-{scope['clearance']}".lower().replace("_", "")
            with engine.begin() as conn:
                secrets_[key] = issue_token(conn, username=username, name="property", access=access, days=1).secret
        return secrets_[key]

    @settings(max_examples=API_ATTEMPTS, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(scope=scopes(world), call=api_calls(world), role=st.sampled_from(["viewer", "editor"]),
           access=st.sampled_from(["read", "write"]))
    def attempt(scope, call, role, access):
        headers = {"Authorization": f"Bearer {token(scope, role, access)}"}
        stats["api calls"] += 1
        stats[f"api {call['kind']}"] += 1
        if call["kind"] == "items":
            params = {k: v for k, v in (("bbox", call["bbox"]), ("datetime", call["datetime"]),
                                        ("province_code", call["province"]), ("limit", call["limit"])) if v}
            answer = http.get(f"/collections/{call['collection']}/items", params=params, headers=headers)
            assert answer.status_code == 200, answer.text
            rows = pd.DataFrame([f["properties"] for f in answer.json()["features"]],
                                columns=["province_code", "commune_code", "classification"])
            stats["api rows checked"] += _check_rows(rows, scope)
        elif call["kind"] == "item":
            source_id = ids[call["pick"] % len(ids)]
            answer = http.get(f"/collections/cases/items/{source_id}", headers=headers)
            truth = world["cases_by_id"].loc[source_id]
            visible = bool(_visible(truth.to_frame().T, scope).iloc[0])
            assert answer.status_code == (200 if visible else 404)
            stats["api rows checked"] += 1
        elif call["kind"] == "counts":
            answer = http.get("/analytics/counts", params={"level": "province", "start": "2021-01-01",
                                                           "end": END.isoformat()}, headers=headers)
            total = sum(r["cases"] for r in answer.json()["rows"])
            cases = world["cases"]
            in_period = cases[(cases["decision_date"] >= pd.Timestamp(START)) & (cases["decision_date"] <= pd.Timestamp(END))]
            assert total == int(_visible(in_period, scope).sum())
            stats["api totals compared"] += 1
        else:
            n0 = len(written)
            records = [{"ma": f"PROP-{n0}-{i}", "loai": "KT_DHVP", "cap": "tinh", "doi_tuong": "to_chuc",
                        "ngay": API_DAY, "trang_thai": "dong", "ma_xa": place, "do_mat": cls}
                       for i, (place, cls) in enumerate(zip([own_place(scope), *call["places"]],
                                                            [scope["clearance"], *call["classes"]]))]
            answer = http.post("/batches", json={"record_type": "case", "records": records}, headers=headers)
            if access == "read" or role == "viewer":
                assert answer.status_code == 403 and answer.json()["en"]
                stats["api writes refused"] += 1
                return
            assert answer.status_code in (201, 422), answer.text
            body = answer.json()
            assert body["rows_in"] == body["rows_loaded"] + body["rows_quarantined"] == len(records)
            written.extend(r["ma"] for r in records)
            with engine.connect() as conn:
                stored = pd.read_sql(sa.text("SELECT province_code, commune_code, classification FROM case_record"
                                             " WHERE source_id LIKE :p"), conn, params={"p": f"PROP-{n0}-%"})
            assert len(stored) == body["rows_loaded"]
            stats["api rows written"] += _check_rows(stored, scope)
            stats["api rows quarantined"] += body["rows_quarantined"]

    try:
        attempt()
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM case_record WHERE source_id LIKE 'PROP-%'"))
    stats["api rows outside scope"] = 0  # any would have failed an assertion above
    stats["seconds"] = round(time.perf_counter() - began)
    REPORT["random API tokens × random reads and writes"] = stats
    print(dict(stats))
    assert stats["api calls"] >= 200 and stats["api rows checked"] > 1_000 and stats["api rows written"] > 0
    assert stats["api writes refused"] > 0 and stats["api totals compared"] > 5
