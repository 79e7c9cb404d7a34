"""Counts by unit and period come from the stored codes."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from etl.importer import import_bytes
from geo.errors import InvalidArgumentError
from queries.counts import add_change, case_counts, headline_counts, year_on_year


def test_counts_by_commune_and_kind_match_what_was_imported(engine, conn):
    rows = ["ma_ho_so,loai,cap,doi_tuong,ngay,trang_thai,ma_xa"]
    rows += [f"CNT-{i},KT_DHVP,tinh,to_chuc,2019-03-0{1 + i % 5},dong,00070" for i in range(7)]
    rows += [f"CNT-B{i},TO_CAO,tinh,dang_vien,2018-03-02,dong,00004" for i in range(3)]
    import_bytes(engine, "\n".join(rows).encode(), file_name="counts.csv")
    counts = case_counts(conn, level="commune", start=date(2018, 1, 1), end=date(2019, 12, 31))
    got = {(r.code, r.kind): r.cases for r in counts.itertuples()}
    assert got[("00070", "KT_DHVP")] == 7 and got[("00004", "TO_CAO")] == 3
    province = case_counts(conn, level="province", start=date(2019, 1, 1), end=date(2019, 12, 31), kinds=["KT_DHVP"])
    assert province.set_index("code").loc["01", "cases"] == 7
    headline = headline_counts(conn, start=date(2019, 1, 1), end=date(2019, 12, 31)).set_index("kind")
    assert headline.loc["KT_DHVP", "cases"] == 7 and headline.loc["TO_CAO", "previous"] == 3


def test_counts_refuse_a_bad_level_or_period(conn):
    with pytest.raises(InvalidArgumentError, match="`level`"):
        case_counts(conn, level="district", start=date(2024, 1, 1), end=date(2024, 2, 1))
    with pytest.raises(InvalidArgumentError, match="start <= end"):
        case_counts(conn, level="province", start=date(2024, 3, 1), end=date(2024, 2, 1))


def test_year_on_year_change_is_tested_so_small_changes_are_not_news(engine, conn):
    rows = ["ma_ho_so,loai,cap,doi_tuong,ngay,trang_thai,ma_xa"]
    rows += [f"YOY-A{i},KT_DHVP,tinh,to_chuc,1996-05-0{1 + i % 5},dong,00070" for i in range(40)]
    rows += [f"YOY-B{i},KT_DHVP,tinh,to_chuc,1997-05-0{1 + i % 5},dong,00070" for i in range(10)]
    rows += [f"YOY-C{i},KT_DHVP,tinh,to_chuc,1996-05-02,dong,00004" for i in range(1)]
    rows += [f"YOY-D{i},KT_DHVP,tinh,to_chuc,1997-05-02,dong,00004" for i in range(3)]
    import_bytes(engine, "\n".join(rows).encode(), file_name="yoy.csv")
    change = year_on_year(conn, level="commune", start=date(1997, 1, 1), end=date(1997, 12, 31)).set_index("code")
    assert change.loc["00070", ["cases", "previous", "change"]].tolist() == [10, 40, -30]
    assert change.loc["00070", "change_pct"] == pytest.approx(-75.0)
    assert change.loc["00070", "significant"]  # 10 of 50 under p = 1/2: P ≈ 1e-5
    assert change.loc["00004", "change_pct"] == pytest.approx(200.0)
    assert change.loc["00004", "p_value"] == pytest.approx(0.625)  # 2 × P(X <= 1 | 4, 1/2) = 2 × 5/16, by hand
    assert not change.loc["00004", "significant"]
    none_before = add_change(pd.DataFrame({"cases": [2], "previous": [0]}))
    assert np.isnan(none_before["change_pct"][0])
