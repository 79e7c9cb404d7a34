"""Area queries on constructed records whose answers are known by hand."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import box, mapping

from boundaries.point_index import load_commune_index
from etl.importer import import_bytes
from geo.errors import InvalidArgumentError
from geo.settings import get_settings
from queries.spatial import (
    Filters,
    nearest_records,
    radius_counts,
    records_in_polygon,
    records_in_unit,
    records_within_radius,
)

CENTRE = (105.8523, 21.0287)  # Hoàn Kiếm Lake
GEOD = pyproj.Geod(ellps="WGS84")
ONLY_TEST = Filters(start=date(1995, 1, 1), end=date(1995, 12, 31))  # demo data start in 2021


def _at(distance_m: float, azimuth: float = 90.0) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(CENTRE[0], CENTRE[1], azimuth, distance_m)
    return lon, lat


POINTS = {
    "R-0": (CENTRE, "KT_DHVP"),
    "R-500": (_at(500, 0), "KT_DHVP"),
    "R-999.99": (_at(999.99, 45), "TO_CAO"),
    "R-1000.01": (_at(1000.01, 200), "TO_CAO"),
    "R-5000": (_at(5000, 270), "GS_CHUYENDE"),
}


@pytest.fixture(scope="module")
def placed(engine, boundaries_loaded):
    lines = ["ma_ho_so,loai,cap,doi_tuong,ngay,trang_thai,kinh_do,vi_do"]
    for sid, ((lon, lat), kind) in POINTS.items():
        lines.append(f"{sid},{kind},tinh,to_chuc,1995-06-01,dong,{lon!r},{lat!r}")
    # A ring of points for the polygon test: in the hole, in the ring, outside, on the edge.
    for sid, (lon, lat) in {"P-hole": (105.90, 21.10), "P-ring": (105.907, 21.10),
                            "P-out": (105.92, 21.10), "P-edge": (105.91, 21.10)}.items():
        lines.append(f"{sid},KT_THNV,tinh,to_chuc,1995-06-02,dong,{lon!r},{lat!r}")
    result = import_bytes(engine, "\n".join(lines).encode(), file_name="spatial.csv")
    assert result.rows_quarantined == 0, result.quarantine
    return result


def test_radius_includes_points_just_inside_and_excludes_points_just_outside(conn, placed):
    found = records_within_radius(conn, *CENTRE, radius_m=1000, filters=ONLY_TEST)
    assert set(found.records["source_id"]) == {"R-0", "R-500", "R-999.99"}
    assert found.records["distance_m"].is_monotonic_increasing
    assert found.records.set_index("source_id").loc["R-999.99", "distance_m"] == pytest.approx(999.99, abs=0.01)
    assert dict(zip(found.counts["kind"], found.counts["cases"])) == {"KT_DHVP": 2, "TO_CAO": 1}
    wide = records_within_radius(conn, *CENTRE, radius_m=10_000, filters=ONLY_TEST)
    assert {"R-1000.01", "R-5000"} <= set(wide.records["source_id"])


def test_a_limited_radius_query_keeps_the_nearest_and_counts_everything(conn, placed):
    first = records_within_radius(conn, *CENTRE, radius_m=6_000, filters=ONLY_TEST, limit=2)
    assert list(first.records["source_id"]) == ["R-0", "R-500"] and first.truncated
    assert first.counts["cases"].sum() == 5
    counts = radius_counts(conn, *CENTRE, radius_m=1000, filters=ONLY_TEST)
    assert dict(zip(counts["kind"], counts["cases"])) == {"KT_DHVP": 2, "TO_CAO": 1}
    with pytest.raises(InvalidArgumentError, match="`limit`"):
        records_within_radius(conn, *CENTRE, radius_m=1000, limit=0)


def test_filters_narrow_the_result(conn, placed):
    only_kt = records_within_radius(conn, *CENTRE, radius_m=10_000,
                                    filters=Filters(start=date(1995, 1, 1), end=date(1995, 12, 31), kinds=("TO_CAO",)))
    assert set(only_kt.records["source_id"]) == {"R-999.99", "R-1000.01"}


def test_nearest_records_come_in_distance_order(conn, placed):
    near = nearest_records(conn, *CENTRE, n=3, filters=ONLY_TEST)
    assert list(near["source_id"]) == ["R-0", "R-500", "R-999.99"]


def test_polygon_with_a_hole_keeps_the_ring_and_its_edge_but_not_the_hole(conn, placed):
    outer = box(105.89, 21.09, 105.91, 21.11)
    hole = box(105.895, 21.095, 105.905, 21.105)
    polygon = shapely.Polygon(outer.exterior, [hole.exterior])
    found = records_in_polygon(conn, json.dumps(mapping(polygon)), filters=ONLY_TEST)
    assert set(found.records["source_id"]) == {"P-ring", "P-edge"}


def test_self_intersecting_polygon_is_repaired_not_refused(conn, placed):
    bowtie = {"type": "Polygon", "coordinates": [[[105.89, 21.09], [105.91, 21.11], [105.91, 21.09],
                                                  [105.89, 21.11], [105.89, 21.09]]]}
    found = records_in_polygon(conn, {"type": "Feature", "geometry": bowtie, "properties": {}}, filters=ONLY_TEST)
    assert "P-ring" in set(found.records["source_id"])


@pytest.mark.parametrize("geojson, message", [
    ({"type": "Point", "coordinates": [105.9, 21.1]}, "must be a polygon"),
    ({"type": "Polygon", "coordinates": [[[60, -10], [150, -10], [150, 50], [60, 50], [60, -10]]]}, "too large"),
    ({"type": "Polygon", "coordinates": [[[105.9, 21.1], [105.9000001, 21.1], [105.9, 21.1000001], [105.9, 21.1]]]},
     "smaller than 1 m²"),
    ("not json", "not valid GeoJSON"),
])
def test_bad_drawn_areas_are_refused_with_a_reason(conn, geojson, message):
    with pytest.raises(InvalidArgumentError, match=message):
        records_in_polygon(conn, geojson)


def test_boundary_query_uses_the_stored_codes(conn, placed):
    found = records_in_unit(conn, level="commune", code="00070", filters=ONLY_TEST)
    assert {"R-0", "R-500"} <= set(found.records["source_id"])
    province = records_in_unit(conn, level="province", code="01", filters=ONLY_TEST)
    assert len(province.records) == len(placed.quarantine) + placed.rows_loaded  # all test points are in Hà Nội


@pytest.mark.parametrize("kwargs, message", [
    ({"radius_m": -5}, r"`radius_m` must be between 1 and 200,000, got -5."),
    ({"radius_m": 500_000}, "200,000"),
])
def test_radius_out_of_range_is_refused(conn, kwargs, message):
    with pytest.raises(InvalidArgumentError, match=message):
        records_within_radius(conn, *CENTRE, **kwargs)


def test_point_on_a_shared_border_is_assigned_to_exactly_one_commune(engine, boundaries_loaded):
    with engine.connect() as c:
        index = load_commune_index(c, cache_dir=get_settings().cache_dir)
    a = index.geoms[list(index.codes).index("00070")]
    neighbours = list(index.tree.query(a, predicate="touches"))
    shared = shapely.intersection(a.boundary, index.geoms[neighbours[0]].boundary)
    x, y = shapely.get_coordinates(shared)[len(shapely.get_coordinates(shared)) // 2]
    got = index.assign(np.array([x]), np.array([y]), snap_tolerance_m=2000)
    assert got.index[0] in (list(index.codes).index("00070"), neighbours[0])
    assert got.distance_m[0] == pytest.approx(0, abs=1e-6)


def test_cell_cover_counts_equal_the_exact_distance_test_on_the_demo(engine, demo_loaded):
    """The fast radius count (H3 ranges + exact test on edge cells) against ST_DWithin on every record."""
    from queries.spatial import _WITHIN, _counts, _radius_params

    rng = np.random.default_rng(5)
    found = []
    with engine.connect() as conn:
        for _ in range(12):
            lon, lat = 105.8523 + rng.normal(0, 0.05), 21.0287 + rng.normal(0, 0.05)
            radius = float(rng.choice([300.0, 2_000.0, 7_500.0, 14_000.0]))
            fast = radius_counts(conn, lon, lat, radius_m=radius)
            exact = _counts(conn, _WITHIN, _radius_params(lon, lat, radius), Filters())
            assert fast.equals(exact), (lon, lat, radius)
            found.append(int(fast["cases"].sum()))
    assert sum(n > 0 for n in found) >= 8, found  # the comparison is not between empty answers


def test_polygon_and_wide_circle_covers_equal_the_exact_test_on_the_demo(engine, demo_loaded):
    """Drawn polygons and circles beyond 15 km (mixed-resolution cell covers) against testing every record."""
    from queries.spatial import _WITHIN, _counts, _radius_params

    rng = np.random.default_rng(7)
    found = []
    with engine.connect() as conn:
        for _ in range(6):
            lon, lat = 105.8523 + rng.normal(0, 0.05), 21.0287 + rng.normal(0, 0.05)
            h = float(rng.uniform(0.01, 0.3))
            triangle = {"type": "Polygon", "coordinates": [[[lon - h, lat - h], [lon + h, lat - h / 2],
                                                            [lon, lat + h], [lon - h, lat - h]]]}
            fast = records_in_polygon(conn, triangle).counts
            wkt = shapely.geometry.shape(triangle).wkt
            exact = _counts(conn, "r.geom IS NOT NULL AND ST_Covers(ST_GeomFromText(:wkt, 4326), r.geom)",
                            {"wkt": wkt}, Filters())
            assert fast.equals(exact), (lon, lat, h)
            radius = float(rng.choice([20_000.0, 60_000.0]))
            wide = radius_counts(conn, lon, lat, radius_m=radius)
            assert wide.equals(_counts(conn, _WITHIN, _radius_params(lon, lat, radius), Filters())), (lon, lat, radius)
            found += [int(fast["cases"].sum()), int(wide["cases"].sum())]
    assert sum(n > 0 for n in found) >= 8, found
