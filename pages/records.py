"""Showing a set of records: counts by kind, the table, and CSV, Excel and GeoJSON downloads.

The exports carry the same translated headers and labels as the table on screen.
"""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import streamlit as st

from etl.vocabulary import KINDS
from pages.i18n import number, t, term_labels
from pages.session import audit, audit_once
from pages.shared import record_table
from queries.spatial import AreaResult


def export_csv(table: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM, so Excel shows Vietnamese right."""
    return table.to_csv(index=False).encode("utf-8-sig")


def export_excel(table: pd.DataFrame, *, sheet: str) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def export_geojson(records: gpd.GeoDataFrame, table: pd.DataFrame) -> bytes:
    """GeoJSON of the records that have a point, with the table's columns as properties."""
    has_point = (records.geometry.notna() & ~records.geometry.is_empty).to_numpy()
    properties = table.loc[has_point].reset_index(drop=True)
    frame = gpd.GeoDataFrame(properties, geometry=list(records.geometry[has_point]), crs="EPSG:4326")
    return frame.to_json(drop_id=True, na="null", default=str, ensure_ascii=False).encode("utf-8")


def kind_counts(result: AreaResult) -> pd.DataFrame:
    labels = term_labels(KINDS)
    frame = result.counts.assign(kind=result.counts["kind"].map(labels).fillna(result.counts["kind"]))
    return frame.rename(columns={"kind": t("col.kind"), "cases": t("cases")})


def show_records(result: AreaResult, *, key: str, file_stem: str) -> None:
    """Show counts by kind, the records table and the three downloads (or why there is nothing)."""
    total = int(result.counts["cases"].sum()) if len(result.counts) else 0
    if total == 0:
        st.info(t("records.none"), icon=":material/search_off:")
        return
    audit_once("record_view", key=f"{key}:{file_stem}:{total}", rows=min(total, len(result.records)),
               details={"view": key, "list": file_stem})
    st.markdown(f"**{t('records.count', n=number(total))}**")
    left, right = st.columns([1, 2])
    left.caption(t("records.by_kind"))
    left.dataframe(kind_counts(result), hide_index=True, width="stretch", key=f"{key}-kinds")
    table = record_table(result.records)
    if result.truncated:
        right.warning(t("records.truncated", shown=number(len(table))))
    right.dataframe(table, hide_index=True, width="stretch", height=320, key=f"{key}-table")
    no_point = int((result.records.geometry.isna() | result.records.geometry.is_empty).sum())
    if no_point:
        right.caption(t("records.no_point", n=number(no_point)))
    a, b, c = st.columns(3)
    def logged(ext: str) -> dict:  # each download writes an audit row with its row count
        return {"on_click": audit, "args": ("export",),
                "kwargs": {"details": {"file": f"{file_stem}.{ext}"}, "rows": len(table)}}

    a.download_button(t("export.csv"), export_csv(table), f"{file_stem}.csv", "text/csv", key=f"{key}-csv",
                      **logged("csv"))
    b.download_button(t("export.xlsx"), export_excel(table, sheet=t("export.sheet")), f"{file_stem}.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}-xlsx",
                      **logged("xlsx"))
    c.download_button(t("export.geojson"), export_geojson(result.records, table), f"{file_stem}.geojson",
                      "application/geo+json", key=f"{key}-geojson", **logged("geojson"))
