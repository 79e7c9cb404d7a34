"""Every word the app shows, in Vietnamese (the default) and English.

Pages call :func:`t` with a key; the language is kept in ``st.session_state`` and switched in
the sidebar. Vocabulary labels (kinds, statuses …) come from :mod:`etl.vocabulary` terms through
:func:`term`. Layers never translate: pages pass them already-translated labels.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from etl.vocabulary import Term

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT = "vi"
STATE_KEY = "lang"

# key: (Vietnamese, English). Placeholders are filled by str.format.
STRINGS: dict[str, tuple[str, str]] = {
    # frame and navigation
    "app.language": ("Ngôn ngữ", "Language"),
    "app.tagline": ("Giám sát, kiểm tra theo địa bàn", "Inspection and supervision by area"),
    "nav.overview": ("Tổng quan", "Overview"),
    "nav.heatmap": ("Bản đồ nhiệt, điểm nóng", "Heat map and hotspots"),
    "nav.lagging": ("Đơn vị chậm tiến độ", "Lagging units"),
    "nav.area": ("Tra cứu khu vực", "Area query"),
    "nav.units": ("Bản đồ đơn vị hành chính", "Administrative units"),
    "nav.import": ("Nhập dữ liệu", "Import"),
    # shared widgets
    "period.year": ("Năm", "Year"),
    "period.span": ("Kỳ báo cáo", "Reporting period"),
    "period.q1": ("Quý I", "First quarter"),
    "period.h1": ("6 tháng", "Six months"),
    "period.m9": ("9 tháng", "Nine months"),
    "period.year_full": ("Cả năm", "Whole year"),
    "period.caption": ("Từ {start} đến {end}, so với cùng kỳ năm trước ({pstart} – {pend}).",
                       "{start} to {end}, against the same period a year before ({pstart} – {pend})."),
    "filter.kinds": ("Loại hoạt động", "Activity kinds"),
    "filter.kinds_all": ("Để trống = tất cả loại hoạt động.", "Leave empty for all kinds."),
    "filter.province": ("Tỉnh, thành phố", "Province"),
    "filter.commune": ("Xã, phường, đặc khu", "Commune"),
    "whole_country": ("Toàn quốc", "Whole country"),
    "unit.name": ("Đơn vị", "Unit"),
    "unit.code": ("Mã", "Code"),
    "unit.province": ("Tỉnh", "Province"),
    "unit.commune": ("Xã", "Commune"),
    "units.provinces": ("Tỉnh, thành phố", "Provinces"),
    "units.communes": ("Xã, phường, đặc khu", "Communes"),
    "cases": ("Số vụ việc", "Cases"),
    "cases_unit": ("Số vụ việc (vụ)", "Cases (count)"),
    "spinner.counts": ("Đang tổng hợp…", "Counting…"),
    "spinner.analysis": ("Đang phân tích thống kê (Gi*, 999 hoán vị)…",
                         "Running the statistics (Gi*, 999 permutations)…"),
    "spinner.emerging": ("Đang phân tích xu hướng điểm nóng qua các năm…", "Analysing hotspot trends over the years…"),
    "spinner.query": ("Đang tìm hồ sơ…", "Finding records…"),
    "spinner.import": ("Đang kiểm tra và nạp tệp…", "Checking and loading the file…"),
    "error.database": ("Không truy vấn được cơ sở dữ liệu. Hãy thử lại; nếu lỗi lặp lại, báo quản trị viên ({name}).",
                       "The database query failed ({name}). Try again; if it repeats, tell the administrator."),
    "error.unexpected": ("Có lỗi không mong đợi ({name}). Hãy thử lại; nếu lỗi lặp lại, báo quản trị viên.",
                         "Something unexpected failed ({name}). Try again; if it repeats, tell the administrator."),
    # administrative units page
    "units.title": ("Bản đồ đơn vị hành chính", "Administrative units"),
    "units.caption": ("34 tỉnh, thành phố và 3.321 xã, phường, đặc khu từ 01/07/2025. Nhấp vào bản đồ để biết điểm thuộc xã nào.",
                      "34 provinces and 3,321 communes since 1 July 2025. Click the map to find the unit under a point."),
    "units.count": ("{n} xã, phường, đặc khu", "{n} communes"),
    "units.clicked": ("Điểm đã chọn", "Clicked point"),
    "units.click_hint": ("Nhấp vào một điểm trên bản đồ.", "Click a point on the map."),
    "units.coordinates": ("Toạ độ: {lat:.5f}, {lon:.5f}", "Coordinates: {lat:.5f}, {lon:.5f}"),
    "units.snapped": ("Điểm nằm ngoài ranh giới, gán cho xã gần nhất ({distance} m).",
                      "Outside every polygon: snapped to the nearest commune ({distance} m away)."),
    # record tables and exports
    "col.source_id": ("Mã hồ sơ", "Record id"),
    "col.kind": ("Loại hoạt động", "Activity kind"),
    "col.subject_type": ("Đối tượng", "Subject type"),
    "col.sector": ("Lĩnh vực", "Sector"),
    "col.categories": ("Nhóm vi phạm", "Violation categories"),
    "col.decision_date": ("Ngày quyết định", "Decision date"),
    "col.status": ("Trạng thái", "Status"),
    "col.conclusion": ("Kết luận", "Conclusion"),
    "col.classification": ("Độ mật", "Classification"),
    "col.commune_code": ("Mã xã", "Commune code"),
    "col.province_code": ("Mã tỉnh", "Province code"),
    "col.old_commune_code": ("Mã xã cũ", "Old commune code"),
    "col.located_by": ("Cách xác định địa bàn", "Located by"),
    "col.distance_m": ("Khoảng cách (m)", "Distance (m)"),
    "col.lon": ("Kinh độ", "Longitude"),
    "col.lat": ("Vĩ độ", "Latitude"),
    "records.truncated": ("Chỉ hiển thị {shown} hồ sơ đầu tiên; số đếm theo loại là đầy đủ. Hãy thu hẹp khu vực hoặc bộ lọc.",
                          "Only the first {shown} records are shown; the counts by kind are complete. Narrow the area or the filters."),
    "records.none": ("Không có hồ sơ nào trong khu vực và bộ lọc đã chọn.", "No records in this area with these filters."),
    "records.title": ("Hồ sơ", "Records"),
    "records.count": ("{n} hồ sơ", "{n} records"),
    "records.by_kind": ("Số vụ việc theo loại hoạt động", "Cases by activity kind"),
    "records.no_point": ("{n} hồ sơ không có toạ độ (xác định theo mã hoặc tên) nên không hiện trên bản đồ.",
                         "{n} records have no coordinates (located by code or name) and are not on the map."),
    "export.csv": ("Tải CSV", "Download CSV"),
    "export.xlsx": ("Tải Excel", "Download Excel"),
    "export.geojson": ("Tải GeoJSON", "Download GeoJSON"),
    "export.sheet": ("Ho so", "Records"),
    # overview
    "overview.title": ("Tổng quan", "Overview"),
    "overview.total": ("Tổng số vụ việc", "All cases"),
    "overview.empty": ("Chưa có hồ sơ nào trong kỳ này. Hãy chọn kỳ khác, hoặc nhập dữ liệu ở trang Nhập dữ liệu.",
                       "No records in this period. Pick another period, or load data on the Import page."),
    "overview.map_provinces": ("Số vụ việc theo tỉnh, thành phố, {period}", "Cases by province, {period}"),
    "overview.map_communes": ("Số vụ việc theo xã, {province}, {period}", "Cases by commune, {province}, {period}"),
    "overview.click_hint": ("Nhấp vào một tỉnh trên bản đồ để xem các xã của tỉnh đó.",
                            "Click a province on the map to see its communes."),
    "overview.alerts": ("Cảnh báo sớm mới nhất", "Newest early warnings"),
    "overview.alerts_caption": ("Xã có số vụ việc 28 ngày gần nhất (đến {as_of}) cao bất thường so với chính xã đó.",
                                "Communes whose last 28 days (to {as_of}) are improbably busy against their own baseline."),
    "overview.alerts_none": ("Không có cảnh báo: 28 ngày gần nhất không xã nào cao bất thường.",
                             "No alerts: no commune was improbably busy in the last 28 days."),
    "overview.alert_button": ("{name}: {recent} vụ (dự kiến {expected})", "{name}: {recent} cases (expected {expected})"),
    "overview.lagging": ("Đơn vị chậm tiến độ", "Lagging units"),
    "overview.lagging_caption": ("Xã thực hiện thấp hơn hẳn chỉ tiêu năm {year} (kiểm định Poisson), đến {as_of}.",
                                 "Communes significantly below their {year} targets (Poisson test), to {as_of}."),
    "overview.lagging_none": ("Không có đơn vị chậm tiến độ, hoặc chưa có chỉ tiêu cho năm {year}.",
                              "No lagging units, or no targets yet for {year}."),
    "overview.lagging_button": ("{name}: {actual}/{expected} dự kiến", "{name}: {actual} of {expected} expected"),
    "overview.drill": ("Hồ sơ của {name}", "Records of {name}"),
    # heat map
    "heat.title": ("Bản đồ nhiệt, điểm nóng", "Heat map and hotspots"),
    "heat.view": ("Hiển thị", "Show"),
    "heat.view_hex": ("Bản đồ nhiệt (lục giác H3)", "Heat map (H3 hexagons)"),
    "heat.view_commune": ("Theo xã", "By commune"),
    "heat.view_gistar": ("Điểm nóng, điểm lạnh (Gi*)", "Hot and cold spots (Gi*)"),
    "heat.view_emerging": ("Điểm nóng đang hình thành", "Emerging hotspots"),
    "heat.measure": ("Chỉ số", "Measure"),
    "heat.measure_count": ("Số vụ vi phạm", "Violations (count)"),
    "heat.measure_rate": ("Tỷ lệ vi phạm / 1.000 đảng viên (làm trơn Bayes)",
                          "Violations per 1,000 members (Bayes smoothed)"),
    "heat.measure_cases": ("Số vụ việc", "Cases (count)"),
    "heat.resolution": ("Độ phân giải lục giác H3", "H3 hexagon resolution"),
    "heat.resolution_help": ("5 = lục giác lớn (~250 km²), 9 = nhỏ (~0,1 km²).", "5 = large hexagons (~250 km²), 9 = small (~0.1 km²)."),
    "heat.title_hex": ("{measure} theo lục giác H3 (độ phân giải {res}), {where}, {period}",
                       "{measure} by H3 hexagon (resolution {res}), {where}, {period}"),
    "heat.title_commune": ("{measure} theo xã, {where}, {period}", "{measure} by commune, {where}, {period}"),
    "heat.title_gistar": ("Điểm nóng, điểm lạnh Gi* của {measure}, {where}, {period}",
                          "Gi* hot and cold spots of {measure}, {where}, {period}"),
    "heat.title_emerging": ("Xu hướng điểm nóng vi phạm theo xã, {first}–{last} (mỗi năm một lát cắt)",
                            "Trends of violation hotspots by commune, {first}–{last} (one slice per year)"),
    "heat.empty": ("Không có hồ sơ có toạ độ trong kỳ và bộ lọc đã chọn: bản đồ nhiệt trống. Hãy chọn kỳ hoặc loại hoạt động khác.",
                   "No records with coordinates for this period and filters, so the heat map is empty. Pick another period or kind."),
    "heat.gistar_caption": ("Gi* với 999 hoán vị, hiệu chỉnh FDR; lân cận: chung cạnh hoặc đỉnh.",
                            "Gi* with 999 permutations, FDR-corrected; neighbours share an edge or a corner."),
    "heat.hot": ("Điểm nóng", "Hot spots"),
    "heat.cold": ("Điểm lạnh", "Cold spots"),
    "heat.emerging_caption": ("Gi* từng năm cộng kiểm định xu hướng Mann-Kendall, phân loại như Emerging Hot Spot Analysis.",
                              "Gi* per year plus a Mann-Kendall trend test, classed as in Emerging Hot Spot Analysis."),
    "heat.emerging_need": ("Cần ít nhất 3 năm dữ liệu trước năm {year} để xét xu hướng.",
                           "At least 3 years of data before {year} are needed for trends."),
    "heat.table_top": ("Các đơn vị cao nhất", "Highest units"),
    "heat.filters_note": ("Tỷ lệ tính trên toàn bộ đảng viên của đơn vị, kể cả khi lọc theo lĩnh vực, nhóm vi phạm hay đối tượng.",
                          "Rates are per all the unit's party members, also when filtered by sector, category or subject type."),
    "heat.n_units": ("Số xã", "Communes"),
    # hotspot classes
    "class.hot_99": ("Điểm nóng 99%", "Hot spot 99%"),
    "class.hot_95": ("Điểm nóng 95%", "Hot spot 95%"),
    "class.hot_90": ("Điểm nóng 90%", "Hot spot 90%"),
    "class.cold_99": ("Điểm lạnh 99%", "Cold spot 99%"),
    "class.cold_95": ("Điểm lạnh 95%", "Cold spot 95%"),
    "class.cold_90": ("Điểm lạnh 90%", "Cold spot 90%"),
    "class.ns": ("Không có ý nghĩa thống kê", "Not significant"),
    "class.legend": ("Loại (độ tin cậy)", "Class (confidence)"),
    "emerging.legend": ("Xu hướng điểm nóng", "Hotspot trend"),
    "emerging.new_hot": ("Điểm nóng mới", "New hot spot"),
    "emerging.consecutive_hot": ("Điểm nóng liên tiếp", "Consecutive hot spot"),
    "emerging.intensifying_hot": ("Điểm nóng tăng cường", "Intensifying hot spot"),
    "emerging.persistent_hot": ("Điểm nóng dai dẳng", "Persistent hot spot"),
    "emerging.diminishing_hot": ("Điểm nóng suy giảm", "Diminishing hot spot"),
    "emerging.sporadic_hot": ("Điểm nóng rời rạc", "Sporadic hot spot"),
    "emerging.oscillating_hot": ("Điểm nóng dao động", "Oscillating hot spot"),
    "emerging.historical_hot": ("Điểm nóng trong quá khứ", "Historical hot spot"),
    "emerging.new_cold": ("Điểm lạnh mới", "New cold spot"),
    "emerging.consecutive_cold": ("Điểm lạnh liên tiếp", "Consecutive cold spot"),
    "emerging.intensifying_cold": ("Điểm lạnh tăng cường", "Intensifying cold spot"),
    "emerging.persistent_cold": ("Điểm lạnh dai dẳng", "Persistent cold spot"),
    "emerging.diminishing_cold": ("Điểm lạnh suy giảm", "Diminishing cold spot"),
    "emerging.sporadic_cold": ("Điểm lạnh rời rạc", "Sporadic cold spot"),
    "emerging.oscillating_cold": ("Điểm lạnh dao động", "Oscillating cold spot"),
    "emerging.historical_cold": ("Điểm lạnh trong quá khứ", "Historical cold spot"),
    "emerging.no_pattern": ("Không có xu hướng", "No pattern"),
    # lagging
    "lag.title": ("Đơn vị chậm tiến độ", "Lagging units"),
    "lag.level": ("Cấp đơn vị", "Unit level"),
    "lag.caption": ("Dự kiến = chỉ tiêu năm {year} × {share} (tỷ lệ công việc thường làm xong đến {as_of}). "
                    "Chậm tiến độ khi thấp hơn dự kiến có ý nghĩa thống kê (Poisson, FDR 5%).",
                    "Expected = {year} target × {share} (share of a year's work usually done by {as_of}). "
                    "Lagging when significantly below expected (Poisson, FDR 5%)."),
    "lag.empty": ("Chưa có chỉ tiêu nào cho năm {year}: không thể xét chậm tiến độ. Hãy nhập chương trình kiểm tra, giám sát năm {year}.",
                  "No targets for {year}, so progress cannot be judged. Load the {year} inspection programme."),
    "lag.metric_lagging": ("Chậm tiến độ", "Lagging"),
    "lag.metric_watch": ("Cần theo dõi", "Watch"),
    "lag.metric_on_track": ("Đúng tiến độ", "On track"),
    "lag.status.lagging": ("Chậm tiến độ", "Lagging"),
    "lag.status.watch": ("Cần theo dõi", "Watch"),
    "lag.status.on_track": ("Đúng tiến độ", "On track"),
    "lag.status.no_target": ("Không có chỉ tiêu", "No target"),
    "lag.map_title": ("Tiến độ thực hiện chỉ tiêu năm {year} theo {level}, đến {as_of}",
                      "Progress against the {year} targets by {level}, to {as_of}"),
    "lag.legend": ("Tình trạng", "Status"),
    "lag.ranked": ("Cảnh báo xếp hạng (nặng nhất trước), nhóm theo tỉnh", "Ranked warnings (worst first), grouped by province"),
    "lag.funnel": ("Biểu đồ phễu: thực hiện / dự kiến theo quy mô dự kiến", "Funnel plot: actual / expected against expected"),
    "lag.funnel_caption": ("Điểm dưới đường 95% (đứt) hoặc 99,8% (liền) thấp hơn dự kiến không phải do ngẫu nhiên.",
                           "Points below the 95% (dashed) or 99.8% (solid) limit are below expectation beyond chance."),
    "lag.funnel_x": ("Số vụ việc dự kiến", "Expected cases"),
    "lag.funnel_y": ("Thực hiện / dự kiến", "Actual / expected"),
    "lag.planned": ("Chỉ tiêu năm", "Year target"),
    "lag.expected": ("Dự kiến đến nay", "Expected so far"),
    "lag.actual": ("Đã thực hiện", "Done"),
    "lag.ratio": ("Tỷ lệ", "Ratio"),
    "lag.p_value": ("Giá trị p", "p-value"),
    "lag.drill": ("Xem chi tiết đơn vị", "Unit details"),
    "lag.drill_none": ("— chọn một đơn vị —", "— pick a unit —"),
    "lag.target_title": ("Chỉ tiêu và thực hiện của {name}", "Target and progress of {name}"),
    # area query
    "area.title": ("Tra cứu khu vực", "Area query"),
    "area.mode": ("Chọn khu vực bằng", "Choose the area by"),
    "area.mode_radius": ("Điểm và bán kính", "A point and a radius"),
    "area.mode_polygon": ("Vẽ đa giác", "Drawing a polygon"),
    "area.mode_unit": ("Xã hoặc tỉnh", "A commune or a province"),
    "area.radius": ("Bán kính (km)", "Radius (km)"),
    "area.hint_radius": ("Nhấp vào bản đồ để chọn tâm.", "Click the map to choose the centre."),
    "area.hint_polygon": ("Dùng công cụ vẽ (biểu tượng đa giác ở góc trái) để vẽ một vùng, nhấp điểm đầu để đóng.",
                          "Use the drawing tool (polygon icon, left) to draw an area; click the first point to close it."),
    "area.hint_unit": ("Chọn tỉnh, rồi chọn xã (hoặc để trống để lấy cả tỉnh).", "Pick a province, then a commune (or none for the whole province)."),
    "area.centre": ("Tâm: {lat:.5f}, {lon:.5f}; bán kính {radius} km", "Centre: {lat:.5f}, {lon:.5f}; radius {radius} km"),
    "area.lat": ("Vĩ độ tâm", "Centre latitude"),
    "area.lon": ("Kinh độ tâm", "Centre longitude"),
    "area.whole_province": ("— cả tỉnh —", "— the whole province —"),
    "area.filters": ("Bộ lọc", "Filters"),
    "area.sectors": ("Lĩnh vực", "Sectors"),
    "area.categories": ("Nhóm vi phạm", "Violation categories"),
    "area.subjects": ("Đối tượng", "Subject types"),
    "area.from": ("Từ ngày", "From"),
    "area.to": ("Đến ngày", "To"),
    "area.map_title": ("Hồ sơ trong khu vực đã chọn (nhóm điểm)", "Records in the chosen area (clustered)"),
    "area.waiting": ("Chưa chọn khu vực. {hint}", "No area chosen yet. {hint}"),
    "area.layer_records": ("Hồ sơ", "Records"),
    "area.layer_area": ("Khu vực", "Area"),
    # import
    "import.title": ("Nhập dữ liệu", "Import"),
    "import.caption": ("Tệp CSV, Excel (.xlsx) hoặc GeoJSON. Mọi dòng đều được nạp hoặc cách ly kèm lý do: không dòng nào bị mất.",
                       "A CSV, Excel (.xlsx) or GeoJSON file. Every row is loaded or quarantined with a reason: none is lost."),
    "import.type": ("Loại dữ liệu", "Record type"),
    "import.type.case": ("Hồ sơ kiểm tra, giám sát", "Inspection and supervision cases"),
    "import.type.petition": ("Đơn thư", "Petitions"),
    "import.type.discipline": ("Kỷ luật", "Discipline"),
    "import.type.party_org": ("Tổ chức đảng", "Party organisations"),
    "import.file": ("Chọn tệp", "Choose a file"),
    "import.button": ("Kiểm tra và nạp", "Check and load"),
    "import.waiting": ("Chọn một tệp rồi bấm “Kiểm tra và nạp”.", "Choose a file, then press “Check and load”."),
    "import.rows_in": ("Số dòng trong tệp", "Rows in the file"),
    "import.loaded": ("Đã nạp", "Loaded"),
    "import.quarantined": ("Cách ly", "Quarantined"),
    "import.new": ("Mới", "New"),
    "import.updated": ("Cập nhật", "Updated"),
    "import.unchanged": ("Không đổi", "Unchanged"),
    "import.ok": ("Đã nạp toàn bộ {n} dòng của {file}.", "All {n} rows of {file} were loaded."),
    "import.partial": ("{q} dòng của {file} bị cách ly. Sửa các dòng theo lý do dưới đây rồi nạp lại tệp: dòng đã nạp không bị nạp trùng.",
                       "{q} rows of {file} were quarantined. Fix them as the reasons below say and load the file again: loaded rows are not duplicated."),
    "import.report": ("Tải báo cáo cách ly (CSV)", "Download the quarantine report (CSV)"),
    "import.col.row": ("Dòng", "Row"),
    "import.col.source_id": ("Mã hồ sơ", "Record id"),
    "import.col.reason_code": ("Mã lý do", "Reason code"),
    "import.col.reason": ("Lý do", "Reason"),
    "import.bad_file": ("Không đọc được tệp {file}: {reason}", "The file {file} cannot be read: {reason}"),
}

# So sánh / Compare
STRINGS.update({
    "nav.compare": ("So sánh", "Compare"),
    "nav.admin": ("Quản trị", "Administration"),
    "cmp.title": ("So sánh tỉnh, thành phố và vụ địa bàn", "Provinces and regional departments side by side"),
    "cmp.level": ("So sánh theo", "Compare"),
    "cmp.level.province": ("Tỉnh, thành phố", "Provinces"),
    "cmp.level.department": ("Vụ địa bàn", "Regional departments"),
    "cmp.units": ("Đơn vị so sánh (2 – 6)", "Units to compare (2 – 6)"),
    "cmp.choose_two": ("Chọn ít nhất hai đơn vị để so sánh.", "Choose at least two units to compare."),
    "cmp.table_title": ("Chỉ tiêu chính, {period}", "Key figures, {period}"),
    "cmp.row.members": ("Đảng viên", "Party members"),
    "cmp.row.cases": ("Vụ việc trong kỳ", "Cases in the period"),
    "cmp.row.previous": ("Vụ việc cùng kỳ năm trước", "Cases, same period last year"),
    "cmp.row.change": ("Thay đổi so với cùng kỳ", "Change on last year"),
    "cmp.row.violations": ("Kết luận có vi phạm", "Conclusions with violations"),
    "cmp.row.rate": ("Vi phạm / 1.000 đảng viên", "Violations per 1,000 members"),
    "cmp.row.rate_smoothed": ("Vi phạm / 1.000 đảng viên (đã hiệu chỉnh)", "Violations per 1,000 members (smoothed)"),
    "cmp.row.open_cases": ("Vụ việc chưa kết thúc", "Open cases"),
    "cmp.row.overdue_petitions": ("Đơn thư quá hạn chưa giải quyết", "Overdue unresolved petitions"),
    "cmp.row.provinces": ("Số tỉnh, thành phố", "Provinces"),
    "cmp.table_caption": (
        "Tỷ lệ đã hiệu chỉnh (Empirical Bayes) kéo đơn vị nhỏ về mức chung nên so sánh được công bằng. "
        "Dấu * : thay đổi khó là ngẫu nhiên (kiểm định chính xác, FDR 5 %).",
        "Smoothed rates (Empirical Bayes) pull small units towards the overall rate so the comparison is fair. "
        "*: the change is unlikely to be chance (exact test, 5 % FDR)."),
    "cmp.maps_title": ("Tỷ lệ vi phạm theo địa bàn, cùng một thang màu", "Violation rate by area, on one colour scale"),
    "cmp.rate_legend": ("Vi phạm / 1.000 đảng viên (hiệu chỉnh)", "Violations per 1,000 members (smoothed)"),
    "cmp.no_units": ("Đơn vị này chưa có tỉnh nào trong bảng vụ địa bàn.",
                     "This department has no province in the departments table."),
    "cmp.trend_title": ("Xu hướng số vụ việc", "Cases over time"),
    "cmp.freq": ("Theo", "By"),
    "cmp.freq.month": ("Tháng", "Month"),
    "cmp.freq.quarter": ("Quý", "Quarter"),
    "cmp.freq.year": ("Năm", "Year"),
    "cmp.period": ("Kỳ", "Period"),
    "cmp.no_trend": ("Không có vụ việc nào trong những năm này.", "No case in these years."),
})

# Sáp nhập, cân đối / Mergers and rebalancing
STRINGS.update({
    "nav.mergers": ("Sáp nhập, cân đối", "Mergers and rebalancing"),
    "mrg.title": ("Sáp nhập và cân đối địa bàn", "Mergers and rebalancing"),
    "mrg.tab.unit": ("Đơn vị mới và lịch sử", "A new unit and its history"),
    "mrg.tab.edition": ("Chỉ tiêu theo đơn vị cũ hoặc mới", "Figures by old or new units"),
    "mrg.tab.balance": ("Cân đối địa bàn", "Rebalancing"),
    "mrg.formed_by": ("{name} được hình thành từ {n} đơn vị cũ", "{name} was formed from {n} old units"),
    "mrg.old_unit": ("Đơn vị cũ", "Old unit"),
    "mrg.kind": ("Hình thức", "How"),
    "mrg.weight": ("Tỷ lệ chuyển sang", "Share carried over"),
    "mrg.kind.whole": ("Nhập nguyên", "Merged whole"),
    "mrg.kind.part": ("Tách một phần", "Split, in part"),
    "mrg.kind.unchanged": ("Giữ nguyên", "Unchanged"),
    "mrg.per_period.before.month": ("Vụ việc / tháng trước 1/7/2025", "Cases per month before 1 July 2025"),
    "mrg.per_period.after.month": ("Vụ việc / tháng từ 1/7/2025", "Cases per month since 1 July 2025"),
    "mrg.per_period.before.quarter": ("Vụ việc / quý trước 1/7/2025", "Cases per quarter before 1 July 2025"),
    "mrg.per_period.after.quarter": ("Vụ việc / quý từ 1/7/2025", "Cases per quarter since 1 July 2025"),
    "mrg.estimated_share": ("Tỷ lệ gán ước tính (trước sáp nhập)", "Estimated attribution (before the merger)"),
    "mrg.activity_title": ("Hoạt động trước và sau {reform}", "Activity before and after {reform}"),
    "mrg.activity_caption": (
        "Vụ việc trước sáp nhập được gán cho đơn vị mới theo toạ độ, theo mã cũ, hoặc theo tỷ lệ tách xã (ước tính).",
        "Cases before the merger are attributed to the new unit by point, by old code, or by split weights (estimated)."),
    "mrg.era.before": ("Trước sáp nhập", "Before the merger"),
    "mrg.era.after": ("Sau sáp nhập", "After the merger"),
    "mrg.province_title": ("Các xã của {province}: trước và sau sáp nhập", "Communes of {province}: before and after"),
    "mrg.predecessors": ("Số xã cũ", "Old communes"),
    "mrg.cases_before": ("Vụ việc trước", "Cases before"),
    "mrg.cases_after": ("Vụ việc sau", "Cases after"),
    "mrg.records_before_reform": ("Hồ sơ trước 1/7/2025", "Records before 1 July 2025"),
    "mrg.by_point": ("Gán theo toạ độ", "By point"),
    "mrg.estimated": ("Ước tính", "Estimated"),
    "mrg.exact": ("Chính xác", "Exact"),
    "mrg.windows": ("Trước: {before}; sau: {after} (cùng các ngày trong năm).",
                    "Before: {before}; after: {after} (the same days of the year)."),
    "mrg.edition": ("Theo đơn vị", "Units"),
    "mrg.edition.2025": ("Mới (2025)", "New (2025)"),
    "mrg.edition.pre2025": ("Cũ (trước 2025)", "Old (before 2025)"),
    "mrg.level": ("Cấp", "Level"),
    "mrg.level.province": ("Tỉnh", "Province"),
    "mrg.level.district": ("Huyện (2019)", "District (2019)"),
    "mrg.level.commune": ("Xã", "Commune"),
    "mrg.placed.point": ("Theo toạ độ", "By point"),
    "mrg.placed.old_code": ("Theo mã cũ", "By old code"),
    "mrg.placed.new_code": ("Theo mã mới", "By new code"),
    "mrg.placed.estimated": ("Ước tính", "Estimated"),
    "mrg.placed.unplaced": ("Không xếp được", "Not placed"),
    "mrg.placed.code": ("Theo mã", "By code"),
    "mrg.placed.exact": ("Chính xác", "Exact"),
    "mrg.edition_caption": (
        "Mọi hồ sơ của kỳ đều được đếm: hồ sơ không xếp được vào đơn vị cũ nào được nêu riêng, không bị bỏ.",
        "Every record of the period is counted: records that cannot be placed in an old unit are shown apart, never dropped."),
    "bal.intro": (
        "Chia các xã của một tỉnh thành k nhóm liền kề có khối lượng công việc cân đối (tổ kiểm tra, cán bộ theo dõi địa bàn).",
        "Split a province's communes into k contiguous groups with balanced workload (inspection teams, liaison officers)."),
    "bal.measure": ("Cân đối theo", "Balance on"),
    "bal.k": ("Số nhóm", "Groups"),
    "bal.spinner": ("Đang tìm cách chia cân đối…", "Looking for a balanced split…"),
    "bal.result_title": ("Đề xuất {k} nhóm cho {province}", "{k} groups proposed for {province}"),
    "bal.max_mean_before": ("Lớn nhất / trung bình, trước", "Max / mean, before"),
    "bal.max_mean_after": ("Lớn nhất / trung bình, đề xuất", "Max / mean, proposed"),
    "bal.cv_before": ("Hệ số biến thiên, trước", "Coefficient of variation, before"),
    "bal.cv_after": ("Hệ số biến thiên, đề xuất", "Coefficient of variation, proposed"),
    "bal.metrics_caption": (
        "1,00 là cân đối hoàn toàn. \"Trước\" là cách chia gọn theo bản đồ, chưa cân đối. Khối lượng tính trong {period}.",
        "1.00 is perfect balance. \"Before\" is a compact split drawn from the map alone. Workload over {period}."),
    "bal.manual": ("Điều chỉnh thủ công: sửa cột Nhóm, chỉ tiêu được tính lại ngay",
                   "Manual changes: edit the Group column and the figures are recomputed"),
    "bal.group": ("Nhóm", "Group"),
    "bal.group_n": ("Nhóm {n}", "Group {n}"),
    "bal.workload": ("Khối lượng", "Workload"),
    "bal.communes": ("Số xã", "Communes"),
    "bal.ratio": ("So với trung bình", "Ratio to mean"),
    "bal.contiguous": ("Liền kề", "Contiguous"),
    "bal.parts": ("Số mảnh", "Parts"),
    "bal.rescored": ("Sau điều chỉnh: lớn nhất / trung bình {max_mean}, hệ số biến thiên {cv}.",
                     "After your changes: max / mean {max_mean}, coefficient of variation {cv}."),
    "bal.export_csv": ("Tải phân nhóm (CSV)", "Download the assignment (CSV)"),
    "bal.export_geojson": ("Tải phân nhóm (GeoJSON)", "Download the assignment (GeoJSON)"),
})

# Tín hiệu chậm khác / Other lag signals
STRINGS.update({
    "sig.title": ("Tín hiệu chậm khác", "Other lag signals"),
    "sig.caption": (
        "Mỗi tín hiệu được so với mức bình thường của đơn vị có quy mô như vậy; chỉ nêu khi khó là ngẫu nhiên "
        "(\"Cao\": FDR 5 %; \"Theo dõi\": p < 0,05).",
        "Each signal is compared with what is ordinary for a unit of that size and shown only when unlikely "
        "to be chance (\"High\": 5 % FDR; \"Watch\": p < 0.05)."),
    "sig.empty": ("Không có tín hiệu chậm nào đến {as_of}.", "No lag signal up to {as_of}."),
    "sig.overdue_petitions": ("Đơn thư quá hạn", "Overdue petitions"),
    "sig.undecided_discipline": ("Phải kỷ luật nhưng chưa quyết định", "Discipline required, not decided"),
    "sig.overdue_cases": ("Vụ việc quá hạn kết thúc", "Cases past their planned end"),
    "sig.silent": ("Đơn vị im lặng (4 quý không có vụ việc)", "Silent unit (no case in 4 quarters)"),
    "sig.priority": ("Mức", "Priority"),
    "sig.priority.high": ("Cao", "High"),
    "sig.priority.watch": ("Theo dõi", "Watch"),
    "sig.group_by": ("Nhóm theo", "Group by"),
    "sig.by.department": ("Vụ địa bàn", "Regional department"),
    "sig.by.province": ("Tỉnh, thành phố", "Province"),
    "sig.communes": ("Số xã có tín hiệu", "Communes with a signal"),
    "sig.by_sector": ("Hồ sơ sau các tín hiệu, theo lĩnh vực", "Records behind the signals, by sector"),
    "sig.signal": ("Tín hiệu", "Signal"),
    "sig.count": ("Số lượng", "Count"),
    "sig.oldest_days": ("Lâu nhất (ngày)", "Oldest (days)"),
    "sig.drill": ("Xem hồ sơ sau tín hiệu", "Records behind a signal"),
    "sig.col.source_id": ("Mã hồ sơ", "Record id"),
    "sig.col.days_overdue": ("Quá hạn (ngày)", "Days overdue"),
    "sig.col.days_waiting": ("Chờ quyết định (ngày)", "Days waiting"),
    "sig.col.due_date": ("Hạn giải quyết", "Due date"),
    "sig.col.received_date": ("Ngày nhận", "Received"),
    "sig.col.decision_date": ("Ngày quyết định", "Decision date"),
    "sig.col.planned_end": ("Hạn kết thúc", "Planned end"),
    "sig.col.actual_end": ("Ngày kết thúc", "Ended"),
    # --- replicas (admin page) ---
    "rep.title": ("Bản sao chỉ đọc (standby)", "Read-only standbys"),
    "rep.none": ("Chưa có bản sao: mọi truy vấn chạy trên máy chủ chính (bash run.sh replica để thêm).",
                 "No standby: every query runs on the primary (bash run.sh replica adds one)."),
    "rep.reads": ("Lượt đọc từ tiến trình này: {standby} trên bản sao, {primary} trên máy chủ chính.",
                  "Reads by this process: {standby} on standbys, {primary} on the primary."),
    "rep.col.standby": ("Bản sao", "Standby"),
    "rep.col.answers": ("Trả lời", "Answers"),
    "rep.col.bytes_behind": ("Chậm (byte WAL)", "Behind (WAL bytes)"),
    "rep.col.seconds_behind": ("Chậm (giây)", "Behind (seconds)"),
    # --- Leaflet.draw toolbar (L.drawLocal) ---
    "draw.draw.toolbar.actions.title": ("Huỷ vẽ", "Cancel drawing"),
    "draw.draw.toolbar.actions.text": ("Huỷ", "Cancel"),
    "draw.draw.toolbar.finish.title": ("Hoàn tất vẽ", "Finish drawing"),
    "draw.draw.toolbar.finish.text": ("Xong", "Finish"),
    "draw.draw.toolbar.undo.title": ("Xoá điểm vừa vẽ", "Delete last point drawn"),
    "draw.draw.toolbar.undo.text": ("Xoá điểm cuối", "Delete last point"),
    "draw.draw.toolbar.buttons.polygon": ("Vẽ đa giác", "Draw a polygon"),
    "draw.draw.toolbar.buttons.rectangle": ("Vẽ hình chữ nhật", "Draw a rectangle"),
    "draw.draw.handlers.polygon.tooltip.start": ("Bấm để bắt đầu vẽ vùng.", "Click to start drawing shape."),
    "draw.draw.handlers.polygon.tooltip.cont": ("Bấm để vẽ tiếp.", "Click to continue drawing shape."),
    "draw.draw.handlers.polygon.tooltip.end": ("Bấm vào điểm đầu tiên để khép vùng.", "Click first point to close this shape."),
    "draw.draw.handlers.polyline.error": ("<strong>Lỗi:</strong> các cạnh không được cắt nhau!", "<strong>Error:</strong> shape edges cannot cross!"),
    "draw.draw.handlers.rectangle.tooltip.start": ("Bấm và kéo để vẽ hình chữ nhật.", "Click and drag to draw rectangle."),
    "draw.draw.handlers.simpleshape.tooltip.end": ("Thả chuột để kết thúc.", "Release mouse to finish drawing."),
    "draw.edit.toolbar.actions.save.title": ("Lưu thay đổi", "Save changes"),
    "draw.edit.toolbar.actions.save.text": ("Lưu", "Save"),
    "draw.edit.toolbar.actions.cancel.title": ("Huỷ sửa, bỏ mọi thay đổi", "Cancel editing, discards all changes"),
    "draw.edit.toolbar.actions.cancel.text": ("Huỷ", "Cancel"),
    "draw.edit.toolbar.actions.clearAll.title": ("Xoá mọi vùng đã vẽ", "Clear all layers"),
    "draw.edit.toolbar.actions.clearAll.text": ("Xoá hết", "Clear All"),
    "draw.edit.toolbar.buttons.remove": ("Xoá vùng đã vẽ", "Delete layers"),
    "draw.edit.toolbar.buttons.removeDisabled": ("Chưa có vùng nào để xoá", "No layers to delete"),
    "draw.edit.handlers.remove.tooltip.text": ("Bấm vào một vùng để xoá.", "Click on a feature to remove."),
})

# --- api: refusals of the API (api/errors.py), the token section of the admin page, the live overview ---
STRINGS.update({
    "api.unauthorized": ("Thiếu mã truy cập API, hoặc mã sai, đã hết hạn hay bị thu hồi: gửi tiêu đề \"Authorization: Bearer <mã>\" với một mã còn hiệu lực (quản trị viên cấp ở trang Quản trị).", "No API token, or it is wrong, expired or revoked: send the header \"Authorization: Bearer <token>\" with a valid token (an administrator issues them on the admin page)."),
    "api.read_only": ("Mã truy cập này chỉ được đọc: nhờ quản trị viên cấp mã có quyền ghi (write) để nhập dữ liệu.", "This token is read-only: ask an administrator for a write token to import data."),
    "api.not_editor": ("Tài khoản của mã này không có quyền nhập dữ liệu (chỉ biên tập viên, quản trị viên).", "The token's account may not import data (editors and administrators only)."),
    "api.no_collection": ("Không có tập dữ liệu '{id}': xem danh sách ở /collections.", "No collection '{id}': see the list at /collections."),
    "api.no_item": ("Không có đối tượng '{id}' trong '{collection}' (hoặc nó nằm ngoài phạm vi của bạn).", "No item '{id}' in '{collection}' (or it is outside your scope)."),
    "api.no_batch": ("Không có lô nhập {id}.", "No import batch {id}."),
    "api.not_found": ("Không có địa chỉ {path}: xem / và /openapi.json.", "Nothing at {path}: see / and /openapi.json."),
    "api.method": ("Địa chỉ {path} không nhận phương thức này (HTTP {name}).", "{path} does not accept this method (HTTP {name})."),
    "api.bad_json": ("Nội dung gửi lên không phải JSON hợp lệ ({error}): sửa rồi gửi lại.", "The body is not valid JSON ({error}): correct it and send it again."),
    "api.bad_shape": ("JSON phải là một đối tượng {{\"record_type\": \"case\", \"records\": [{{…}}, …]}} (hoặc một danh sách bản ghi), nhận {kind}.", "The JSON must be an object {{\"record_type\": \"case\", \"records\": [{{…}}, …]}} (or a list of records), got {kind}."),
    "api.bad_record": ("Bản ghi thứ {n} không phải một đối tượng JSON (nhận {kind}); chưa nạp dòng nào.", "Record {n} is not a JSON object (got {kind}); nothing was loaded."),
    "api.bad_record_type": ("Loại dữ liệu (record_type) phải là một trong {types}, nhận '{value}'.", "`record_type` must be one of {types}, got '{value}'."),
    "api.too_large": ("Nội dung lớn hơn giới hạn {limit} MB: chia thành nhiều lô.", "The body is over the {limit} MB limit: split it into several batches."),
    "api.too_many": ("Một lô có tối đa {limit} bản ghi, nhận {n}: chia thành nhiều lô.", "A batch holds at most {limit} records, got {n}: split it into several batches."),
    "api.empty": ("Lô không có bản ghi nào.", "The batch holds no records."),
    "api.no_file": ("Gửi tệp trong trường 'file' của biểu mẫu multipart/form-data.", "Send the file in the 'file' field of the multipart/form-data form."),
    "api.media_type": ("Không nhận kiểu nội dung '{media}': gửi JSON (application/json), CSV (text/csv), XLSX, hoặc tệp qua multipart/form-data.", "Content type '{media}' is not accepted: send JSON (application/json), CSV (text/csv), XLSX, or a file as multipart/form-data."),
    "api.nothing_loaded": ("Không nạp được dòng nào: {quarantined} dòng bị cách ly kèm lý do (xem /batches/{batch}/quarantine).", "No row was loaded: {quarantined} rows were quarantined with their reasons (see /batches/{batch}/quarantine)."),
    "api.bad_parameter": ("Tham số '{name}' không hợp lệ (nhận '{value}'): {problem}.", "The parameter '{name}' is invalid (got '{value}'): {problem}."),
    "api.unexpected": ("Lỗi không mong đợi ({name}): hãy thử lại, hoặc báo quản trị viên nếu còn lặp lại.", "Unexpected error ({name}): try again, or tell an administrator if it happens again."),
    "tokens.title": ("Mã truy cập API", "API tokens"),
    "tokens.caption": ("Mỗi mã thay mặt một tài khoản: hệ thống khác đọc và nhập dữ liệu qua API trong đúng phạm vi và độ mật của tài khoản đó.", "Each token stands for one account: other systems read and import through the API within that account's scope and clearance."),
    "tokens.account": ("Tài khoản", "Account"),
    "tokens.name": ("Tên mã (hệ thống dùng)", "Token name (the system using it)"),
    "tokens.access": ("Quyền", "Access"),
    "tokens.access_read": ("chỉ đọc", "read only"),
    "tokens.access_write": ("đọc và nhập dữ liệu", "read and import"),
    "tokens.days": ("Hiệu lực (ngày)", "Valid for (days)"),
    "tokens.issue": ("Cấp mã", "Issue token"),
    "tokens.issued": ("Đã cấp mã số {id} (hết hạn {expires}). Mã chỉ hiện một lần, hãy lưu lại ngay:", "Token {id} issued (expires {expires}). It is shown only once: store it now:"),
    "tokens.revoke": ("Thu hồi mã", "Revoke token"),
    "tokens.expire": ("Cho hết hạn ngay", "Expire now"),
    "tokens.which": ("Mã", "Token"),
    "tokens.revoked": ("Đã thu hồi mã {id}.", "Token {id} revoked."),
    "tokens.expired": ("Mã {id} đã hết hạn.", "Token {id} has expired."),
    "tokens.none": ("Chưa cấp mã nào.", "No token issued yet."),
    "live.updated": ("cập nhật lúc {time}", "updated at {time}"),
    "live.new_batch": ("Có {n} dòng mới nhập lúc {time}.", "{n} new rows imported at {time}."),
    "nav.operations": ("Trung tâm điều hành", "Operations view"),
    "ops.title": ("Trung tâm điều hành", "Operations centre"),
    "ops.headline": ("Từ đầu năm {year}", "Since the start of {year}"),
    "ops.cases": ("Vụ việc", "Cases"),
    "ops.alerts": ("Cảnh báo", "Alerts"),
    "ops.lagging": ("Đơn vị chậm", "Lagging units"),
    "ops.overdue": ("Quá hạn", "Overdue"),
    "ops.overdue_title": ("Vụ việc, đơn thư quá hạn", "Overdue cases and petitions"),
    "ops.tasks_note": ("Nhiệm vụ quá hạn: chưa có bảng nhiệm vụ; đang hiện vụ việc quá hạn kết thúc và đơn thư quá hạn.", "Overdue tasks: there is no task table yet; showing cases past their planned end and overdue petitions."),
    "ops.newest": ("Cảnh báo mới nhất", "Newest alerts"),
    "ops.lagging_units": ("Đơn vị chậm tiến độ", "Lagging units"),
    "ops.none": ("Không có.", "None."),
    "ops.wall_hint": ("Màn hình treo tường: thêm ?wall=1 vào địa chỉ để ẩn thanh bên; số liệu tự cập nhật.", "Wall display: add ?wall=1 to the address to hide the sidebar; the figures refresh on their own."),
})

_INDEX = {"vi": 0, "en": 1}


def lang() -> str:
    """Return the chosen language code (``"vi"`` unless the user switched)."""
    chosen = st.session_state.get(STATE_KEY, DEFAULT)
    return chosen if chosen in _INDEX else DEFAULT


def t(key: str, **values: object) -> str:
    """Return the string ``key`` in the chosen language, with ``values`` filled in."""
    text = STRINGS[key][_INDEX[lang()]]
    return text.format(**values) if values else text


def bilingual(text: str) -> str:
    """Return the chosen language's half of a project error ("Vietnamese. / English."), else ``text``."""
    vi, sep, en = text.partition(" / ")
    if not sep:
        return text
    return vi.strip() if lang() == "vi" else en.strip()


