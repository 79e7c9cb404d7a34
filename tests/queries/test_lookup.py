"""Point lookup on the real 2025 units: hand-checked places, offshore points, points abroad."""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa

from geo.errors import InvalidArgumentError
from queries.lookup import unit_at

# (lon, lat) -> (commune code, commune name, province code). Each place was checked by hand
# against its post-2025 ward or special zone.
PLACES = {
    "Hồ Hoàn Kiếm": ((105.8523, 21.0287), ("00070", "Phường Hoàn Kiếm", "01")),
    "Lăng Chủ tịch Hồ Chí Minh": ((105.8346, 21.0368), ("00004", "Phường Ba Đình", "01")),
    "Văn Miếu": ((105.8355, 21.0277), ("00226", "Phường Văn Miếu - Quốc Tử Giám", "01")),
    "Hồ Tây": ((105.8190, 21.0560), ("00103", "Phường Tây Hồ", "01")),
    "Chợ Bến Thành": ((106.6980, 10.7725), ("26743", "Phường Bến Thành", "79")),
    "Nhà thờ Đức Bà": ((106.6990, 10.7798), ("26740", "Phường Sài Gòn", "79")),
    "Đại Nội Huế": ((107.5786, 16.4698), ("19753", "Phường Phú Xuân", "46")),
    "Phố cổ Hội An": ((108.3280, 15.8770), ("20410", "Phường Hội An", "48")),
    "Chợ Đà Lạt": ((108.4370, 11.9430), ("24781", "Phường Xuân Hương - Đà Lạt", "68")),
    "Sa Pa": ((103.8440, 22.3360), ("03006", "Phường Sa Pa", "15")),
    "Bãi Cháy": ((107.0430, 20.9560), ("06673", "Phường Bãi Cháy", "22")),
    "Bến Ninh Kiều": ((105.7850, 10.0340), ("31135", "Phường Ninh Kiều", "92")),
    "Vinh": ((105.6800, 18.6730), ("16681", "Phường Thành Vinh", "40")),
    "Côn Đảo": ((106.6060, 8.6830), ("26732", "Đặc khu Côn Đảo", "79")),
    "Dương Đông, Phú Quốc": ((103.9600, 10.2200), ("31078", "Đặc khu Phú Quốc", "91")),
    "Lý Sơn": ((109.1200, 15.3800), ("21548", "Đặc khu Lý Sơn", "51")),
    "Bạch Long Vĩ": ((107.7270, 20.1340), ("11948", "Đặc khu Bạch Long Vĩ", "31")),
    "Cô Tô": ((107.7600, 20.9800), ("07192", "Đặc khu Cô Tô", "22")),
    "Phú Quý": ((108.9400, 10.5200), ("23272", "Đặc khu Phú Quý", "68")),
    "Cồn Cỏ": ((107.3400, 17.1600), ("19742", "Đặc khu Cồn Cỏ", "44")),
    "Cái Rồng, Vân Đồn": ((107.4200, 21.0600), ("06994", "Đặc khu Vân Đồn", "22")),
    "Cát Bà": ((107.0470, 20.7270), ("11914", "Đặc khu Cát Hải", "31")),
    "Đảo Phú Lâm, Hoàng Sa": ((112.3360, 16.8340), ("20333", "Đặc khu Hoàng Sa", "48")),
    "Đảo Trường Sa Lớn": ((111.9200, 8.6450), ("22736", "Đặc khu Trường Sa", "56")),
    "Hòn Tre, Kiên Hải": ((104.8400, 9.9700), ("31108", "Đặc khu Kiên Hải", "91")),
}

ABROAD = {
    "Bangkok": (100.5018, 13.7563), "Vientiane": (102.6331, 17.9757), "Phnom Penh": (104.9282, 11.5564),
    "Nam Ninh": (108.3200, 22.8200), "Manila": (120.98, 14.60), "Biển Đông, xa bờ": (114.5, 12.0),
    "Null Island": (0.0, 0.0), "Vịnh Bắc Bộ giữa": (108.0, 19.5),
}


@pytest.mark.parametrize("place", list(PLACES))
def test_hand_checked_place_resolves_to_its_commune_and_province(conn, place):
    (lon, lat), (code, name, province) = PLACES[place]
    found = unit_at(conn, lon, lat)
    assert found.method == "contains"
    assert (found.commune.code, found.commune.name, found.province.code) == (code, name, province)


def test_lookup_returns_types_and_names_of_both_levels(conn):
    found = unit_at(conn, 105.8523, 21.0287)
    assert found.commune.unit_type == "Phường"
    assert (found.province.name, found.province.unit_type) == ("Thành phố Hà Nội", "Thành phố")
    assert found.found and not found.snapped and found.distance_m == 0


@pytest.mark.parametrize("place", list(ABROAD))
def test_point_outside_vietnam_gives_none_with_a_reason(conn, place):
    found = unit_at(conn, *ABROAD[place])
    assert not found.found and found.commune is None and found.province is None
    assert "ngoài lãnh thổ Việt Nam" in found.reason and "outside Vietnam" in found.reason
    assert math.isinf(found.distance_m)



def test_point_just_offshore_snaps_to_the_nearest_commune_within_tolerance(conn):
    x_max = conn.execute(sa.text("SELECT ST_XMax(geom), ST_YMax(geom), ST_YMin(geom) FROM admin_unit"
                                 " WHERE level = 'commune' AND valid_to IS NULL AND code = '11948'")).one()
    lon, lat = x_max[0] + 0.01, (x_max[1] + x_max[2]) / 2  # ~1 km east of Bạch Long Vĩ
    found = unit_at(conn, lon, lat)
    assert found.snapped and found.commune.code == "11948" and found.province.code == "31"
    assert 900 < found.distance_m < 2000
    far = unit_at(conn, x_max[0] + 0.05, lat)  # ~5 km out: not Vietnam's land any more
    assert not far.found


def test_snap_tolerance_is_a_parameter(conn):
    x_max = conn.execute(sa.text("SELECT ST_XMax(geom), (ST_YMax(geom) + ST_YMin(geom)) / 2 FROM admin_unit"
                                 " WHERE level = 'commune' AND valid_to IS NULL AND code = '11948'")).one()
    assert not unit_at(conn, x_max[0] + 0.01, x_max[1], snap_tolerance_m=500).found


@pytest.mark.parametrize("lon, lat, message", [
    ("abc", 21.0, "must be numbers"), (None, 21.0, "must be numbers"), (float("nan"), 21.0, "finite"),
    (21.0, 205.8, "swapped"), (105.8, 95.0, "swapped"),
])
def test_bad_coordinates_raise_a_clear_error(conn, lon, lat, message):
    with pytest.raises(InvalidArgumentError, match=message):
        unit_at(conn, lon, lat)
