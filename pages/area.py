"""Tra cứu khu vực: the records around a clicked point, inside a drawn polygon or in a commune or
province, with filters; a table, clustered markers, counts by kind and CSV/Excel/GeoJSON exports."""

from __future__ import annotations

import html
import json

import streamlit as st

from etl.vocabulary import CATEGORIES, KINDS, SECTORS, SUBJECT_TYPES
from geo.settings import get_settings
from layers.areas import area_outline, draw_control, radius_circle, record_cluster
from layers.boundaries import PROVINCE_STYLE, base_map, fit_to, units_layer
from pages import data
from pages.i18n import day, draw_texts, t, term_labels
from pages.records import show_records
from pages.session import audit_once
from pages.shared import province_names, scope_key, shapes, show_error, show_map
from queries.spatial import Filters, polygon_from_geojson

MODES = ("radius", "polygon", "unit")

st.title(t("area.title"))
scope = scope_key()
# A map click or drawing from the last run is applied before the widgets are drawn.
for pending, target in (("area-clicked-lat", "area-lat"), ("area-clicked-lon", "area-lon")):
    if pending in st.session_state:
        st.session_state[target] = st.session_state.pop(pending)

mode = st.radio(t("area.mode"), MODES, format_func=lambda m: t(f"area.mode_{m}"), horizontal=True, key="area-mode")
with st.expander(t("area.filters"), icon=":material/filter_alt:"):
    f1, f2 = st.columns(2)
    start = f1.date_input(t("area.from"), value=None, key="area-from", format="DD/MM/YYYY")
    end = f2.date_input(t("area.to"), value=None, key="area-to", format="DD/MM/YYYY")
    kinds = f1.multiselect(t("filter.kinds"), list(KINDS), format_func=term_labels(KINDS).get, key="area-kinds")
    sectors = f2.multiselect(t("area.sectors"), list(SECTORS), format_func=term_labels(SECTORS).get, key="area-sectors")
    categories = f1.multiselect(t("area.categories"), list(CATEGORIES), format_func=term_labels(CATEGORIES).get,
                                key="area-categories")
    subjects = f2.multiselect(t("area.subjects"), list(SUBJECT_TYPES), format_func=term_labels(SUBJECT_TYPES).get,
                              key="area-subjects")
filters = Filters(start=start, end=end, kinds=tuple(kinds), sectors=tuple(sectors), categories=tuple(categories),
                  subject_types=tuple(subjects))

fmap = base_map(tile_url=get_settings().tile_url, attribution=get_settings().tile_attribution)
units_layer(shapes("province"), name=t("units.provinces"), style=PROVINCE_STYLE, fields=["name"],
            aliases=[t("unit.province")]).add_to(fmap)
result, area_name, returned = None, "", ()
try:
    if mode == "radius":
        c1, c2, c3 = st.columns(3)
        lat = c1.number_input(t("area.lat"), value=None, format="%.5f", key="area-lat")
        lon = c2.number_input(t("area.lon"), value=None, format="%.5f", key="area-lon")
        radius_km = c3.number_input(t("area.radius"), 0.1, 200.0, 2.0, step=0.5, key="area-radius")
        hint, returned = t("area.hint_radius"), ("last_clicked",)
        if lat is not None and lon is not None:
            st.caption(t("area.centre", lat=lat, lon=lon, radius=radius_km))
            with st.spinner(t("spinner.query")):
                result = data.radius_records(scope, lon, lat, radius_km * 1000, filters)
            radius_circle(lon, lat, radius_km * 1000, name=t("area.layer_area")).add_to(fmap)
            d = radius_km / 111.0
            fmap.fit_bounds([[lat - d, lon - d * 1.05], [lat + d, lon + d * 1.05]])
            area_name = f"{lat:.4f}-{lon:.4f}-{radius_km:g}km"
    elif mode == "polygon":
        hint, returned = t("area.hint_polygon"), ("last_active_drawing",)
        geojson = st.session_state.get("area-polygon")
        draw_control(fmap, texts=draw_texts()).add_to(fmap)
        if geojson:
            with st.spinner(t("spinner.query")):
                result = data.polygon_records(scope, geojson, filters)
            area_outline(geojson, name=t("area.layer_area")).add_to(fmap)
            area_name = "vung-ve"
    else:
        hint = t("area.hint_unit")
        names = province_names()
        c1, c2 = st.columns(2)
        province = c1.selectbox(t("filter.province"), [""] + list(names), key="area-province",
                                format_func=lambda c: names.get(c, "—"))
        if province:
            communes = shapes("commune", province, "detail")
            commune_names = dict(zip(communes["code"], communes["name"]))
            commune = c2.selectbox(t("filter.commune"), [""] + list(commune_names), key="area-commune",
                                   format_func=lambda c: commune_names.get(c, t("area.whole_province")))
            level, code = ("commune", commune) if commune else ("province", province)
            outline = communes[communes["code"] == commune] if commune else shapes("province", province, "detail")
            with st.spinner(t("spinner.query")):
                result = data.unit_records(scope, level, code, filters)
            area_outline(outline[["code", "geometry"]].to_json(drop_id=True), name=t("area.layer_area")).add_to(fmap)
            fit_to(fmap, outline)
            area_name = code
except Exception as exc:  # noqa: BLE001 - a refused polygon or radius says why, in a sentence
    show_error(exc)
    result = None
if result is not None:  # who looked where: one audit row per distinct query, with its area
    total = int(result.counts["cases"].sum()) if len(result.counts) else 0
    if mode == "radius":
        audit_once("area_query", key=area_name, rows=total, geometry=f"POINT({lon} {lat})",
                   details={"mode": mode, "radius_m": radius_km * 1000, "filters": repr(filters)})
    elif mode == "polygon":
        audit_once("area_query", key=f"{area_name}-{hash(str(geojson))}", rows=total,
                   geometry=polygon_from_geojson(geojson), details={"mode": mode, "filters": repr(filters)})
    else:
        audit_once("area_query", key=area_name, rows=total, geometry=outline.union_all(),
                   details={"mode": mode, "level": level, "code": code, "filters": repr(filters)})

if result is not None and len(result.records):
    kind_labels = term_labels(KINDS)
    tips = [html.escape(f"{r.source_id} · {kind_labels.get(r.kind, r.kind)} · {day(r.decision_date)}")
            for r in result.records.itertuples()]
    cluster = record_cluster(result.records, name=t("area.layer_records"), tooltips=tips)
    if cluster is not None:
        cluster.add_to(fmap)

st.subheader(t("area.map_title"))
# A new area gets a new map (framed on it); the same area keeps the reader's pan and zoom.
event = show_map(fmap, key=f"area-map-{mode}-{area_name}", returned=returned, height=520)
clicked = event.get("last_clicked")
if mode == "radius" and clicked and (round(clicked["lat"], 5), round(clicked["lng"], 5)) != (
        round(st.session_state.get("area-lat") or 0, 5), round(st.session_state.get("area-lon") or 0, 5)):
    st.session_state["area-clicked-lat"], st.session_state["area-clicked-lon"] = clicked["lat"], clicked["lng"]
    st.rerun()
drawing = event.get("last_active_drawing")
if mode == "polygon" and drawing and json.dumps(drawing.get("geometry")) != st.session_state.get("area-polygon"):
    st.session_state["area-polygon"] = json.dumps(drawing.get("geometry"))
    st.rerun()

if result is None:
    st.info(t("area.waiting", hint=hint), icon=":material/touch_app:")
else:
    st.subheader(t("records.title"))
    show_records(result, key="area-records", file_stem=f"tra-cuu-{area_name}")
