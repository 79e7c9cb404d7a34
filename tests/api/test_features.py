"""OGC API – Features through HTTP: landing page, conformance, collections, paging, bbox, datetime, items,
units as of a date, hotspots and the analytics JSON, each compared with SQL as the owner or the queries."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from geo.access import scoped_connection
from queries.counts import case_counts
from queries.warnings import early_warnings
from tests.api.conftest import client

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def central(tokens, demo_loaded):
    return tokens.get(kind="central", clearance="toi_mat")


def test_landing_conformance_and_collections_describe_the_service(api_url, central):
    with client(api_url, central) as http:
        landing = http.get("/").json()
        rels = {link["rel"] for link in landing["links"]}
        conformance = http.get("/conformance").json()["conformsTo"]
        collections = http.get("/collections").json()["collections"]
        openapi = http.get("/openapi.json").json()
    assert {"self", "service-desc", "conformance", "data"} <= rels
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance
    assert {c["id"] for c in collections} == {"provinces", "communes", "cases", "petitions", "discipline", "hotspots"}
    assert all(any(link["rel"] == "items" for link in c["links"]) for c in collections)
    assert "/collections/{collection_id}/items" in openapi["paths"] and "/batches" in openapi["paths"]


def test_pages_follow_next_links_without_gaps_or_repeats(api_url, engine, tokens, demo_loaded):
    token = tokens.get(kind="province", code="96", clearance="toi_mat")
    with engine.connect() as conn:
        want = set(conn.execute(sa.text("SELECT source_id FROM case_record WHERE province_code = '96'"
                                        " AND decision_date BETWEEN '2025-01-01' AND '2025-06-30'")).scalars())
    seen, pages = [], 0
    with client(api_url, token) as http:
        url = "/collections/cases/items?datetime=2025-01-01/2025-06-30&limit=50"
        while url:
            answer = http.get(url)
            assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/geo+json")
            body = answer.json()
            seen += [f["id"] for f in body["features"]]
            assert body["numberReturned"] == len(body["features"])
            url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
            pages += 1
    assert len(seen) == len(set(seen)) and set(seen) == want and pages >= 2


def test_bbox_returns_exactly_the_points_inside(api_url, engine, central):
    box = (105.78, 20.98, 105.9, 21.08)
    with engine.connect() as conn:
        want = set(conn.execute(sa.text(
            "SELECT source_id FROM case_record WHERE geom IS NOT NULL"
            " AND ST_Intersects(ST_MakeEnvelope(:a, :b, :c, :d, 4326), geom)"),
            dict(zip("abcd", box))).scalars())
    with client(api_url, central) as http:
        body = http.get("/collections/cases/items", params={"bbox": ",".join(map(str, box)), "limit": 10000}).json()
    got = {f["id"] for f in body["features"]}
    assert want and got == want
    assert all(box[0] <= f["geometry"]["coordinates"][0] <= box[2] for f in body["features"])


def test_one_item_is_found_inside_the_scope_and_not_found_outside(api_url, engine, tokens, demo_loaded):
    with engine.connect() as conn:
        inside, outside = (conn.execute(sa.text(
            "SELECT source_id FROM case_record WHERE province_code = :p AND classification = 'thuong' LIMIT 1"),
            {"p": p}).scalar_one() for p in ("01", "79"))
    token = tokens.get(kind="province", code="01", clearance="thuong")
    with client(api_url, token) as http:
        one = http.get(f"/collections/cases/items/{inside}")
        other = http.get(f"/collections/cases/items/{outside}")
        absent = http.get("/collections/cases/items/NO-SUCH-ID")
    assert one.status_code == 200 and one.json()["properties"]["province_code"] == "01"
    assert other.status_code == absent.status_code == 404
    assert other.json()["code"] == absent.json()["code"] == "api.no_item"  # the same answer: no leak


def test_units_now_and_as_of_a_date_before_the_2025_reform(api_url, engine, central):
    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM admin_unit WHERE level = 'province'"
                                      " AND valid_from <= '2024-06-01' AND (valid_to IS NULL OR valid_to > '2024-06-01')")
                              ).scalar_one()
    with client(api_url, central) as http:
        now = http.get("/collections/provinces/items", params={"limit": 1000}).json()
        then = http.get("/collections/provinces/items", params={"limit": 1000, "datetime": "2024-06-01"}).json()
        hanoi = http.get("/collections/provinces/items/01").json()
        communes = http.get("/collections/communes/items", params={"province_code": "01", "limit": 1000}).json()
    assert len(now["features"]) == 34 and len(then["features"]) == before and before > 34
    assert hanoi["properties"]["name"] and hanoi["geometry"]["type"] == "MultiPolygon"
    assert communes["features"] and {f["properties"]["parent_code"] for f in communes["features"]} == {"01"}


def test_hotspots_collection_and_analytics_match_the_pages_functions(api_url, app_engine, central):
    with client(api_url, central) as http:
        spots = http.get("/collections/hotspots/items", params={"datetime": "2025-01-01/2025-12-31", "limit": 4000})
        counts = http.get("/analytics/counts", params={"level": "province", "start": "2025-01-01",
                                                       "end": "2025-12-31"}).json()
        warn = http.get("/analytics/warnings", params={"as_of": TODAY.isoformat()}).json()
        gi = http.get("/analytics/hotspots", params={"start": "2025-01-01", "end": "2025-12-31"}).json()
        for path in ("/analytics/rates", "/analytics/headline", "/analytics/lagging"):
            assert http.get(path, params={"as_of": TODAY.isoformat()} if "lagging" in path else {}).status_code == 200
    assert spots.status_code == 200
    labels = {f["properties"]["label"] for f in spots.json()["features"]}
    assert len(spots.json()["features"]) == 3321 and any(label.startswith("hot") for label in labels)
    assert {r["code"]: r["label"] for r in gi["rows"]} == {f["id"]: f["properties"]["label"]
                                                           for f in spots.json()["features"]}
    with scoped_connection(app_engine, central) as conn:
        want = case_counts(conn, level="province", start=date(2025, 1, 1), end=date(2025, 12, 31))
        warnings = early_warnings(conn, as_of=TODAY, level="commune")
    assert pd.DataFrame(counts["rows"])["cases"].sum() == want["cases"].sum()
    assert sum(r["alert"] for r in warn["rows"]) == int(warnings["alert"].sum())


@pytest.mark.parametrize("params", [{"bbox": "1,2,3"}, {"bbox": "105,21,104,20"}, {"bbox": "1,2,3,4; DROP TABLE x"},
                                    {"datetime": "yesterday"}, {"datetime": "2025-12-31/2025-01-01"},
                                    {"datetime": "'; SELECT 1; --"}, {"limit": "0"}, {"limit": "100000"},
                                    {"limit": "ten"}, {"offset": "-1"}, {"province_code": "1' OR '1'='1"}])
def test_bad_parameters_get_a_4xx_sentence_in_both_languages(api_url, central, params):
    with client(api_url, central) as http:
        answer = http.get("/collections/cases/items", params=params)
    body = answer.json()
    assert 400 <= answer.status_code < 500 and body["vi"] and body["en"] and "features" not in body


def test_unknown_collection_and_path_are_404_sentences(api_url, central):
    with client(api_url, central) as http:
        assert http.get("/collections/case_record;drop/items").json()["code"] == "api.no_collection"
        assert http.get("/nowhere").status_code == 404
