"""Nhập dữ liệu: upload a file, see what was loaded and what was quarantined with reasons, and
download the quarantine report. Importing is the one write the app does; it goes through the
importer of ``etl`` (there is no write in ``queries``), one transaction per file."""

from __future__ import annotations

import streamlit as st

from etl.quarantine import quarantine_report
from etl.specs import SPECS
from geo.errors import DiabanError
from pages.i18n import bilingual, lang, number, t
from pages.session import import_upload
from pages.shared import show_error

st.title(t("import.title"))
st.caption(t("import.caption"))
record_type = st.selectbox(t("import.type"), list(SPECS), format_func=lambda r: t(f"import.type.{r}"),
                           key="import-type")
upload = st.file_uploader(t("import.file"), type=["csv", "xlsx", "geojson", "json"], key="import-file")

if upload is not None and st.button(t("import.button"), type="primary", key="import-go", icon=":material/upload:"):
    try:
        with st.status(t("spinner.import"), expanded=False) as progress:
            result = import_upload(upload.getvalue(), file_name=upload.name, record_type=record_type)
            progress.update(state="complete")
    except DiabanError as exc:  # the file as a whole is unreadable: say which and why
        st.error(t("import.bad_file", file=upload.name, reason=bilingual(str(exc))), icon=":material/error:")
        st.stop()
    except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
        show_error(exc)
        st.stop()
    st.cache_data.clear()  # figures on every page now include the new rows
    st.session_state["import-result"] = result

result = st.session_state.get("import-result")
if result is None:
    st.info(t("import.waiting"), icon=":material/upload_file:")
    st.stop()

cols = st.columns(6)
for col, label, value in zip(cols, ("rows_in", "loaded", "quarantined", "new", "updated", "unchanged"),
                             (result.rows_in, result.rows_loaded, result.rows_quarantined, result.inserted,
                              result.updated, result.unchanged)):
    col.metric(t(f"import.{label}"), number(value))
if result.rows_quarantined == 0:
    st.success(t("import.ok", n=number(result.rows_in), file=result.file_name), icon=":material/check_circle:")
else:
    st.warning(t("import.partial", q=number(result.rows_quarantined), file=result.file_name), icon=":material/report:")
    reasons = result.quarantine[["source_row", "source_id", "reason_code", f"reason_{lang()}"]]
    st.dataframe(reasons.rename(columns={"source_row": t("import.col.row"), "source_id": t("import.col.source_id"),
                                         "reason_code": t("import.col.reason_code"),
                                         f"reason_{lang()}": t("import.col.reason")}),
                 hide_index=True, width="stretch", key="import-quarantine")
    st.download_button(t("import.report"), quarantine_report(result.quarantine),
                       f"cach-ly-{result.file_name}.csv", "text/csv", key="import-report", icon=":material/download:")
