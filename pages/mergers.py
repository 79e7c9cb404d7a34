"""Sáp nhập, cân đối: for planners. A new commune with the old units that formed it and its
activity across 1 July 2025; any indicator as of the old or the new units; and the rebalancing
tool (k contiguous groups of communes with balanced workload, manual changes, export)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from etl.vocabulary import LOCATED_BY
from geo.errors import DiabanError
from geo.settings import get_settings
from layers.boundaries import base_map, fit_to
from layers.choropleth import class_layer
from layers.palettes import group_colours
from pages import data
from pages.i18n import day, lang, number, t, term_labels
from pages.shared import period_picker, province_names, scope_key, shapes, show_error, show_map
from queries.mergers import REFORM
from queries.rebalance import MAX_K, MEASURE_LABELS, assignment_csv, assignment_geojson, rescore

st.title(t("mrg.title"))
scope = scope_key()
today = date.today()
names = province_names()
merger_tab, edition_tab, balance_tab = st.tabs([t("mrg.tab.unit"), t("mrg.tab.edition"), t("mrg.tab.balance")])

with merger_tab:
    left, right = st.columns(2)
    province = left.selectbox(t("filter.province"), list(names), format_func=names.get, key="mrg-province")
    communes = shapes("commune", province)
    commune_names = dict(zip(communes["code"], communes["name"]))
    code = right.selectbox(t("filter.commune"), list(commune_names), format_func=commune_names.get, key="mrg-commune")
    freq = st.radio(t("cmp.freq"), ("month", "quarter"), horizontal=True, key="mrg-freq",
                    format_func=lambda v: t(f"cmp.freq.{v}"))
    try:
        with st.spinner(t("spinner.counts")):
            unit = data.history(scope, code, date(REFORM.year - 2, 1, 1), today, freq)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
        show_error(exc)
    else:
        st.subheader(t("mrg.formed_by", name=commune_names[code], n=len(unit.predecessors)))
        pred = unit.predecessors.assign(weight=unit.predecessors["weight"].map(lambda w: f"{number(100 * w, 0)} %"),
                                        kind=unit.predecessors["kind"].map(lambda k: t(f"mrg.kind.{k}")))
        st.dataframe(pred[["old_code", "old_name", "kind", "weight"]].rename(columns={
            "old_code": t("unit.code"), "old_name": t("mrg.old_unit"), "kind": t("mrg.kind"),
            "weight": t("mrg.weight")}), hide_index=True, key="mrg-pred")
        totals = unit.totals.set_index("era")
        m = st.columns(3)
        for col, era in zip(m[:2], ("before", "after")):
            if era in totals.index:
                col.metric(t(f"mrg.per_period.{era}.{freq}"), number(totals.loc[era, "per_period"], 1))
        if "before" in totals.index and totals.loc["before", "cases"]:
            m[2].metric(t("mrg.estimated_share"),
                        f"{number(100 * totals.loc['before', 'estimated'] / totals.loc['before', 'cases'], 1)} %")
        st.subheader(t("mrg.activity_title", reform=day(REFORM)))
        chart = unit.activity.assign(era=unit.activity["era"].map(lambda e: t(f"mrg.era.{e}")))
        st.bar_chart(chart, x="period", y="cases", color="era", x_label=t("cmp.period"), y_label=t("cases_unit"))
        st.caption(t("mrg.activity_caption"))
    st.subheader(t("mrg.province_title", province=names[province]))
    try:
        table = data.province_before_after(scope, province, today)
        attributed = data.reattribution(scope, province)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
    else:
        shown = table.merge(attributed[["code", "records", "by_point", "estimated"]], on="code", how="left")
        headers = {"name": t("unit.name"), "code": t("unit.code"), "predecessors": t("mrg.predecessors"),
                   "cases_before": t("mrg.cases_before"), "cases_after": t("mrg.cases_after"),
                   "records": t("mrg.records_before_reform"), "by_point": t("mrg.by_point"),
                   "estimated": t("mrg.estimated")}
        st.dataframe(shown[list(headers)].rename(columns=headers), hide_index=True, width="stretch",
                     key="mrg-province-table")
        if len(table):
            st.caption(t("mrg.windows", before=table["window_before"].iloc[0], after=table["window_after"].iloc[0]))

with edition_tab:
    period = period_picker(key="mrg-ed", today=today)
    left, right = st.columns(2)
    edition = left.radio(t("mrg.edition"), ("2025", "pre2025"), horizontal=True, key="mrg-edition",
                         format_func=lambda v: t(f"mrg.edition.{v}"))
    levels = ("province", "commune") if edition == "2025" else ("province", "district", "commune")
    level = right.radio(t("mrg.level"), levels, horizontal=True, key=f"mrg-level-{edition}",
                        format_func=lambda v: t(f"mrg.level.{v}"))
    try:
        with st.spinner(t("spinner.counts")):
            result = data.as_of_indicators(scope, edition, level, period.start, period.end)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
    else:
        located = term_labels(LOCATED_BY)
        placement = result.placement.assign(placed_by=result.placement["placed_by"].map(
            lambda p: located.get(p, p) if edition == "2025" else t(f"mrg.placed.{p}")))
        cols = st.columns(max(len(placement), 1))
        for col, row in zip(cols, placement.itertuples()):
            col.metric(row.placed_by, number(row.records))
        table = result.table.sort_values("cases", ascending=False)
        headers = {"code": t("unit.code"), "name": t("unit.name"), "cases": t("cases"),
                   "violations": t("cmp.row.violations"), "members": t("cmp.row.members"),
                   "exact": t("mrg.exact"), "estimated": t("mrg.estimated")}
        present = [c for c in headers if c in table.columns]
        st.dataframe(table[present].rename(columns=headers), hide_index=True, width="stretch", key="mrg-edition-table")
        st.caption(t("mrg.edition_caption"))

with balance_tab:
    st.caption(t("bal.intro"))
    a, b, c = st.columns(3)
    bal_province = a.selectbox(t("filter.province"), list(names), format_func=names.get, key="bal-province")
    measure = b.selectbox(t("bal.measure"), list(MEASURE_LABELS), key="bal-measure",
                          format_func=lambda m: MEASURE_LABELS[m][0 if lang() == "vi" else 1])
    units = shapes("commune", bal_province)
    k = c.number_input(t("bal.k"), min_value=2, max_value=min(MAX_K, max(len(units) - 1, 2)), value=4, step=1,
                       key="bal-k")
    start = date(today.year - 1, 1, 1)
    try:
        with st.spinner(t("bal.spinner")):
            plan = data.rebalancing(scope, bal_province, int(k), measure, start, today)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
        st.stop()
    edited_key = f"bal-edit-{bal_province}-{k}-{measure}"
    proposal = plan.after
    st.subheader(t("bal.result_title", k=int(k), province=names[bal_province]))
    m = st.columns(4)
    m[0].metric(t("bal.max_mean_before"), number(plan.before.max_mean, 2))
    m[1].metric(t("bal.max_mean_after"), number(plan.after.max_mean, 2),
                delta=number(plan.after.max_mean - plan.before.max_mean, 2), delta_color="inverse")
    m[2].metric(t("bal.cv_before"), number(plan.before.cv, 2))
    m[3].metric(t("bal.cv_after"), number(plan.after.cv, 2), delta=number(plan.after.cv - plan.before.cv, 2),
                delta_color="inverse")
    st.caption(t("bal.metrics_caption", period=f"{day(start)} – {day(today)}"))

    st.markdown(f"**{t('bal.manual')}**")
    editable = proposal.assignment[["code", "name", "workload", "group"]].copy()
    edited = st.data_editor(editable, key=edited_key, hide_index=True, width="stretch",
                            disabled=["code", "name", "workload"],
                            column_config={"group": st.column_config.NumberColumn(t("bal.group"), min_value=1,
                                                                                  step=1),
                                           "code": t("unit.code"), "name": t("unit.name"),
                                           "workload": t("bal.workload")})
    changed = edited["group"].ne(editable["group"]).any()
    if changed:
        try:
            proposal = rescore(plan.units, dict(zip(edited["code"], edited["group"])), neighbours=plan.neighbours)
        except DiabanError as exc:
            show_error(exc)
        else:
            st.info(t("bal.rescored", max_mean=number(proposal.max_mean, 2), cv=number(proposal.cv, 2)),
                    icon=":material/edit:")
    for warning in proposal.warnings:
        st.warning(warning, icon=":material/warning:")

    left, right = st.columns([3, 2])
    with left:
        fmap = base_map(tile_url=get_settings().tile_url, attribution=get_settings().tile_attribution)
        groups = proposal.assignment.set_index("code")["group"].astype(str)
        colours = group_colours(proposal.assignment["group"].unique())
        layer, legend = class_layer(units, groups, colours=colours,
                                    labels={g: t("bal.group_n", n=g) for g in colours}, name=t("bal.group"),
                                    legend=t("bal.group"), fields=["name", "code"],
                                    aliases=[t("unit.name"), t("unit.code")], default="0")
        layer.add_to(fmap)
        fit_to(fmap, units)
        show_map(fmap, key=f"bal-map-{bal_province}", height=480)
        st.html(legend)
    with right:
        group_table = proposal.groups.rename(columns={
            "group": t("bal.group"), "communes": t("bal.communes"), "workload": t("bal.workload"),
            "ratio_to_mean": t("bal.ratio"), "contiguous": t("bal.contiguous"), "parts": t("bal.parts")})
        st.dataframe(group_table, hide_index=True, width="stretch", key="bal-groups")
        stem = f"phan-nhom-{bal_province}-{int(k)}"
        st.download_button(t("bal.export_csv"), assignment_csv(proposal, language=lang()), file_name=f"{stem}.csv",
                           mime="text/csv", key="bal-csv")
        st.download_button(t("bal.export_geojson"), assignment_geojson(plan.units, proposal),
                           file_name=f"{stem}.geojson", mime="application/geo+json", key="bal-geojson")
