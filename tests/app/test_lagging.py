"""Lagging-units page on the demo data (planted lagging communes and province)."""

from __future__ import annotations

from tests.app.conftest import YEAR, frame


def test_lagging_page_ranks_planted_lagging_communes_and_opens_their_target_and_records(app, demo_loaded):
    app.switch_page("pages/lagging.py").run()
    assert not app.exception
    app.selectbox(key="lag-year").set_value(YEAR).run()
    assert app.title[0].value == "Đơn vị chậm tiến độ"
    lagging = int(app.metric[0].value.replace(".", ""))
    assert app.metric[0].label == "Chậm tiến độ" and lagging > 0
    table = frame(app, "Mã", "Tình trạng")
    codes = set(table["Mã"])
    planted = set(demo_loaded.truth.lagging_communes) & codes
    assert planted
    assert set(table["Tình trạng"]) <= {"Chậm tiến độ", "Cần theo dõi"}
    code = sorted(planted)[0]
    app.selectbox(key="lag-drill").set_value(code).run()
    assert not app.exception
    labels = [m.label for m in app.metric]
    assert {"Chỉ tiêu năm", "Dự kiến đến nay", "Đã thực hiện"} <= set(labels)
    assert len(frame(app, "Mã hồ sơ")) > 0


def test_lagging_by_province_finds_the_planted_province(app, demo_loaded):
    app.switch_page("pages/lagging.py").run()
    app.selectbox(key="lag-year").set_value(YEAR).run()
    app.radio(key="lag-level").set_value("province").run()
    assert not app.exception
    codes = set(frame(app, "Mã", "Tình trạng")["Mã"])
    assert set(demo_loaded.truth.lagging_provinces) <= codes



def test_other_lag_signals_raise_the_planted_backlogs_and_open_their_records(app, demo_loaded):
    app.switch_page("pages/lagging.py").run()
    app.selectbox(key="lag-year").set_value(YEAR).run()
    assert not app.exception
    table = frame(app, "Tín hiệu", "Mức")
    assert (table["Mức"] == "Cao").any()
    assert {"Đơn thư quá hạn", "Đơn vị im lặng (4 quý không có vụ việc)"} <= set(table["Tín hiệu"])
    planted = demo_loaded.truth.overdue_petition_communes[0]
    app.selectbox(key="sig-drill").set_value(f"overdue_petitions|{planted}").run()
    assert not app.exception
    records = frame(app, "Mã hồ sơ", "Quá hạn (ngày)")
    assert len(records) >= 10 and (records["Quá hạn (ngày)"] > 0).all()