def term(item: Term) -> str:
    """Return a vocabulary term's label in the chosen language."""
    return item.vi if lang() == "vi" else item.en


def term_labels(terms: Mapping[str, Term]) -> dict[str, str]:
    """Return ``{code: label}`` for a vocabulary, in the chosen language."""
    return {code: term(item) for code, item in terms.items()}


def number(value: float, decimals: int = 0) -> str:
    """Format a number in the chosen language: 3.321 and 1.234,5 in Vietnamese, 3,321 in English."""
    text = f"{value:,.{decimals}f}"
    if lang() == "en":
        return text
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def day(value) -> str:
    """Format a date as 31/12/2025 (Vietnamese) or 31 Dec 2025 (English)."""
    return f"{value:%d/%m/%Y}" if lang() == "vi" else f"{value:%d %b %Y}"


def draw_texts() -> dict[str, str]:
    """Leaflet.draw's toolbar texts in the chosen language, as ``L.drawLocal`` paths."""
    return {key.removeprefix("draw."): t(key) for key in STRINGS if key.startswith("draw.")}


def language_switch() -> None:
    """The sidebar switch; the choice stays in the session (and in the URL, so a link keeps it)."""
    if STATE_KEY not in st.session_state:
        requested = st.query_params.get(STATE_KEY, DEFAULT)
        st.session_state[STATE_KEY] = requested if requested in LANGUAGES else DEFAULT
    st.sidebar.radio(t("app.language"), options=list(LANGUAGES), format_func=LANGUAGES.get, key=STATE_KEY,
                     horizontal=True)
