"""Bản đồ nhiệt, điểm nóng: H3 heat map or commune map, Gi* hot and cold spots, emerging-hotspot
categories; counts or fair (smoothed) rates; by period, kind and province."""

from __future__ import annotations

import streamlit as st

from etl.vocabulary import CATEGORIES, KINDS, SECTORS, SUBJECT_TYPES
from geo.settings import get_settings
from layers.boundaries import PROVINCE_STYLE, base_map, fit_to, units_layer
from layers.choropleth import choropleth_layer, class_layer
from layers.palettes import EMERGING, HOTSPOT
from pages import data
from pages.i18n import number, t, term_labels
from pages.shared import period_picker, province_names, scope_key, shapes, show_error, show_map
from queries.spatial import Filters

VIEWS = ("hex", "commune", "gistar", "emerging")
MEASURES = {"rate_smoothed": "heat.measure_rate", "violations": "heat.measure_count", "cases": "heat.measure_cases"}

st.title(t("heat.title"))
scope = scope_key()
period = period_picker(key="heat")
names = province_names()
labels = {"": t("whole_country")} | names
a, b, c = st.columns([2, 2, 3])
view = a.radio(t("heat.view"), VIEWS, format_func=lambda v: t(f"heat.view_{v}"), key="heat-view")
province = b.selectbox(t("filter.province"), options=list(labels), format_func=labels.get, key="heat-province")
kinds = tuple(c.multiselect(t("filter.kinds"), options=list(KINDS), format_func=term_labels(KINDS).get,
                            key="heat-kinds", placeholder=t("filter.kinds_all")))
measures = ["cases", "violations"] if view == "hex" else list(MEASURES)
measure = b.selectbox(t("heat.measure"), measures, format_func=lambda m: t(MEASURES[m]), key=f"heat-measure-{view}")
where = labels[province]
with st.expander(t("area.filters"), icon=":material/filter_alt:"):
    f1, f2, f3 = st.columns(3)
    sectors = f1.multiselect(t("area.sectors"), list(SECTORS), format_func=term_labels(SECTORS).get,
                             key="heat-sectors")
    categories = f2.multiselect(t("area.categories"), list(CATEGORIES), format_func=term_labels(CATEGORIES).get,
                                key="heat-categories")
    subjects = f3.multiselect(t("area.subjects"), list(SUBJECT_TYPES), format_func=term_labels(SUBJECT_TYPES).get,
                              key="heat-subjects")
extra = Filters(sectors=tuple(sectors), categories=tuple(categories), subject_types=tuple(subjects))
st.caption(t("heat.filters_note"))
fmt = (lambda v: number(v, 2)) if measure == "rate_smoothed" else number
legend_unit = t(MEASURES[measure])
fields, aliases = ["name", "code"], [t("unit.name"), t("unit.code")]
fmap = base_map(tile_url=get_settings().tile_url, attribution=get_settings().tile_attribution)
legend, top = "", None

try:
    if view == "hex":
        resolution = c.slider(t("heat.resolution"), 5, 9, 8 if province else 5, key=f"heat-res-{'province' if province else 'country'}",
                              help=t("heat.resolution_help"))
        st.subheader(t("heat.title_hex", measure=legend_unit, res=resolution, where=where, period=period.label))
        with st.spinner(t("spinner.counts")):
            hexes = data.hexagon_map(scope, resolution, period.start, period.end, kinds, province or None, extra)
        if hexes.empty:
            st.info(t("heat.empty"), icon=":material/layers_clear:")
        else:
            layer, legend = choropleth_layer(hexes, hexes.set_index("code")[measure], name=legend_unit,
                                             legend=legend_unit, fields=["code"], aliases=["H3"], format_value=fmt,
                                             outline=0)
            units_layer(shapes("province", province or None), name=t("units.provinces"), style=PROVINCE_STYLE,
                        fields=["name"], aliases=[t("unit.province")]).add_to(fmap)  # the land under the cells
            layer.add_to(fmap)
            fit_to(fmap, hexes)
    elif view in ("commune", "gistar"):
        units = shapes("commune", province, "detail") if province else shapes("commune")
        with st.spinner(t("spinner.counts")):
            table = data.indicators(scope, "commune", period.start, period.end, kinds, extra).set_index("code")
        values = table[measure]
        if view == "commune":
            st.subheader(t("heat.title_commune", measure=legend_unit, where=where, period=period.label))
            layer, legend = choropleth_layer(units, values, name=legend_unit, legend=legend_unit, fields=fields,
                                             aliases=aliases, format_value=fmt)
            top = table.loc[table.index.isin(units["code"])].nlargest(10, measure)[["name", measure]].rename_axis(t("unit.code"))
        else:
            st.subheader(t("heat.title_gistar", measure=legend_unit, where=where, period=period.label))
            st.caption(t("heat.gistar_caption"))
            with st.spinner(t("spinner.analysis")):
                spots = data.commune_hotspots(scope, period.start, period.end, kinds, measure, extra).set_index("code")
            class_labels = {k: t(f"class.{k}") for k in HOTSPOT}
            layer, legend = class_layer(units, spots["label"], colours=HOTSPOT, labels=class_labels,
                                        name=t("class.legend"), legend=t("class.legend"), fields=fields,
                                        aliases=aliases, default="ns")
            shown = spots.loc[spots.index.isin(units["code"])]
            counts = shown["label"].value_counts()
            m1, m2 = st.columns(2)
            m1.metric(t("heat.hot"), number(int(counts.filter(like="hot").sum())))
            m2.metric(t("heat.cold"), number(int(counts.filter(like="cold").sum())))
            top = shown[shown["label"] != "ns"].join(table["name"]).nlargest(10, "z_sim")[["name", "label", "value"]]
            top["label"] = top["label"].map(class_labels)
            top = top.rename_axis(t("unit.code"))
        layer.add_to(fmap)
        if province:
            fit_to(fmap, units)
    else:
        last = period.end.year if (period.end.month, period.end.day) == (12, 31) else period.end.year - 1
        years = tuple(range(max(2021, last - 4), last + 1))
        if len(years) < 3:
            st.info(t("heat.emerging_need", year=period.end.year))
        else:
            st.subheader(t("heat.title_emerging", first=years[0], last=years[-1]))
            st.caption(t("heat.emerging_caption"))
            units = shapes("commune", province, "detail") if province else shapes("commune")
            with st.spinner(t("spinner.emerging")):
                trends = data.commune_trends(scope, years, kinds, extra).set_index("code")
            trend_labels = {k: t(f"emerging.{k}") for k in EMERGING}
            layer, legend = class_layer(units, trends["category"], colours=EMERGING, labels=trend_labels,
                                        name=t("emerging.legend"), legend=t("emerging.legend"), fields=fields,
                                        aliases=aliases, default="no_pattern")
            layer.add_to(fmap)
            if province:
                fit_to(fmap, units)
            shown = trends.loc[trends.index.isin(units["code"]) & (trends["category"] != "no_pattern")]
            top = (shown["category"].map(trend_labels).value_counts().rename(t("heat.n_units")).to_frame()
                   .rename_axis(t("emerging.legend")))
except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
    show_error(exc)
    st.stop()

left, right = st.columns([3, 1])
with left:
    show_map(fmap, key=f"heat-{view}-{province or 'all'}", height=600)
    if legend:
        st.html(legend)
with right:
    if top is not None and len(top):
        st.caption(t("heat.table_top"))
        st.dataframe(top.rename(columns={"name": t("unit.name"), "label": t("class.legend"),
                                         "value": legend_unit, measure: legend_unit}),
                     width="stretch")
