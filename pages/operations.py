"""Trung tâm điều hành: a full-screen view for a wall display (``?wall=1`` hides the sidebar and header): headline figures since the start of the
year, the national map, the newest alerts, lagging units and what is overdue, refreshed on their own.

The map is drawn once per page load (it changes only with the counts, checked at each refresh: an
unchanged map is not redrawn); the figures and lists rerun every ``LIVE_SECONDS``.
"""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from geo.settings import get_settings
from layers.boundaries import base_map
from layers.choropleth import choropleth_layer
from pages import data
from pages.i18n import number, t
from pages.shared import scope_key, shapes, show_error, show_map

LIVE_SECONDS = 20
WALL_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none}
.block-container {padding: 0.6rem 1.2rem; max-width: 100%}
[data-testid="stMetricValue"] {font-size: 3rem}
</style>"""

if st.query_params.get("wall") == "1":  # the wall display: no sidebar, no header
    st.html(WALL_CSS)
scope = scope_key()
today = date.today()
start = date(today.year, 1, 1)
st.title(t("ops.title"))
st.caption(t("ops.wall_hint"))


@st.fragment(run_every=LIVE_SECONDS)
def _figures() -> None:
    version = data.data_version(scope)
    try:
        headline = data.headline(scope, start, today, version=version)
        alerts = data.alerts(scope, today, version=version)
        lagging = data.lagging(scope, today.year, today, "commune", version=version)
        overdue = data.signals(scope, today, version=version)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
        show_error(exc)
        return
    overdue = overdue[overdue["signal"].isin(("overdue_cases", "overdue_petitions"))]
    alerting, behind = alerts[alerts["alert"]], lagging[lagging["status"] == "lagging"]
    cols = st.columns(4)
    cols[0].metric(t("ops.cases"), number(int(headline["cases"].sum())),
                   delta=number(int(headline["cases"].sum() - headline["previous"].sum())))
    cols[1].metric(t("ops.alerts"), number(len(alerting)))
    cols[2].metric(t("ops.lagging"), number(len(behind)))
    cols[3].metric(t("ops.overdue"), number(int(overdue["count"].sum())))
    st.caption(t("ops.headline", year=today.year) + " · " + t("live.updated", time=datetime.now().strftime("%H:%M:%S")))
    communes = shapes("commune").set_index("code")

    def label(code: str) -> str:
        return str(communes["name"].get(code, code))

    left, middle, right = st.columns(3)
    with left:
        st.subheader(t("ops.newest"))
        for row in alerting.head(8).itertuples():
            st.markdown(f":material/warning: **{label(row.code)}**: {number(row.recent)} / {number(row.expected, 1)}")
        if alerting.empty:
            st.caption(t("ops.none"))
    with middle:
        st.subheader(t("ops.lagging_units"))
        for row in behind.head(8).itertuples():
            st.markdown(f":material/schedule: **{label(row.code)}**: {number(row.actual)} / {number(row.expected, 1)}")
        if behind.empty:
            st.caption(t("ops.none"))
    with right:
        st.subheader(t("ops.overdue_title"))
        st.caption(t("ops.tasks_note"))
        for row in overdue.head(8).to_dict("records"):
            st.markdown(f":material/event_busy: **{row['commune_name']}**: {number(row['count'])}"
                        f" ({t('sig.' + row['signal'])})")
        if overdue.empty:
            st.caption(t("ops.none"))


_figures()

try:
    per_province = data.counts(scope, "province", start, today, (), None, version=data.data_version(scope))
except Exception as exc:  # noqa: BLE001
    show_error(exc)
    st.stop()
fmap = base_map(tile_url=get_settings().tile_url, attribution=get_settings().tile_attribution)
layer, legend = choropleth_layer(shapes("province"), per_province, name=t("cases"), legend=t("cases_unit"),
                                 fields=["name", "code"], aliases=[t("unit.name"), t("unit.code")],
                                 format_value=number)
layer.add_to(fmap)
show_map(fmap, key="operations-map", height=620)
st.html(legend)
