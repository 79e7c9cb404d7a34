"""Địa bàn: the Streamlit entry. Sets the page, the shared sidebar and the navigation."""

from __future__ import annotations

import streamlit as st

from pages.i18n import language_switch, t
from pages.signin import require_user

st.set_page_config(page_title="Địa bàn", page_icon="🗺️", layout="wide")
language_switch()
st.sidebar.caption(t("app.tagline"))
user = require_user()  # nothing below runs before sign-in

pages = [
    st.Page("pages/overview.py", title=t("nav.overview"), icon=":material/dashboard:", default=True),
    st.Page("pages/heatmap.py", title=t("nav.heatmap"), icon=":material/local_fire_department:"),
    st.Page("pages/lagging.py", title=t("nav.lagging"), icon=":material/schedule:"),
    st.Page("pages/compare.py", title=t("nav.compare"), icon=":material/compare_arrows:"),
    st.Page("pages/area.py", title=t("nav.area"), icon=":material/travel_explore:"),
    st.Page("pages/mergers.py", title=t("nav.mergers"), icon=":material/merge:"),
    st.Page("pages/import_data.py", title=t("nav.import"), icon=":material/upload_file:"),
    st.Page("pages/units_map.py", title=t("nav.units"), icon=":material/map:"),
    st.Page("pages/operations.py", title=t("nav.operations"), icon=":material/monitor:"),
]
if user.is_admin:
    pages.append(st.Page("pages/admin.py", title=t("nav.admin"), icon=":material/admin_panel_settings:"))
st.navigation(pages).run()
