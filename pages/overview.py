"""Tổng quan: headline figures for a period and a map of cases by province (or commune)."""

from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from etl.vocabulary import KINDS
from geo.settings import get_settings
from layers.boundaries import base_map, fit_to
from layers.choropleth import choropleth_layer
from pages.shared import connect, show_error, vn_number
from queries.counts import case_counts, headline_counts
from queries.maps import unit_shapes


@st.cache_data(show_spinner="Đang tải ranh giới…", max_entries=64)
def _shapes(level: str, province_code: str | None, detail: str):
    with connect() as conn:
        return unit_shapes(conn, level=level, province_code=province_code, detail=detail)


@st.cache_data(show_spinner="Đang tổng hợp…", ttl=300)
def _headline(start: date, end: date):
    with connect() as conn:
        return headline_counts(conn, start=start, end=end)


@st.cache_data(show_spinner="Đang tổng hợp…", ttl=300)
def _by_unit(level: str, start: date, end: date, kinds: tuple[str, ...], province: str | None):
    with connect() as conn:
        return case_counts(conn, level=level, start=start, end=end, kinds=list(kinds) or None, province_code=province)


st.title("Tổng quan")
today = date.today()
year = st.selectbox("Năm / year", options=list(range(today.year, 2020, -1)), key="year")
start, end = date(year, 1, 1), min(date(year, 12, 31), today)
st.caption(f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}, so với cùng kỳ năm trước. "
           f"/ {start:%d %b %Y} – {end:%d %b %Y}, against the same period a year before.")

try:
    headline = _headline(start, end)
    provinces = _shapes("province", None, "overview")
except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
    show_error(exc)
    st.stop()

if headline["cases"].sum() == 0:
    st.info("Chưa có hồ sơ nào trong kỳ này. Hãy chọn năm khác hoặc nhập dữ liệu. "
            "/ No records in this period: pick another year or import data.")
else:
    total, previous = int(headline["cases"].sum()), int(headline["previous"].sum())
    cols = st.columns(4)
    cols[0].metric("Tổng số vụ việc / all cases", vn_number(total), delta=vn_number(total - previous))
    top = headline.sort_values("cases", ascending=False).head(3)
    for col, row in zip(cols[1:], top.itertuples()):
        col.metric(KINDS[row.kind].vi.capitalize(), vn_number(row.cases), delta=vn_number(row.cases - row.previous))

kind_labels = {k: t.vi for k, t in KINDS.items()}
kinds = st.multiselect("Loại hoạt động / activity kinds", options=list(KINDS), format_func=kind_labels.get,
                       key="kinds")
labels = {"": "Toàn quốc / whole country"} | dict(zip(provinces["code"], provinces["name"]))
province = st.selectbox("Tỉnh, thành phố / province", options=list(labels), format_func=labels.get, key="province")

level = "commune" if province else "province"
counts = _by_unit(level, start, end, tuple(kinds), province or None)
per_unit = counts.groupby("code")["cases"].sum()
shapes = _shapes("commune", province, "detail") if province else provinces
settings = get_settings()
fmap = base_map(tile_url=settings.tile_url, attribution=settings.tile_attribution)
layer, legend = choropleth_layer(shapes, per_unit, name="Vụ việc / cases", legend="Số vụ việc / cases",
                                 fields=["name", "code"], aliases=["Đơn vị", "Mã"])
layer.add_to(fmap)
if province:
    fit_to(fmap, shapes)
st.subheader(("Số vụ việc theo xã, " + labels[province]) if province else "Số vụ việc theo tỉnh, thành phố")
st_folium(fmap, height=560, use_container_width=True, returned_objects=[], key=f"overview-{province or 'all'}")
st.html(legend)
table = (per_unit.rename("cases").reset_index().merge(shapes[["code", "name"]], on="code", how="right")
         .fillna({"cases": 0}).sort_values("cases", ascending=False))
st.dataframe(table.rename(columns={"code": "Mã / code", "name": "Đơn vị / unit", "cases": "Số vụ việc / cases"}),
             hide_index=True, use_container_width=True)
