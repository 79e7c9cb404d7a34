"""Lag signals: the records behind each signal on constructed files, the tests by hand, the demo's planted ones."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from etl.importer import import_bytes
from geo.errors import InvalidArgumentError
from queries.signals import (
    _binomial_upper,
    _poisson_upper,
    group_signals,
    lag_signals,
    signal_records,
    signals_by_sector,
)

AS_OF = date(1993, 6, 30)  # before every other test's records


@pytest.fixture(scope="module")
def backlog(engine, boundaries_loaded):
    petitions = ["ma,loai_don,ngay_nhan,cap_tham_quyen,du_dieu_kien,han_giai_quyet,ngay_giai_quyet,ma_xa",
                 "SIG-P1,to_cao,1993-01-05,xa,true,1993-04-05,,00070",         # overdue, 86 days
                 "SIG-P2,to_cao,1993-01-05,xa,true,1993-04-05,1993-03-01,00070",  # resolved
                 "SIG-P3,to_cao,1993-06-01,xa,true,1993-09-01,,00070",         # not yet due
                 "SIG-P4,to_cao,1993-01-05,xa,false,1993-04-05,,00070"]        # not eligible
    cases = ["ma_ho_so,loai,cap,doi_tuong,ngay,han_ket_thuc,ngay_ket_thuc,trang_thai,ket_luan,linh_vuc,ma_xa",
             "SIG-C1,KT_DHVP,xa,dang_vien,1992-06-01,1992-09-01,1992-10-01,ket_luan,vi_pham_phai_ky_luat,giao_duc,00070",
             "SIG-C2,KT_DHVP,xa,dang_vien,1992-06-01,1992-09-01,1992-10-01,ket_luan,vi_pham_phai_ky_luat,giao_duc,00070",
             "SIG-C3,KT_DHVP,xa,dang_vien,1993-01-01,1993-03-01,,tham_tra,,dat_dai_xay_dung,00070",   # overdue
             "SIG-C4,KT_DHVP,xa,dang_vien,1993-05-01,1993-08-01,,tham_tra,,dat_dai_xay_dung,00070"]   # in time
    discipline = ["ma,doi_tuong,hinh_thuc,cap_quyet_dinh,ngay,case_source_id,ma_xa",
                  "SIG-D1,dang_vien,khien_trach,xa,1992-11-01,SIG-C1,00070"]
    for rows, kind in ((petitions, "petition"), (cases, "case"), (discipline, "discipline")):
        result = import_bytes(engine, "\n".join(rows).encode(), file_name=f"signals-{kind}.csv", record_type=kind,
                              today=date(2026, 11, 24))
        assert result.rows_quarantined == 0, result.quarantine


def test_records_behind_each_signal_are_exactly_the_late_ones(conn, backlog):
    overdue = signal_records(conn, signal="overdue_petitions", commune_code="00070", as_of=AS_OF)
    assert overdue["source_id"].tolist() == ["SIG-P1"] and overdue["days_overdue"].tolist() == [86]
    undecided = signal_records(conn, signal="undecided_discipline", commune_code="00070", as_of=AS_OF)
    assert undecided["source_id"].tolist() == ["SIG-C2"]  # SIG-C1 has its decision
    late = signal_records(conn, signal="overdue_cases", commune_code="00070", as_of=AS_OF)
    assert late["source_id"].tolist() == ["SIG-C3"]
    with pytest.raises(InvalidArgumentError):
        signal_records(conn, signal="overdue_cases", commune_code="70; DROP TABLE petition", as_of=AS_OF)


def test_the_tail_probabilities_by_hand():
    # P(X >= 3 | Poisson 0.5) = 1 - e^-0.5 (1 + 0.5 + 0.125)
    assert _poisson_upper(np.array([3.0]), np.array([0.5]))[0] == pytest.approx(1 - np.exp(-0.5) * 1.625)
    # P(X >= 2 | Binomial(2, 0.1)) = 0.01
    assert _binomial_upper(np.array([2]), np.array([2]), 0.1)[0] == pytest.approx(0.01)
    assert _poisson_upper(np.array([1.0]), np.array([0.0]))[0] == 1.0


def test_demo_planted_backlogs_and_silences_are_raised(engine, demo_loaded):
    truth = demo_loaded.truth
    with engine.connect() as conn:
        raised = lag_signals(conn, as_of=date(2026, 11, 24))
        by_sector = signals_by_sector(conn, raised, as_of=date(2026, 11, 24))
    high = raised[raised["priority"] == "high"]
    overdue = set(high.loc[high["signal"] == "overdue_petitions", "commune_code"])
    silent = set(high.loc[high["signal"] == "silent", "commune_code"])
    for signal, planted, found in (("overdue_petitions", truth.overdue_petition_communes, overdue),
                                   ("silent", truth.silent_communes, silent)):
        print(f"{signal}: planted {len(planted)}, found {len(set(planted) & found)}, "
              f"other high {len(found - set(planted))} of 3,321 communes")
    assert set(truth.overdue_petition_communes) <= overdue
    assert set(truth.silent_communes) <= silent
    assert len(overdue - set(truth.overdue_petition_communes)) <= 3  # false alarms stay rare
    assert raised["priority"].isin(["high", "watch"]).all() and raised["department_code"].notna().all()
    assert list(raised["priority"]) == sorted(raised["priority"], key=["high", "watch"].index)
    departments = group_signals(raised, by="department")
    assert departments["high"].sum() == len(high) and departments["high"].is_monotonic_decreasing
    provinces = group_signals(raised, by="province")
    assert provinces["communes"].sum() >= raised["commune_code"].nunique()
    assert set(by_sector["signal"]) <= {"undecided_discipline", "overdue_cases"}
    with pytest.raises(InvalidArgumentError):
        group_signals(raised, by="district")
