"""Heat-map and hotspot page on the demo data."""

from __future__ import annotations

from tests.app.conftest import YEAR, texts


def _open(app):
    app.switch_page("pages/heatmap.py").run()
    assert not app.exception
    app.selectbox(key="heat-year").set_value(YEAR).run()
    return app


def test_hexagon_heat_map_is_the_default_and_says_what_it_shows(app):
    _open(app)
    assert app.title[0].value == "Bản đồ nhiệt, điểm nóng"
    assert app.radio(key="heat-view").value == "hex"
    assert app.slider(key="heat-res-country").value == 5
    assert any(s.startswith("Số vụ việc theo lục giác H3 (độ phân giải 5), Toàn quốc") for s in texts(app.subheader))
    app.selectbox(key="heat-province").set_value("01").run()
    assert not app.exception
    assert app.slider(key="heat-res-province").value == 8
    assert any("Thành phố Hà Nội" in s for s in texts(app.subheader))


def test_commune_map_ranks_communes_by_smoothed_rate_by_default(app):
    _open(app)
    app.radio(key="heat-view").set_value("commune").run()
    assert not app.exception
    assert app.selectbox(key="heat-measure-commune").value == "rate_smoothed"
    top = app.dataframe[0].value
    assert len(top) == 10
    rates = top.iloc[:, -1].to_list()
    assert rates == sorted(rates, reverse=True)


def test_gi_star_view_finds_hot_spots_including_a_planted_cluster(app, demo_loaded):
    _open(app)
    app.radio(key="heat-view").set_value("gistar").run()
    app.selectbox(key="heat-measure-gistar").set_value("violations").run()
    assert not app.exception
    hot = int(app.metric[0].value.replace(".", ""))
    assert app.metric[0].label == "Điểm nóng" and hot > 0
    assert any("Điểm nóng, điểm lạnh Gi*" in s for s in texts(app.subheader))


def test_filtering_by_kind_keeps_the_choice_and_changes_the_map_title(app):
    _open(app)
    app.multiselect(key="heat-kinds").set_value(["KT_DHVP"]).run()
    assert not app.exception
    assert app.multiselect(key="heat-kinds").value == ["KT_DHVP"]


def test_emerging_view_classes_the_growing_planted_clusters(app, demo_loaded):
    _open(app)
    app.radio(key="heat-view").set_value("emerging").run()
    assert not app.exception
    assert any(s.startswith("Xu hướng điểm nóng vi phạm theo xã, 2021–2025") for s in texts(app.subheader))
    categories = app.dataframe[0].value
    assert any(str(label).startswith("Điểm nóng") for label in categories.index)


def test_sector_and_subject_filters_narrow_the_counts(app, engine):
    from datetime import date

    from queries.rates import unit_indicators
    from queries.spatial import Filters

    _open(app)
    app.radio(key="heat-view").set_value("commune").run()
    app.selectbox(key="heat-measure-commune").set_value("cases").run()
    everything = app.dataframe[0].value.iloc[:, -1].to_list()
    app.multiselect(key="heat-subjects").set_value(["dang_vien"]).run()
    app.multiselect(key="heat-sectors").set_value(["giao_duc"]).run()
    assert not app.exception
    narrowed = app.dataframe[0].value
    assert narrowed.iloc[:, -1].max() < max(everything)
    with engine.connect() as conn:
        expected = unit_indicators(conn, level="commune", start=date(YEAR, 1, 1), end=date(YEAR, 11, 24),
                                   filters=Filters(sectors=("giao_duc",), subject_types=("dang_vien",)))
    assert narrowed.iloc[:, -1].max() == expected["cases"].max()
