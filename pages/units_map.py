"""Bản đồ đơn vị hành chính: provinces and communes, and which units a clicked point falls in."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.settings import get_settings
from layers.boundaries import COMMUNE_STYLE, PROVINCE_STYLE, base_map, fit_to, units_layer
from pages.shared import connect, show_error, vn_number
from queries.lookup import unit_at
from queries.maps import unit_shapes


@st.cache_data(show_spinner="Đang tải ranh giới…", max_entries=64)
def _shapes(level: str, province_code: str | None, detail: str):
    with connect() as conn:
        return unit_shapes(conn, level=level, province_code=province_code, detail=detail)


st.title("Bản đồ đơn vị hành chính")
st.caption("34 tỉnh, thành phố và 3.321 xã, phường, đặc khu từ 01/07/2025. Nhấp vào bản đồ để biết điểm thuộc xã nào. "
           "/ Provinces and communes since 1 July 2025; click the map to find the unit under a point.")

try:
    provinces = _shapes("province", None, "overview")
except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
    show_error(exc)
    st.stop()

labels = {"": "Toàn quốc / whole country"} | dict(zip(provinces["code"], provinces["name"]))
chosen = st.selectbox("Tỉnh, thành phố / province", options=list(labels), format_func=labels.get, key="province")

settings = get_settings()
fmap = base_map(tile_url=settings.tile_url, attribution=settings.tile_attribution)
units_layer(provinces, name="Tỉnh / provinces", style=PROVINCE_STYLE,
            fields=["name", "code"], aliases=["Tỉnh", "Mã"]).add_to(fmap)
if chosen:
    communes = _shapes("commune", chosen, "detail")
    units_layer(communes, name="Xã / communes", style=COMMUNE_STYLE,
                fields=["name", "code"], aliases=["Xã", "Mã"]).add_to(fmap)
    fit_to(fmap, communes)
    st.caption(f"{vn_number(len(communes))} xã, phường, đặc khu")

left, right = st.columns([3, 1])
with left:
    event = st_folium(fmap, height=620, use_container_width=True, returned_objects=["last_clicked"],
                      key=f"units-map-{chosen or 'all'}")
with right:
    st.subheader("Điểm đã chọn / clicked point")
    clicked = (event or {}).get("last_clicked")
    if not clicked:
        st.info("Nhấp vào một điểm trên bản đồ. / Click a point on the map.")
    else:
        try:
            with connect() as conn:
                found = unit_at(conn, clicked["lng"], clicked["lat"])
        except Exception as exc:  # noqa: BLE001
            show_error(exc)
        else:
            st.write(f"Toạ độ / coordinates: {found.lat:.5f}, {found.lon:.5f}")
            if found.found:
                st.metric("Xã / commune", found.commune.name, help=f"Mã {found.commune.code}")
                st.metric("Tỉnh / province", found.province.name, help=f"Mã {found.province.code}")
                if found.snapped:
                    st.warning(f"Điểm nằm ngoài ranh giới, gán cho xã gần nhất ({found.distance_m:,.0f} m). "
                               "/ Outside every polygon: snapped to the nearest commune.")
            else:
                st.warning(found.reason)
