"""The domain's enumerations: Vietnamese codes as values, Vietnamese and English labels.

Input files may carry the code (``KT_DHVP``), the Vietnamese label (``kiểm tra khi có dấu hiệu
vi phạm``) or the English one, with or without diacritics and in any case:
:func:`parse_term` maps all of them to the code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    vi: str
    en: str


def _terms(*rows: tuple[str, str, str]) -> dict[str, Term]:
    return {code: Term(code, vi, en) for code, vi, en in rows}


KINDS = _terms(
    ("KT_DHVP", "kiểm tra khi có dấu hiệu vi phạm", "inspection on signs of violation"),
    ("KT_THNV", "kiểm tra việc thực hiện nhiệm vụ kiểm tra, giám sát", "inspection of inspection duties"),
    ("KT_TAICHINH", "kiểm tra tài chính đảng", "party finance inspection"),
    ("KT_KEKHAI", "kiểm tra kê khai tài sản, thu nhập", "asset and income declaration check"),
    ("GS_CHUYENDE", "giám sát chuyên đề", "thematic supervision"),
    ("GS_THUONGXUYEN", "giám sát thường xuyên", "regular supervision"),
    ("TO_CAO", "giải quyết tố cáo", "denunciation handling"),
    ("KHIEU_NAI", "giải quyết khiếu nại kỷ luật", "complaint against a discipline decision"),
)
STATUSES = _terms(
    ("du_kien", "dự kiến", "planned"),
    ("quyet_dinh", "quyết định", "decision issued"),
    ("tham_tra", "thẩm tra, xác minh", "verification"),
    ("bao_cao", "báo cáo kết quả", "results reported"),
    ("ket_luan", "kết luận", "concluded"),
    ("theo_doi", "theo dõi khắc phục", "follow-up"),
    ("dong", "đóng", "closed"),
)
CONCLUSIONS = _terms(
    ("khong_vi_pham", "không vi phạm", "no violation"),
    ("co_khuyet_diem", "có khuyết điểm", "shortcomings"),
    ("vi_pham_chua_ky_luat", "vi phạm chưa đến mức kỷ luật", "violation short of discipline"),
    ("vi_pham_phai_ky_luat", "vi phạm phải kỷ luật", "violation requiring discipline"),
)
CATEGORIES = _terms(
    ("tap_trung_dan_chu", "tập trung dân chủ", "democratic centralism"),
    ("cong_tac_can_bo", "công tác cán bộ", "personnel work"),
    ("dat_dai", "đất đai", "land"),
    ("tai_chinh_tai_san", "tài chính, tài sản", "finance and assets"),
    ("dau_tu_mua_sam", "đầu tư, mua sắm", "investment and procurement"),
    ("tham_nhung", "tham nhũng", "corruption"),
    ("lang_phi", "lãng phí", "waste"),
    ("tai_nguyen_khoang_san", "tài nguyên, khoáng sản", "natural resources"),
    ("ke_khai_tai_san", "kê khai tài sản", "asset declaration"),
    ("suy_thoai_dao_duc", "suy thoái đạo đức, lối sống", "moral and lifestyle degradation"),
    ("dieu_cam", "điều đảng viên không được làm", "forbidden acts"),
)
SECTORS = _terms(
    ("xay_dung_dang", "xây dựng đảng", "party building"),
    ("dat_dai_xay_dung", "đất đai, xây dựng", "land and construction"),
    ("tai_chinh_ngan_hang", "tài chính, ngân hàng", "finance and banking"),
    ("dau_tu_cong", "đầu tư công", "public investment"),
    ("tai_nguyen_moi_truong", "tài nguyên, môi trường", "natural resources and environment"),
    ("y_te", "y tế", "health"),
    ("giao_duc", "giáo dục", "education"),
    ("noi_chinh", "nội chính", "internal affairs"),
    ("van_hoa_xa_hoi", "văn hóa, xã hội", "culture and society"),
    ("kinh_te_khac", "kinh tế khác", "other economic"),
)
SUBJECT_TYPES = _terms(("to_chuc", "tổ chức đảng", "organisation"), ("dang_vien", "đảng viên", "member"))
DISCIPLINE_FORMS = _terms(
    ("khien_trach", "khiển trách", "reprimand"),
    ("canh_cao", "cảnh cáo", "warning"),
    ("cach_chuc", "cách chức", "removal from post"),
    ("khai_tru", "khai trừ", "expulsion"),
    ("giai_tan", "giải tán", "dissolution"),
)
PETITION_TYPES = _terms(
    ("to_cao", "tố cáo", "denunciation"),
    ("khieu_nai", "khiếu nại kỷ luật", "complaint"),
    ("phan_anh", "phản ánh", "feedback"),
)
PETITION_RESULTS = _terms(("dung", "đúng", "founded"), ("dung_mot_phan", "đúng một phần", "partly founded"),
                          ("sai", "sai", "unfounded"))
CLASSIFICATIONS = _terms(("thuong", "thường", "ordinary"), ("mat", "mật", "confidential"),
                         ("toi_mat", "tối mật", "secret"))
ORG_TYPES = _terms(
    ("dang_bo_tinh", "đảng bộ tỉnh", "provincial party committee"),
    ("dang_bo_xa", "đảng bộ xã", "commune party committee"),
    ("co_so", "đảng bộ, chi bộ cơ sở", "grassroots committee or cell"),
    ("chi_bo", "chi bộ trực thuộc", "subordinate cell"),
)
ACTING_LEVELS = _terms(("trung_uong", "trung ương", "central"), ("tinh", "tỉnh", "provincial"),
                       ("xa", "xã", "commune"))
LOCATED_BY = _terms(
    ("point", "theo toạ độ", "by coordinates"),
    ("snapped", "toạ độ gán xã gần nhất", "coordinates snapped to the nearest commune"),
    ("code", "theo mã xã mới", "by 2025 commune code"),
    ("old_code", "theo mã xã cũ", "by pre-2025 commune code"),
    ("estimated", "ước tính theo trọng số (xã cũ bị chia)", "estimated by weight (split old commune)"),
    ("name", "theo tên xã, tỉnh", "by commune and province name"),
)


def fold(text: str) -> str:
    """Return ``text`` without diacritics, lower-case, words joined by ``_`` (đ becomes d)."""
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^0-9a-z]+", "_", bare.lower()).strip("_")


def _lookup(terms: dict[str, Term]) -> dict[str, str]:
    table: dict[str, str] = {}
    for term in terms.values():
        for spelling in (term.code, term.vi, term.en):
            table[fold(spelling)] = term.code
    return table


_LOOKUPS: dict[int, dict[str, str]] = {}


def parse_term(value: object, terms: dict[str, Term]) -> str | None:
    """Return the code of ``value`` in ``terms``, or None when it is not one of them."""
    table = _LOOKUPS.setdefault(id(terms), _lookup(terms))
    if value is None:
        return None
    return table.get(fold(str(value)))
