"""Bản đồ đơn vị hành chính: provinces and communes, and which units a clicked point falls in."""

from __future__ import annotations

import streamlit as st

from geo.settings import get_settings
from layers.boundaries import COMMUNE_STYLE, PROVINCE_STYLE, base_map, fit_to, units_layer
from pages.i18n import number, t
from pages.shared import connect, province_names, shapes, show_error, show_map
from queries.lookup import unit_at

st.title(t("units.title"))
st.caption(t("units.caption"))

try:
    provinces = shapes("province")
except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
    show_error(exc)
    st.stop()

labels = {"": t("whole_country")} | province_names()
chosen = st.selectbox(t("filter.province"), options=list(labels), format_func=labels.get, key="province")

fmap = base_map(tile_url=get_settings().tile_url, attribution=get_settings().tile_attribution)
units_layer(provinces, name=t("units.provinces"), style=PROVINCE_STYLE,
            fields=["name", "code"], aliases=[t("unit.province"), t("unit.code")]).add_to(fmap)
if chosen:
    communes = shapes("commune", chosen, "detail")
    units_layer(communes, name=t("units.communes"), style=COMMUNE_STYLE,
                fields=["name", "code"], aliases=[t("unit.commune"), t("unit.code")]).add_to(fmap)
    fit_to(fmap, communes)
    st.caption(t("units.count", n=number(len(communes))))

left, right = st.columns([3, 1])
with left:
    event = show_map(fmap, key=f"units-map-{chosen or 'all'}", returned=("last_clicked",), height=620)
with right:
    st.subheader(t("units.clicked"))
    clicked = event.get("last_clicked")
    if not clicked:
        st.info(t("units.click_hint"))
    else:
        try:
            with connect() as conn:
                found = unit_at(conn, clicked["lng"], clicked["lat"])
        except Exception as exc:  # noqa: BLE001
            show_error(exc)
        else:
            st.write(t("units.coordinates", lat=found.lat, lon=found.lon))
            if found.found:
                st.metric(t("unit.commune"), found.commune.name, help=f"{t('unit.code')} {found.commune.code}")
                st.metric(t("unit.province"), found.province.name, help=f"{t('unit.code')} {found.province.code}")
                if found.snapped:
                    st.warning(t("units.snapped", distance=number(found.distance_m)))
            else:
                st.warning(found.reason)
