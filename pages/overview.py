"""Tổng quan: headline figures against the same period a year before, the national map (communes
of a province when one is chosen or clicked), the newest early warnings and lagging units, each
opening its records."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from etl.vocabulary import KINDS
from geo.settings import get_settings
from layers.boundaries import base_map, fit_to
from layers.choropleth import choropleth_layer
from pages import data
from pages.i18n import day, number, t, term_labels
from pages.records import show_records
from pages.shared import (
    period_caption,
    period_picker,
    province_names,
    scope_key,
    shapes,
    show_error,
    show_map,
)
from queries.spatial import Filters

st.title(t("overview.title"))
period = period_picker(key="overview")
st.caption(period_caption(period))
scope = scope_key()

LIVE_SECONDS = 20  # figures and alerts refresh on their own; a batch ingested through the API shows within 60 s


@st.fragment(run_every=LIVE_SECONDS)
def _live_headline() -> None:
    """The headline figures, rerun alone every LIVE_SECONDS (the maps below are not redrawn)."""
    try:
        headline = data.headline(scope, period.start, period.end, version=data.data_version(scope))
    except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
        show_error(exc)
        return
    if headline["cases"].sum() == 0:
        st.info(t("overview.empty"), icon=":material/inbox:")
    else:
        total, previous = int(headline["cases"].sum()), int(headline["previous"].sum())
        cols = st.columns(4)
        cols[0].metric(t("overview.total"), number(total), delta=number(total - previous))
        kind_labels = term_labels(KINDS)
        for col, row in zip(cols[1:], headline.sort_values("cases", ascending=False).head(3).itertuples()):
            col.metric(kind_labels[row.kind].capitalize(), number(row.cases), delta=number(row.cases - row.previous))
    st.caption(t("live.updated", time=datetime.now().strftime("%H:%M:%S")))


try:
    names = province_names()
except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
    show_error(exc)
    st.stop()
_live_headline()

# A click on a province (below) asks for its communes; apply it before the selectbox is drawn.
if "overview-clicked" in st.session_state:
    st.session_state["province"] = st.session_state.pop("overview-clicked")
labels = {"": t("whole_country")} | names
left, right = st.columns([1, 2])
province = left.selectbox(t("filter.province"), options=list(labels), format_func=labels.get, key="province")
kinds = right.multiselect(t("filter.kinds"), options=list(KINDS), format_func=term_labels(KINDS).get,
                          key="overview-kinds", placeholder=t("filter.kinds_all"))

level = "commune" if province else "province"
with st.spinner(t("spinner.counts")):
    per_unit = data.counts(scope, level, period.start, period.end, tuple(kinds), province or None)
    units = shapes("commune", province, "detail") if province else shapes("province")
fmap = base_map(tile_url=get_settings().tile_url, attribution=get_settings().tile_attribution)
layer, legend = choropleth_layer(units, per_unit, name=t("cases"), legend=t("cases_unit"),
                                 fields=["name", "code"], aliases=[t("unit.name"), t("unit.code")], format_value=number)
layer.add_to(fmap)
if province:
    fit_to(fmap, units)
    st.subheader(t("overview.map_communes", province=labels[province], period=period.label))
else:
    st.subheader(t("overview.map_provinces", period=period.label))
    st.caption(t("overview.click_hint"))
event = show_map(fmap, key=f"overview-{province or 'all'}", returned=("last_active_drawing",) if not province else ())
st.html(legend)
table = (per_unit.rename("cases").reset_index().merge(units[["code", "name"]], on="code", how="right")
         .fillna({"cases": 0}).astype({"cases": int}).sort_values("cases", ascending=False))
st.dataframe(table.rename(columns={"code": t("unit.code"), "name": t("unit.name"), "cases": t("cases")}),
             hide_index=True, width="stretch", height=240, key="overview-units")
clicked = ((event.get("last_active_drawing") or {}).get("properties") or {}).get("code")
if not province and clicked in names:
    st.session_state["overview-clicked"] = clicked
    st.rerun()


def _drill(code: str, name: str, level: str, start, end) -> None:
    st.session_state["overview-drill"] = {"code": code, "name": name, "level": level, "start": start, "end": end}


communes = shapes("commune").set_index("code")


def _commune_label(code: str) -> str:
    if code not in communes.index:
        return code
    return f"{communes.at[code, 'name']} ({names.get(communes.at[code, 'parent_code'], '')})"


@st.fragment(run_every=LIVE_SECONDS)
def _live_alerts() -> None:
    """Newest alerts and lagging units, rerun alone every LIVE_SECONDS; a click opens the records below."""
    version = data.data_version(scope)
    alerts_col, lagging_col = st.columns(2)
    with alerts_col:
        _alerts(version)
    with lagging_col:
        _lagging(version)


def _open(code: str, name: str, level: str, start, end) -> None:
    _drill(code, name, level, start, end)
    st.rerun()  # the whole page: the records are drawn outside the fragment


def _alerts(version) -> None:
    st.subheader(t("overview.alerts"))
    try:
        warnings = data.alerts(scope, period.end, version=version)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
        return
    newest = warnings[warnings["alert"]].head(5)
    st.caption(t("overview.alerts_caption", as_of=day(period.end)))
    if newest.empty:
        st.info(t("overview.alerts_none"))
    for row in newest.itertuples():
        name = _commune_label(row.code)
        if st.button(t("overview.alert_button", name=name, recent=number(row.recent), expected=number(row.expected, 1)),
                     key=f"alert-{row.code}", icon=":material/warning:"):
            _open(row.code, name, "commune", row.window_start, row.as_of)


def _lagging(version) -> None:
    st.subheader(t("overview.lagging"))
    year = period.end.year
    try:
        ranked = data.lagging(scope, year, period.end, "commune", version=version)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
        return
    worst = ranked[ranked["status"] == "lagging"].head(5)
    st.caption(t("overview.lagging_caption", year=year, as_of=day(period.end)))
    if worst.empty:
        st.info(t("overview.lagging_none", year=year))
    for row in worst.itertuples():
        name = _commune_label(row.code)
        if st.button(t("overview.lagging_button", name=name, actual=number(row.actual), expected=number(row.expected, 1)),
                     key=f"lag-{row.code}", icon=":material/schedule:"):
            _open(row.code, name, "commune", period.start, period.end)


_live_alerts()

drill = st.session_state.get("overview-drill")
if drill:
    st.subheader(t("overview.drill", name=drill["name"]))
    try:
        result = data.unit_records(scope, drill["level"], drill["code"], Filters(start=drill["start"], end=drill["end"]))
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
    else:
        show_records(result, key="overview-records", file_stem=f"ho-so-{drill['code']}")
