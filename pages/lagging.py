"""Đơn vị chậm tiến độ: units behind their annual targets, beyond chance (Poisson test), on a map
coloured by status, in a funnel plot and in ranked warnings that open the target and the records."""

from __future__ import annotations

from datetime import date

import streamlit as st

from etl.vocabulary import KINDS, SECTORS, SUBJECT_TYPES
from geo.settings import get_settings
from layers.boundaries import base_map
from layers.charts import funnel_chart
from layers.choropleth import class_layer
from layers.palettes import STATUS
from pages import data
from pages.i18n import STRINGS, day, number, t, term_labels
from pages.records import show_records
from pages.session import audit_once
from pages.shared import period_picker, province_names, scope_key, shapes, show_error, show_map
from queries.lagging import funnel_curves
from queries.signals import group_signals
from queries.spatial import Filters

st.title(t("lag.title"))
scope = scope_key()
period = period_picker(key="lag")
year, as_of = period.end.year, period.end
level = st.radio(t("lag.level"), ("commune", "province"), horizontal=True, key="lag-level",
                 format_func=lambda v: t("units.communes") if v == "commune" else t("units.provinces"))
names = province_names()
try:
    with st.spinner(t("spinner.counts")):
        ranked = data.lagging(scope, year, as_of, level)
    units = shapes(level)
except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
    show_error(exc)
    st.stop()

if ranked.empty:
    st.info(t("lag.empty", year=year), icon=":material/event_busy:")
    st.stop()

share = float(ranked["share"].iloc[0])
st.caption(t("lag.caption", year=year, share=f"{number(100 * share, 1)}%", as_of=day(as_of)))
ranked = ranked.merge(units[["code", "name", "parent_code"]], on="code", how="left")
ranked["province"] = (ranked["parent_code"] if level == "commune" else ranked["code"]).map(names)
status_labels = {s: t(f"lag.status.{s}") for s in STATUS}
cols = st.columns(3)
for col, status in zip(cols, ("lagging", "watch", "on_track")):
    col.metric(t(f"lag.metric_{status}"), number(int((ranked["status"] == status).sum())))

left, right = st.columns([3, 2])
with left:
    level_name = t("units.communes") if level == "commune" else t("units.provinces")
    st.subheader(t("lag.map_title", year=year, level=level_name.lower(), as_of=day(as_of)))
    fmap = base_map(tile_url=get_settings().tile_url, attribution=get_settings().tile_attribution)
    layer, legend = class_layer(units, ranked.set_index("code")["status"], colours=STATUS, labels=status_labels,
                                name=t("lag.legend"), legend=t("lag.legend"), fields=["name", "code"],
                                aliases=[t("unit.name"), t("unit.code")], default="no_target")
    layer.add_to(fmap)
    show_map(fmap, key=f"lag-map-{level}", height=520)
    st.html(legend)
with right:
    st.subheader(t("lag.funnel"))
    chart = funnel_chart(ranked.assign(name=ranked["name"].fillna(ranked["code"])),
                         funnel_curves(float(ranked["expected"].max())), colours=STATUS,
                         status_labels=status_labels, x_title=t("lag.funnel_x"), y_title=t("lag.funnel_y"),
                         tooltip_titles={"name": t("unit.name"), "actual": t("lag.actual"),
                                         "expected": t("lag.expected"), "ratio": t("lag.ratio")})
    st.altair_chart(chart, width="stretch")
    st.caption(t("lag.funnel_caption"))

st.subheader(t("lag.ranked"))
warned = ranked[ranked["status"].isin(["lagging", "watch"])].copy()
headers = {"province": t("unit.province"), "name": t("unit.name"), "code": t("unit.code"), "status": t("lag.legend"),
           "planned": t("lag.planned"), "expected": t("lag.expected"), "actual": t("lag.actual"),
           "ratio": t("lag.ratio"), "p_value": t("lag.p_value")}
if level == "commune" and len(warned):
    by_province = (warned.groupby("province").agg(lagging=("status", lambda s: int((s == "lagging").sum())),
                                                  watch=("status", lambda s: int((s == "watch").sum())))
                   .sort_values(["lagging", "watch"], ascending=False).reset_index())
    st.dataframe(by_province.rename(columns={"province": t("unit.province"), "lagging": t("lag.status.lagging"),
                                             "watch": t("lag.status.watch")}), hide_index=True, key="lag-groups")
table = warned.assign(status=warned["status"].map(status_labels), expected=warned["expected"].round(1),
                      ratio=warned["ratio"].round(2), p_value=warned["p_value"].round(4))
st.dataframe(table[list(headers)].rename(columns=headers), hide_index=True, width="stretch", key="lag-table")

