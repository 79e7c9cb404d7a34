"""The real boundary files, loaded into a real PostGIS: counts, codes, coverage, nesting, history."""

from __future__ import annotations

import gzip
import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa

from boundaries import store
from boundaries.coverage import OVERLAP_TOLERANCE_KM2, measure_coverage
from boundaries.load import LOADER_VERSION, load_boundaries
from boundaries.registry import locate_dataset
from boundaries.sources import read_official_2025
from boundaries.validate import normalise_name
from queries.maps import unit_shapes


def _scalar(conn, query: str, **params):
    return conn.execute(sa.text(query), params).scalar_one()


def test_load_gives_the_official_counts_of_current_and_former_units(conn):
    counts = dict(conn.execute(sa.text(
        "SELECT level || ':' || coalesce(valid_to::text, 'current'), count(*) FROM admin_unit GROUP BY 1")).all())
    assert counts == {"commune:current": 3321, "province:current": 34, "province:2025-07-01": 63,
                      "district:2025-07-01": 692, "commune:2025-07-01": 10051}
    types = dict(conn.execute(sa.text(
        "SELECT unit_type, count(*) FROM admin_unit WHERE level = 'commune' AND valid_to IS NULL GROUP BY 1")).all())
    assert types == {"Xã": 2621, "Phường": 687, "Đặc khu": 13}


def test_every_current_code_and_name_matches_the_official_list(conn):
    provinces, communes = read_official_2025(locate_dataset("official_2025").path)
    for level, official in (("province", provinces), ("commune", communes)):
        stored = pd.read_sql(sa.text("SELECT code, name FROM admin_unit WHERE level = :l AND valid_to IS NULL"),
                             conn, params={"l": level})
        merged = official.merge(stored, on="code", how="outer", suffixes=("_off", "_db"), indicator=True)
        assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
        assert (merged["name_off"].map(normalise_name) == merged["name_db"].map(normalise_name)).all()
    assert len(stored) == 3321


def test_repaired_communes_have_no_overlap_above_tolerance_in_the_database(conn):
    overlaps = conn.execute(sa.text("""
        SELECT a.code, b.code, ST_Area(ST_Intersection(a.geom, b.geom)::geography) / 1e6 AS km2
        FROM admin_unit a JOIN admin_unit b
          ON a.level = 'commune' AND b.level = 'commune' AND a.valid_to IS NULL AND b.valid_to IS NULL
         AND a.code < b.code AND ST_Intersects(a.geom, b.geom) AND ST_Overlaps(a.geom, b.geom)
    """)).all()
    assert all(km2 <= OVERLAP_TOLERANCE_KM2 for _, _, km2 in overlaps), sorted(overlaps, key=lambda r: -r[2])[:5]


def test_union_of_communes_has_no_small_hole_but_keeps_real_enclaves(conn, boundaries_loaded):
    communes = store.read_units(conn, level="commune")
    stats = measure_coverage(communes.geometry.to_numpy())
    assert stats.small_holes == 0
    assert stats.overlaps_over_tolerance == 0
    assert stats.large_holes == boundaries_loaded.coverage_before.large_holes >= 1
    before = boundaries_loaded.coverage_before
    assert before.overlap_km2 > 100 and before.small_holes > 10_000  # the source really was dirty
    assert abs(stats.area_km2 - before.area_km2) / before.area_km2 < 0.001  # repair moved < 0.1 %


def test_every_commune_nests_in_its_province(conn):
    nested = _scalar(conn, """
        SELECT count(*) FROM admin_unit c JOIN admin_unit p
          ON p.level = 'province' AND p.valid_to IS NULL AND p.code = c.parent_code
        WHERE c.level = 'commune' AND c.valid_to IS NULL
          AND ST_Covers(p.geom, ST_PointOnSurface(c.geom))
          AND ST_Area(ST_Difference(c.geom, p.geom)::geography) < 1000
    """)
    assert nested == 3321


def test_islands_belong_to_their_province(conn):
    rows = dict(conn.execute(sa.text(
        "SELECT code, parent_code FROM admin_unit WHERE level = 'commune' AND valid_to IS NULL"
        " AND unit_type = 'Đặc khu'")).all())
    assert rows["22736"] == "56"  # Trường Sa, Khánh Hòa
    assert rows["20333"] == "48"  # Hoàng Sa, Đà Nẵng
    assert len(rows) == 13


def test_second_load_is_skipped_and_a_forced_reload_changes_nothing(engine, boundaries_loaded):
    with engine.connect() as c:
        before = pd.read_sql(sa.text("SELECT id, level, code, valid_from, valid_to, content_hash FROM admin_unit ORDER BY id"), c)
        lineage_before = _scalar(c, "SELECT count(*) FROM unit_lineage")
    assert load_boundaries(engine, show_progress=False).skipped
    again = load_boundaries(engine, force=True, show_progress=False, cache_dir=boundaries_loaded.cache_dir)
    assert not again.skipped
    assert all(v["inserted"] == 0 and v["closed"] == 0 for v in again.counts.values()), again.counts
    with engine.connect() as c:
        after = pd.read_sql(sa.text("SELECT id, level, code, valid_from, valid_to, content_hash FROM admin_unit ORDER BY id"), c)
        assert _scalar(c, "SELECT count(*) FROM unit_lineage") == lineage_before
        assert _scalar(c, "SELECT count(DISTINCT loader_version) FROM load_log") == 1
    pd.testing.assert_frame_equal(before, after)


