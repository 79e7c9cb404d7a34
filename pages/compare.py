"""So sánh: provinces or regional departments side by side on counts, fair rates, change and
backlog, with small-multiple maps on one colour scale and their trends."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from etl.vocabulary import KINDS
from geo.settings import get_settings
from layers.boundaries import base_map, fit_to
from layers.choropleth import choropleth_layer, class_edges
from pages import data
from pages.i18n import number, t, term_labels
from pages.shared import (
    period_caption,
    period_picker,
    province_names,
    scope_key,
    shapes,
    show_error,
    show_map,
)

st.title(t("cmp.title"))
scope = scope_key()
period = period_picker(key="cmp")
st.caption(period_caption(period))
level = st.radio(t("cmp.level"), ("province", "department"), horizontal=True, key="cmp-level",
                 format_func=lambda v: t(f"cmp.level.{v}"))
kind_labels = term_labels(KINDS)
kinds = tuple(st.multiselect(t("filter.kinds"), list(kind_labels), format_func=kind_labels.get, key="cmp-kinds",
                             help=t("filter.kinds_all")))
try:
    names = province_names()
    if level == "province":
        options, defaults = names, ["01", "79"]
    else:
        table = data.department_list(scope)
        options, defaults = dict(zip(table["code"], table["name"])), list(table["code"][:2])
except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
    show_error(exc)
    st.stop()
chosen = st.multiselect(t("cmp.units"), list(options), default=[c for c in defaults if c in options],
                        format_func=lambda c: options.get(c, c), key=f"cmp-units-{level}", max_selections=6)
if len(chosen) < 2:
    st.info(t("cmp.choose_two"), icon=":material/compare_arrows:")
    st.stop()

try:
    with st.spinner(t("spinner.counts")):
        figures = data.comparison(scope, level, tuple(chosen), period.start, period.end, kinds)
except Exception as exc:  # noqa: BLE001
    show_error(exc)
    st.stop()

st.subheader(t("cmp.table_title", period=period.label))
rows = {
    t("cmp.row.members"): figures["members"].map(number),
    t("cmp.row.cases"): figures["cases"].map(number),
    t("cmp.row.previous"): figures["previous"].map(number),
    t("cmp.row.change"): [
        "–" if np.isnan(p) else f"{'+' if p > 0 else ''}{number(p, 1)} %" + (" *" if s else "")
        for p, s in zip(figures["change_pct"], figures["significant"])],
    t("cmp.row.violations"): figures["violations"].map(number),
    t("cmp.row.rate"): figures["rate"].map(lambda v: number(v, 3)),
    t("cmp.row.rate_smoothed"): figures["rate_smoothed"].map(lambda v: number(v, 3)),
    t("cmp.row.open_cases"): figures["open_cases"].map(number),
    t("cmp.row.overdue_petitions"): figures["overdue_petitions"].map(number),
}
if level == "department":
    rows[t("cmp.row.provinces")] = figures["provinces"].map(number)
table = pd.DataFrame({k: list(v) for k, v in rows.items()}, index=list(figures["name"].fillna(figures["code"]))).T
st.dataframe(table, width="stretch", key="cmp-table")
st.caption(t("cmp.table_caption"))

st.subheader(t("cmp.maps_title"))
try:
    if level == "province":
        rates = data.indicators(scope, "commune", period.start, period.end, kinds).set_index("code")["rate_smoothed"]
        maps = [(code, shapes("commune", code, detail="detail")) for code in chosen]
    else:
        rates = data.indicators(scope, "province", period.start, period.end, kinds).set_index("code")["rate_smoothed"]
        provinces = shapes("province")
        members = data.department_list(scope).set_index("code")["provinces"]
        maps = [(code, provinces[provinces["code"].isin(members[code])]) for code in chosen]
except Exception as exc:  # noqa: BLE001
    show_error(exc)
    st.stop()
shown = pd.concat([units["code"] for _, units in maps])
edges = class_edges(rates.reindex(shown).to_numpy())
columns = st.columns(min(len(maps), 3))
legend = ""
for i, (code, units) in enumerate(maps):
    with columns[i % len(columns)]:
        st.markdown(f"**{options.get(code, code)}**")
        if units.empty:
            st.info(t("cmp.no_units"))
            continue
        fmap = base_map(tile_url=get_settings().tile_url, attribution=get_settings().tile_attribution)
        layer, legend = choropleth_layer(units, rates, name=t("cmp.rate_legend"), legend=t("cmp.rate_legend"),
                                         fields=["name", "code"], aliases=[t("unit.name"), t("unit.code")],
                                         format_value=lambda v: number(v, 2), edges=edges)
        layer.add_to(fmap)
        fit_to(fmap, units)
        show_map(fmap, key=f"cmp-map-{level}-{code}", height=320)
st.html(legend)

st.subheader(t("cmp.trend_title"))
freq = st.radio(t("cmp.freq"), ("quarter", "month", "year"), horizontal=True, key="cmp-freq",
                format_func=lambda v: t(f"cmp.freq.{v}"))
try:
    series = data.trend(scope, level, tuple(chosen), date(period.start.year - 4, 1, 1), period.end, freq, kinds)
except Exception as exc:  # noqa: BLE001
    show_error(exc)
    st.stop()
if series.empty:
    st.info(t("cmp.no_trend"))
else:
    wide = series.assign(unit=series["code"].map(lambda c: options.get(c, c))).pivot_table(
        index="period", columns="unit", values="cases", aggfunc="sum", fill_value=0)
    st.line_chart(wide, x_label=t("cmp.period"), y_label=t("cases_unit"))
