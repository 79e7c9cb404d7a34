"""Overview page and the frame (language switch, navigation) on the demo data."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.app.conftest import YEAR, frame, texts


def _count(engine, sql: str, **params) -> int:
    with engine.connect() as c:
        return c.execute(sa.text(sql), params).scalar_one()


def test_overview_shows_the_periods_case_total_and_the_change_from_a_year_before(app, engine):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Tổng quan"
    app.selectbox(key="overview-year").set_value(YEAR).run()
    app.selectbox(key="overview-span").set_value("h1").run()
    assert not app.exception
    total = _count(engine, "SELECT count(*) FROM case_record WHERE decision_date BETWEEN :a AND :b",
                   a=date(YEAR, 1, 1), b=date(YEAR, 6, 30))
    before = _count(engine, "SELECT count(*) FROM case_record WHERE decision_date BETWEEN :a AND :b",
                    a=date(YEAR - 1, 1, 1), b=date(YEAR - 1, 6, 30))
    assert total > 0
    assert app.metric[0].label == "Tổng số vụ việc"
    assert app.metric[0].value == f"{total:,}".replace(",", ".")
    assert app.metric[0].delta == f"{total - before:,}".replace(",", ".")
    assert any("6 tháng 2026" in s for s in texts(app.subheader))
    assert len(app.selectbox(key="province").options) == 35


def test_overview_for_one_province_lists_its_communes(app):
    app.run()
    app.selectbox(key="province").set_value("01").run()
    assert not app.exception
    assert app.subheader[0].value.startswith("Số vụ việc theo xã, Thành phố Hà Nội")
    assert len(frame(app, "Mã", "Đơn vị", "Số vụ việc")) == 126


def test_overview_alert_of_a_planted_surge_opens_its_records(app, engine, demo_loaded):
    app.run()
    surges = set(demo_loaded.truth.surges)
    buttons = [b for b in app.button if b.key and b.key.startswith("alert-")]
    assert buttons, "no early-warning alert shown"
    hit = next(b for b in buttons if b.key.removeprefix("alert-") in surges)
    hit.click().run()
    assert not app.exception
    code = hit.key.removeprefix("alert-")
    assert any(s.startswith("Hồ sơ của") for s in texts(app.subheader))
    expected = _count(engine, "SELECT count(*) FROM case_record WHERE commune_code = :c"
                      " AND decision_date > :a AND decision_date <= :b",
                      c=code, a=date.today() - timedelta(days=28), b=date.today())
    assert len(frame(app, "Mã hồ sơ")) >= expected > 0
    assert {b.label for b in app.get("download_button")} == {"Tải CSV", "Tải Excel", "Tải GeoJSON"}


def test_overview_lists_planted_lagging_communes(app, demo_loaded):
    app.run()
    shown = {b.key.removeprefix("lag-") for b in app.button if b.key and b.key.startswith("lag-")}
    assert shown & set(demo_loaded.truth.lagging_communes)


def test_language_switch_translates_titles_metrics_and_navigation(app):
    app.run()
    app.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Overview"
    assert app.metric[0].label == "All cases"
    assert "," in app.metric[0].value or len(app.metric[0].value) <= 3
    assert app.selectbox(key="province").format_func("") == "Whole country"


def test_units_map_lists_the_34_provinces_and_shows_communes_of_the_chosen_one(app):
    app.switch_page("pages/units_map.py").run()
    assert not app.exception
    assert app.title[0].value == "Bản đồ đơn vị hành chính"
    province = app.selectbox(key="province")
    assert len(province.options) == 35  # the whole country + 34 provinces
    province.set_value("01").run()
    assert not app.exception
    assert any("126 xã, phường, đặc khu" in c.value for c in app.caption)
    assert any("Nhấp vào một điểm" in i.value for i in app.info)