def test_a_newer_layer_version_closes_changed_rows_and_keeps_history(conn):
    current = store.read_units(conn, level="commune")
    changed = current.drop(columns=["valid_from", "valid_to"])
    target = changed.index[changed["code"] == "00070"][0]
    changed.loc[target, "name"] = "Phường Hoàn Kiếm (sửa)"
    changed = changed[changed["code"] != "00004"]  # a unit that disappears in the new version
    load_id = store.start_load_log(conn, dataset="test", path="-", sha256="0" * 64, loader_version=LOADER_VERSION)
    counts = store.write_units(conn, changed, level="commune", valid_from=date(2026, 1, 1), load_id=load_id)
    assert (counts.inserted, counts.closed, counts.unchanged) == (1, 2, 3319)
    versions = conn.execute(sa.text(
        "SELECT name, valid_from, valid_to FROM admin_unit WHERE level = 'commune' AND code = '00070'"
        " AND valid_from >= '2025-07-01' ORDER BY valid_from")).all()
    assert versions == [("Phường Hoàn Kiếm", date(2025, 7, 1), date(2026, 1, 1)),
                        ("Phường Hoàn Kiếm (sửa)", date(2026, 1, 1), None)]
    gone = conn.execute(sa.text("SELECT valid_to FROM admin_unit WHERE level = 'commune' AND code = '00004'"
                                " AND valid_from = '2025-07-01'")).scalar_one()
    assert gone == date(2026, 1, 1)
    assert _scalar(conn, "SELECT count(*) FROM admin_unit WHERE level = 'commune' AND valid_to IS NULL") == 3320


def test_lineage_has_weighted_splits_that_sum_to_one(conn):
    splits = pd.read_sql(sa.text(
        "SELECT old_code, count(*) AS parts, sum(weight) AS total, min(weight_method) AS method"
        " FROM unit_lineage WHERE old_level = 'commune' GROUP BY old_code HAVING count(*) > 1"), conn)
    assert len(splits) == 441
    assert np.allclose(splits["total"], 1.0)
    assert set(splits["method"]) <= {"equal", "area"}
    orphans = _scalar(conn, """
        SELECT count(*) FROM unit_lineage l WHERE l.new_level = 'commune' AND NOT EXISTS (
          SELECT 1 FROM admin_unit u WHERE u.level = 'commune' AND u.valid_to IS NULL AND u.code = l.new_code)""")
    assert orphans == 0
    assert _scalar(conn, "SELECT count(DISTINCT old_code) FROM unit_lineage WHERE old_level = 'province'") == 63
    assert _scalar(conn, "SELECT count(DISTINCT new_code) FROM unit_lineage WHERE old_level = 'province'") == 34
    hoan_kiem = conn.execute(sa.text(
        "SELECT kind, weight FROM unit_lineage WHERE old_level = 'commune' AND old_code = '00001'")).all()
    assert hoan_kiem == [("whole", 1.0)]  # Phường Phúc Xá went whole into Phường Hồng Hà


def test_display_geometries_are_light_and_keep_shared_borders(conn, boundaries_loaded):
    overview = unit_shapes(conn, level="commune", detail="overview")
    assert len(overview) == 3321 and overview.geometry.notna().all()
    size = len(gzip.compress(overview[["code", "geometry"]].to_json(drop_id=True).encode()))
    assert size < 1_000_000, size
    detail = unit_shapes(conn, level="commune", province_code="01", detail="detail")
    assert len(detail) == 126
    assert shapely.coverage_is_valid(detail.geometry.to_numpy()) or \
        boundaries_loaded.display["communes_2025"]["edge_mismatches_detail"] <= 10
    coords = shapely.get_coordinates(overview.geometry.to_numpy())
    assert np.allclose(coords, np.round(coords, 4))


def test_load_log_and_quality_report_record_the_figures(conn, boundaries_loaded):
    logged = dict(conn.execute(sa.text("SELECT dataset, sha256 FROM load_log WHERE dataset <> 'test'")).all())
    assert logged["communes_2025"] == locate_dataset("communes_2025").sha256
    assert set(logged) == {"communes_2025", "provinces_2025", "provinces_63", "districts_2019",
                           "communes_pre2025", "lineage_communes", "lineage_provinces"}
    details = conn.execute(sa.text("SELECT details FROM load_log WHERE dataset = 'lineage_communes' ORDER BY id LIMIT 1")).scalar_one()
    assert details["split_old_communes"] == 441
    text = boundaries_loaded.report_path.read_text(encoding="utf-8")
    assert "145.52" in text and "| commune | 3,321 | 3,321 | 3,321 | 3,321 |" in text
    assert json.dumps(boundaries_loaded.nesting) == json.dumps({"communes": 3321, "nested": 3321})


@pytest.mark.parametrize("level, expected", [("province", 34), ("commune", 3321)])
def test_every_current_unit_has_both_display_levels(conn, level, expected):
    assert _scalar(conn, "SELECT count(*) FROM admin_unit WHERE level = :l AND valid_to IS NULL"
                         " AND geom_detail IS NOT NULL AND geom_overview IS NOT NULL"
                         " AND ST_IsValid(geom_detail) AND ST_IsValid(geom_overview)", l=level) == expected