st.subheader(t("lag.drill"))
options = [""] + list(warned["code"])
unit_names = dict(zip(ranked["code"], ranked["name"].fillna(ranked["code"])))
chosen = st.selectbox(t("lag.drill"), options, key="lag-drill", label_visibility="collapsed",
                      format_func=lambda c: unit_names.get(c, c) if c else t("lag.drill_none"))
if chosen:
    row = ranked.set_index("code").loc[chosen]
    st.markdown(f"**{t('lag.target_title', name=unit_names[chosen])}**")
    m = st.columns(4)
    m[0].metric(t("lag.planned"), number(row["planned"]))
    m[1].metric(t("lag.expected"), number(row["expected"], 1))
    m[2].metric(t("lag.actual"), number(row["actual"]), delta=number(row["actual"] - row["expected"], 1))
    m[3].metric(t("lag.legend"), status_labels[row["status"]])
    try:
        lines = data.target_lines(scope, year, as_of, level, chosen)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
    else:
        kinds, subjects = term_labels(KINDS), term_labels(SUBJECT_TYPES)
        st.dataframe(lines.assign(kind=lines["kind"].map(kinds), subject_type=lines["subject_type"].map(subjects),
                                  status=lines["status"].map(status_labels), expected=lines["expected"].round(1))
                     [["kind", "subject_type", "planned", "expected", "actual", "status"]].rename(columns={
                         "kind": t("filter.kinds"), "subject_type": t("col.subject_type"),
                         "planned": t("lag.planned"), "expected": t("lag.expected"), "actual": t("lag.actual"),
                         "status": t("lag.legend")}), hide_index=True, width="stretch", key="lag-lines")
    try:
        result = data.unit_records(scope, level, chosen, Filters(start=date(year, 1, 1), end=as_of))
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
    else:
        show_records(result, key="lag-records", file_stem=f"ho-so-{chosen}-{year}")

st.divider()
st.subheader(t("sig.title"))
st.caption(t("sig.caption"))
try:
    raised = data.signals(scope, as_of)
except Exception as exc:  # noqa: BLE001
    show_error(exc)
    st.stop()
if raised.empty:
    st.info(t("sig.empty", as_of=day(as_of)), icon=":material/task_alt:")
    st.stop()
signal_labels = {s: t(f"sig.{s}") for s in ("overdue_petitions", "undecided_discipline", "overdue_cases", "silent")}
priority_labels = {"high": t("sig.priority.high"), "watch": t("sig.priority.watch")}
by = st.radio(t("sig.group_by"), ("department", "province"), horizontal=True, key="sig-by",
              format_func=lambda v: t(f"sig.by.{v}"))
grouped = group_signals(raised, by=by).rename(columns={
    "department_code": t("sig.by.department"), "province_code": t("unit.code"), "province_name": t("unit.province"),
    "high": priority_labels["high"], "watch": priority_labels["watch"], "communes": t("sig.communes"),
    **signal_labels})
st.dataframe(grouped, hide_index=True, width="stretch", key="sig-groups")
sectors = data.signal_sectors(scope, as_of)
if len(sectors):
    sector_labels = term_labels(SECTORS)
    pivot = sectors.assign(sector=sectors["sector"].map(lambda s: sector_labels.get(s, s or "—")),
                           signal=sectors["signal"].map(signal_labels)).pivot_table(
        index="sector", columns="signal", values="records", aggfunc="sum", fill_value=0)
    st.markdown(f"**{t('sig.by_sector')}**")
    st.dataframe(pivot, width="stretch", key="sig-sectors")
table = raised.assign(signal=raised["signal"].map(signal_labels), priority=raised["priority"].map(priority_labels),
                      expected=raised["expected"].round(1))
headers = {"priority": t("sig.priority"), "signal": t("sig.signal"), "commune_name": t("unit.commune"),
           "province_name": t("unit.province"), "department_code": t("sig.by.department"),
           "count": t("sig.count"), "expected": t("lag.expected"), "oldest_days": t("sig.oldest_days")}
st.dataframe(table[list(headers)].rename(columns=headers), hide_index=True, width="stretch", key="sig-table")
choices = [""] + [f"{s}|{c}" for s, c in zip(raised["signal"], raised["commune_code"])]
names_by_code = dict(zip(raised["commune_code"], raised["commune_name"]))
picked = st.selectbox(t("sig.drill"), choices, key="sig-drill",
                      format_func=lambda v: t("lag.drill_none") if not v else
                      f"{signal_labels[v.split('|')[0]]} — {names_by_code[v.split('|')[1]]}")
if picked:
    signal, commune = picked.split("|")
    try:
        rows = data.signal_rows(scope, signal, commune, as_of)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
    else:
        audit_once("record_view", key=f"signal:{picked}", rows=len(rows),
                   details={"view": "signal", "signal": signal, "commune": commune})
        st.dataframe(rows.rename(columns=lambda c: t(f"sig.col.{c}") if f"sig.col.{c}" in STRINGS else c),
                     hide_index=True, width="stretch", key="sig-records")
