"""Why a row was not loaded: reason codes with a sentence in Vietnamese and in English.

Bad rows never raise: they are kept, with their row number and raw values, in the
``quarantine`` table and in a downloadable report, so nothing a user loads is silently lost.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Reason:
    code: str
    vi: str
    en: str


REASONS: dict[str, Reason] = {r.code: r for r in [
    Reason("missing_id", "Thiếu mã hồ sơ.", "The source id is missing."),
    Reason("duplicate_id", "Mã hồ sơ lặp lại trong tệp (đã có ở dòng trước).",
           "The source id appears again in the file (an earlier row has it)."),
    Reason("missing_field", "Thiếu trường bắt buộc: {field}.", "A required field is empty: {field}."),
    Reason("missing_date", "Thiếu ngày ({field}).", "The date is missing ({field})."),
    Reason("bad_date", "Ngày không hợp lệ ({field} = '{value}'); dùng dạng 31/12/2024 hoặc 2024-12-31.",
           "Invalid date ({field} = '{value}'); use 31/12/2024 or 2024-12-31."),
    Reason("future_date", "Ngày ở tương lai ({field} = {value}).", "The date is in the future ({field} = {value})."),
    Reason("date_order", "Ngày kết thúc trước ngày bắt đầu ({field}).", "An end date precedes the start ({field})."),
    Reason("unknown_kind", "Loại hoạt động '{value}' không thuộc danh mục.", "Unknown activity kind '{value}'."),
    Reason("unknown_category", "Nhóm vi phạm '{value}' không thuộc danh mục.", "Unknown violation category '{value}'."),
    Reason("unknown_value", "Giá trị '{value}' của trường {field} không thuộc danh mục.",
           "'{value}' is not an allowed value of {field}."),
    Reason("bad_number", "Số không hợp lệ ({field} = '{value}').", "Not a valid number ({field} = '{value}')."),
    Reason("text_too_long", "Trường {field} quá dài ({value} ký tự).", "Field {field} is too long ({value} characters)."),
    Reason("bad_coordinates", "Toạ độ không phải là số ('{value}').", "Coordinates are not numbers ('{value}')."),
    Reason("swapped_coordinates", "Kinh độ và vĩ độ bị đảo chỗ: đổi lại hai cột rồi nạp lại.",
           "Latitude and longitude are swapped: exchange the two columns and load again."),
    Reason("outside_vietnam", "Toạ độ nằm ngoài lãnh thổ Việt Nam ({value}).", "The coordinates are outside Vietnam ({value})."),
    Reason("unknown_code", "Mã xã '{value}' không có trong danh mục 2025 hay danh mục cũ.",
           "Commune code '{value}' is neither a 2025 nor a pre-2025 code."),
    Reason("unknown_old_code", "Mã xã cũ '{value}' không có trong bảng chuyển đổi.",
           "Old commune code '{value}' is not in the conversion table."),
    Reason("unknown_name", "Không tìm thấy đơn vị theo tên '{value}'.", "No unit matches the name '{value}'."),
    Reason("ambiguous_name", "Tên '{value}' khớp nhiều đơn vị; hãy ghi mã xã.",
           "The name '{value}' matches several units; give the commune code."),
    Reason("unlocated", "Không có toạ độ, mã xã hay tên xã để xác định địa bàn.",
           "No coordinates, commune code or name to locate the record."),
    Reason("outside_scope", "Hồ sơ {value} thuộc địa bàn ngoài phạm vi hoặc có độ mật cao hơn quyền của bạn.",
           "Record {value} lies outside your scope or is classified above your clearance."),
    Reason("control_characters", "Trường {field} có ký tự điều khiển (NUL, ESC…): hãy xoá rồi nạp lại.",
           "Field {field} contains control characters (NUL, ESC…): remove them and load again."),
    Reason("geometry_not_point", "Đối tượng GeoJSON không phải là điểm ({value}).", "The GeoJSON feature is not a point ({value})."),
]}


def reason_text(code: str, *, field: str = "", value: object = "") -> tuple[str, str]:
    """Return the Vietnamese and English sentences of reason ``code`` filled with field and value."""
    reason = REASONS[code]
    shown = str(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "…"
    return reason.vi.format(field=field, value=shown), reason.en.format(field=field, value=shown)


REPORT_COLUMNS = {"source_row": "Dòng / row", "source_id": "Mã hồ sơ / source id",
                  "reason_code": "Mã lý do / reason code", "reason_vi": "Lý do", "reason_en": "Reason"}


def quarantine_report(rows: pd.DataFrame) -> bytes:
    """Return the quarantine rows as a CSV (UTF-8 with BOM, so Excel shows Vietnamese right)."""
    frame = rows[list(REPORT_COLUMNS)].rename(columns=REPORT_COLUMNS)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")
