"""Import page: a file with good and bad rows, and a file that cannot be read at all."""

from __future__ import annotations

import pandas as pd

from tests.app.conftest import frame

HEADER = ["Mã hồ sơ", "Loại hoạt động", "Cấp thực hiện", "Đối tượng", "Ngày quyết định", "Trạng thái", "Mã xã"]


def _csv(rows) -> bytes:
    return pd.DataFrame(rows, columns=HEADER).to_csv(index=False).encode("utf-8")


def test_a_file_with_bad_rows_reports_loaded_and_quarantined_rows_with_reasons(app, engine):
    raw = _csv([
        ["APPTEST-1", "KT_DHVP", "tỉnh", "đảng viên", "15/03/2022", "kết luận", "00004"],
        ["APPTEST-2", "không có loại này", "tỉnh", "đảng viên", "15/03/2022", "kết luận", "00004"],
        ["APPTEST-3", "KT_DHVP", "tỉnh", "đảng viên", "31/02/2022", "kết luận", "00004"],
        ["", "KT_DHVP", "tỉnh", "đảng viên", "15/03/2022", "kết luận", "00004"],
    ])
    app.switch_page("pages/import_data.py").run()
    assert not app.exception
    app.file_uploader(key="import-file").set_value(("bad-rows.csv", raw, "text/csv")).run()
    app.button(key="import-go").click().run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Số dòng trong tệp"] == "4"
    assert metrics["Đã nạp"] == "1"
    assert metrics["Cách ly"] == "3"
    assert any("3 dòng của bad-rows.csv bị cách ly" in w.value for w in app.warning)
    reasons = frame(app, "Dòng", "Lý do")
    assert sorted(reasons["Mã lý do"]) == ["bad_date", "missing_id", "unknown_kind"]
    assert reasons.set_index("Mã lý do").loc["unknown_kind", "Dòng"] == 3  # header is row 1
    report = app.get("download_button")[0]
    assert report.label == "Tải báo cáo cách ly (CSV)"


def test_an_unreadable_file_is_refused_with_a_sentence_not_a_traceback(app):
    app.switch_page("pages/import_data.py").run()
    app.file_uploader(key="import-file").set_value(("hong.xlsx", b"\x00\x01 not a spreadsheet", "application/octet-stream"))
    app.run()
    app.button(key="import-go").click().run()
    assert not app.exception
    assert app.error and "hong.xlsx" in app.error[0].value
    assert not [m for m in app.metric if m.label == "Đã nạp"]
