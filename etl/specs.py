"""What each record type's columns are, which are required, and what users call them.

Column names in a file are matched after folding (no diacritics, lower case, ``_`` for
spaces), so ``Mã xã``, ``ma_xa``, ``MA XA`` and ``commune_code`` all mean the same column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from etl import vocabulary as v


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # text | date | term | terms | int | bool
    required: bool = False
    terms: dict | None = None
    aliases: tuple[str, ...] = ()
    max_length: int = 500
    future_ok: bool = False  # planned and due dates may lie ahead; event dates may not


@dataclass(frozen=True)
class RecordSpec:
    record_type: str
    table: str
    fields: tuple[Field, ...]
    date_field: str | None = None
    label_vi: str = ""
    located: bool = True
    extra_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)


LOCATION_ALIASES: dict[str, tuple[str, ...]] = {
    "lon": ("lon", "lng", "long", "longitude", "kinh_do", "x"),
    "lat": ("lat", "latitude", "vi_do", "y"),
    "commune_code": ("commune_code", "ma_xa", "ma_phuong_xa", "ma_xa_phuong", "ma_xa_moi", "ma_don_vi"),
    "old_commune_code": ("old_commune_code", "ma_xa_cu", "ma_phuong_xa_cu"),
    "province_code": ("province_code", "ma_tinh", "ma_tinh_thanh_pho"),
    "commune_name": ("commune_name", "ten_xa", "xa", "phuong_xa", "xa_phuong", "ten_phuong_xa", "ward"),
    "province_name": ("province_name", "ten_tinh", "tinh", "tinh_thanh_pho", "tinh_thanh", "province"),
    "classification": ("classification", "do_mat", "mat", "phan_loai_mat"),
}

_ID = Field("source_id", "text", True, aliases=("source_id", "id", "ma_ho_so", "so_ho_so", "ma_vu_viec", "ma"))
_SUBJECT_TYPE = Field("subject_type", "term", True, v.SUBJECT_TYPES, ("subject_type", "doi_tuong", "loai_doi_tuong"))
_CATEGORIES = Field("categories", "terms", False, v.CATEGORIES,
                    ("categories", "violation_categories", "nhom_vi_pham", "noi_dung_vi_pham", "linh_vuc_vi_pham"))

CASES = RecordSpec("case", "case_record", (
    _ID,
    Field("kind", "term", True, v.KINDS, ("kind", "loai_hoat_dong", "hoat_dong", "loai_vu_viec", "loai")),
    Field("acting_level", "term", True, v.ACTING_LEVELS, ("acting_level", "cap_thuc_hien", "cap", "co_quan_thuc_hien")),
    _SUBJECT_TYPE,
    Field("subject_level", "text", False, aliases=("subject_level", "cap_doi_tuong", "doi_tuong_cap")),
    Field("subject_ref", "text", False, aliases=("subject_ref", "ma_doi_tuong", "doi_tuong_ma")),
    Field("org_source_id", "text", False, aliases=("org_source_id", "ma_to_chuc_dang", "to_chuc_dang")),
    Field("sector", "term", False, v.SECTORS, ("sector", "linh_vuc")),
    _CATEGORIES,
    Field("decision_no", "text", False, aliases=("decision_no", "so_quyet_dinh", "so_qd")),
    Field("decision_date", "date", True, aliases=("decision_date", "ngay_quyet_dinh", "ngay_qd", "ngay")),
    Field("planned_end", "date", False, aliases=("planned_end", "han_ket_thuc", "ngay_ket_thuc_du_kien"),
          future_ok=True),
    Field("actual_end", "date", False, aliases=("actual_end", "ngay_ket_thuc", "ngay_ket_thuc_thuc_te")),
    Field("status", "term", True, v.STATUSES, ("status", "trang_thai", "tinh_trang")),
    Field("conclusion", "term", False, v.CONCLUSIONS, ("conclusion", "ket_luan")),
), date_field="decision_date", label_vi="vụ việc kiểm tra, giám sát")

PETITIONS = RecordSpec("petition", "petition", (
    _ID,
    Field("petition_type", "term", True, v.PETITION_TYPES, ("petition_type", "loai_don", "loai")),
    Field("received_date", "date", True, aliases=("received_date", "ngay_nhan", "ngay_tiep_nhan")),
    Field("competent_level", "term", True, v.ACTING_LEVELS, ("competent_level", "cap_tham_quyen", "cap")),
    Field("eligible", "bool", False, aliases=("eligible", "du_dieu_kien", "du_dk")),
    Field("due_date", "date", False, aliases=("due_date", "han_giai_quyet", "han"), future_ok=True),
    Field("resolved_date", "date", False, aliases=("resolved_date", "ngay_giai_quyet")),
    Field("result", "term", False, v.PETITION_RESULTS, ("result", "ket_qua")),
    Field("case_source_id", "text", False, aliases=("case_source_id", "ma_vu_viec_lien_quan")),
), date_field="received_date", label_vi="đơn thư")

DISCIPLINE = RecordSpec("discipline", "discipline", (
    _ID,
    _SUBJECT_TYPE,
    Field("subject_ref", "text", False, aliases=("subject_ref", "ma_doi_tuong")),
    Field("form", "term", True, v.DISCIPLINE_FORMS, ("form", "hinh_thuc", "hinh_thuc_ky_luat")),
    Field("deciding_level", "term", True, v.ACTING_LEVELS, ("deciding_level", "cap_quyet_dinh", "cap")),
    Field("decision_date", "date", True, aliases=("decision_date", "ngay_quyet_dinh", "ngay")),
    _CATEGORIES,
    Field("case_source_id", "text", False, aliases=("case_source_id", "ma_vu_viec")),
    Field("appealed", "bool", False, aliases=("appealed", "khieu_nai")),
    Field("rehabilitated", "bool", False, aliases=("rehabilitated", "phuc_hoi")),
), date_field="decision_date", label_vi="quyết định kỷ luật")

PARTY_ORGS = RecordSpec("party_org", "party_org", (
    _ID,
    Field("name", "text", True, aliases=("name", "ten", "ten_to_chuc", "ten_to_chuc_dang")),
    Field("org_type", "term", True, v.ORG_TYPES, ("org_type", "loai_to_chuc", "loai")),
    Field("parent_source_id", "text", False, aliases=("parent_source_id", "to_chuc_cap_tren", "ma_cap_tren")),
    Field("members", "int", True, aliases=("members", "so_dang_vien", "dang_vien")),
    Field("founded_on", "date", False, aliases=("founded_on", "ngay_thanh_lap")),
    Field("dissolved_on", "date", False, aliases=("dissolved_on", "ngay_giai_the")),
), label_vi="tổ chức đảng")

SPECS: dict[str, RecordSpec] = {s.record_type: s for s in (CASES, PETITIONS, DISCIPLINE, PARTY_ORGS)}
