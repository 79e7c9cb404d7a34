"""Đơn vị chậm tiến độ: units behind their annual targets, beyond chance (Poisson test), on a map
coloured by status, in a funnel plot and in ranked warnings that open the target and the records."""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo.settings import get_settings
from layers.boundaries import base_map
from layers.charts import funnel_chart
from layers.choropleth import class_layer
from layers.palettes import STATUS
from pages import data
from pages.i18n import day, number, t
from pages.records import show_records
from pages.shared import period_picker, province_names, scope_key, shapes, show_error, show_map
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
    chart = funnel_chart(ranked.assign(name=ranked["name"].fillna(ranked["code"])), colours=STATUS,
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
        result = data.unit_records(scope, level, chosen, Filters(start=date(year, 1, 1), end=as_of))
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
    else:
        show_records(result, key="lag-records", file_stem=f"ho-so-{chosen}-{year}")
