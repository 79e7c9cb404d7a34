"""Code checks against the official list."""

from __future__ import annotations

import pandas as pd

from boundaries.validate import check_codes


def test_check_codes_reports_missing_unknown_duplicate_and_renamed_units():
    official = pd.DataFrame({"code": ["00004", "00008", "00025"],
                             "name": ["Phường Ba Đình", "Phường Ngọc Hà", "Phường Giảng Võ"]})
    source = pd.DataFrame({"code": ["00004", "00008", "00008", "99999"],
                           "name": ["phường  Ba Đình", "Phường Ngọc Hà", "Phường Ngọc Hà", "Xã Lạ"]})
    check = check_codes(source, official, level="commune")
    assert (check.matched, check.names_matched) == (2, 2)  # case and spacing do not matter
    assert check.missing == ["00025"] and check.unknown == ["99999"] and check.duplicates == ["00008"]
    assert not check.ok


def test_check_codes_flags_a_different_name():
    official = pd.DataFrame({"code": ["00070"], "name": ["Phường Hoàn Kiếm"]})
    source = pd.DataFrame({"code": ["00070"], "name": ["Phường Hàng Trống"]})
    check = check_codes(source, official, level="commune")
    assert check.name_mismatches == [("00070", "Phường Hàng Trống", "Phường Hoàn Kiếm")]
