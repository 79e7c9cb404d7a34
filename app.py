"""Địa bàn: the Streamlit entry. Sets the page, the shared sidebar and the navigation."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Địa bàn", page_icon="🗺️", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Tổng quan", icon=":material/dashboard:", default=True),
    st.Page("pages/units_map.py", title="Bản đồ đơn vị hành chính", icon=":material/map:"),
]
st.navigation(pages).run()
