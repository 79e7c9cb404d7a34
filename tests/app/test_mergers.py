"""Mergers and rebalancing page on the demo data."""

from __future__ import annotations

from queries.mergers import predecessors
from tests.app.conftest import frame


def test_a_new_commune_shows_the_old_units_that_formed_it_and_a_balanced_proposal(app, engine, demo_loaded):
    app.switch_page("pages/mergers.py").run()
    assert not app.exception
    assert app.title[0].value == "Sáp nhập và cân đối địa bàn"
    code = app.selectbox(key="mrg-commune").value
    with engine.connect() as conn:
        expected = predecessors(conn, level="commune", code=code)
    table = frame(app, "Mã", "Đơn vị cũ")
    assert sorted(table["Mã"]) == sorted(expected["old_code"]) and len(table) > 0
    assert f"{len(expected)} đơn vị cũ" in app.subheader[0].value
    metrics = {m.label: m.value for m in app.metric}
    before = float(metrics["Lớn nhất / trung bình, trước"].replace(",", "."))
    after = float(metrics["Lớn nhất / trung bình, đề xuất"].replace(",", "."))
    assert 1.0 <= after <= before
    groups = frame(app, "Nhóm", "Liền kề")
    assert len(groups) == 4 and groups["Liền kề"].all()


def test_figures_as_of_the_old_provinces_count_every_record(app, demo_loaded):
    app.switch_page("pages/mergers.py").run()
    app.radio(key="mrg-edition").set_value("pre2025").run()
    assert not app.exception
    table = frame(app, "Mã", "Chính xác")
    assert 50 <= len(table) <= 63  # the 63 old provinces, those with records in the period
