"""Mergers: placing records in pre-2025 units, re-attribution counts, before and after."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from shapely.geometry import box

from etl.importer import import_bytes
from geo.errors import InvalidArgumentError
from queries.counts import case_counts
from queries.mergers import (
    before_after,
    indicators_as_of,
    place_records,
    predecessors,
    reattribution_summary,
    records_in_old_unit,
    unit_history,
)
from queries.spatial import Filters

ONLY_TEST = Filters(start=date(1996, 1, 1), end=date(1996, 12, 31))  # demo data start in 2021
LAKE = (105.8523, 21.0287)  # Hoàn Kiếm Lake: old district 002 (Quận Hoàn Kiếm), new commune 00070


def test_place_records_follows_point_then_old_code_then_new_commune():
    units = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    frame = pd.DataFrame({
        "lon": [0.5, 5.0, np.nan, np.nan, np.nan, np.nan],
        "lat": [0.5, 5.0, np.nan, np.nan, np.nan, np.nan],
        "old_commune_code": ["o-B", "o-B", "o-A", None, None, None],
        "commune_code": ["n1", "n1", "n2", "n1", "n2", "n9"],
    })
    new_to_old = pd.DataFrame({"commune_code": ["n1", "n2"], "old_code": ["A", "B"], "exact": [True, False]})
    placed = place_records(frame, level="province", units=units, old_commune_unit=pd.Series({"o-A": "A", "o-B": "B"}),
                           new_to_old=new_to_old)
    # 0: point in A wins over its old code (B); 1: point outside every polygon -> old code;
    # 2: no point -> old code; 3: 2025 commune wholly in A; 4: straddling commune; 5: nothing known.
    assert placed["old_code"].tolist()[:5] == ["A", "B", "A", "A", "B"]
    assert pd.isna(placed["old_code"].iloc[5])
    assert placed["placed_by"].tolist() == ["point", "old_code", "old_code", "new_code", "estimated", "unplaced"]
    assert "old_code" not in frame  # input not mutated


@pytest.fixture(scope="module")
def merger_records(engine, boundaries_loaded):
    lines = ["ma_ho_so,loai,cap,doi_tuong,ngay,trang_thai,kinh_do,vi_do,ma_xa_cu",
             f"M-point,KT_DHVP,tinh,to_chuc,1996-03-01,dong,{LAKE[0]},{LAKE[1]},",
             "M-split,TO_CAO,tinh,dang_vien,1996-03-02,dong,,,00019",  # Điện Biên (Ba Đình), split 4 ways
             "M-single,KT_THNV,tinh,to_chuc,1996-03-03,dong,,,00043"]  # went whole to 00070
    result = import_bytes(engine, "\n".join(lines).encode(), file_name="mergers.csv")
    assert result.rows_quarantined == 0, result.quarantine
    return result


def test_a_point_record_lands_in_its_old_district_and_an_old_code_in_its_old_commune(conn, merger_records):
    district = records_in_old_unit(conn, level="district", code="002", filters=ONLY_TEST)
    placed = dict(zip(district.records["source_id"], district.records["placed_by"]))
    assert placed == {"M-point": "point", "M-single": "old_code"}
    assert dict(zip(district.counts["kind"], district.counts["cases"])) == {"KT_DHVP": 1, "KT_THNV": 1}
    ba_dinh = records_in_old_unit(conn, level="district", code="001", filters=ONLY_TEST)
    assert list(ba_dinh.records["source_id"]) == ["M-split"]  # by its old commune's district, not by a draw
    commune = records_in_old_unit(conn, level="commune", code="00043", filters=ONLY_TEST)
    assert list(commune.records["placed_by"]) == ["old_code"]
    province = records_in_old_unit(conn, level="province", code="01", filters=ONLY_TEST)
    assert set(province.records["source_id"]) == {"M-point", "M-split", "M-single"}


def test_split_old_commune_is_estimated_and_shared_out_by_weight(conn, merger_records):
    summary = reattribution_summary(conn, province_code="01", start=date(1996, 1, 1), before=date(1997, 1, 1))
    summary = summary.set_index("code")
    assert summary["estimated"].sum() == 1 and summary["records"].sum() == 3
    # 00019 went to four new communes with equal weights: a quarter of the record to each.
    assert summary.loc[["00190", "00226", "00004", "00070"], "estimated_weighted"].tolist() == [0.25] * 4
    assert summary.loc["00070", "by_point"] == 1 and summary.loc["00070", "by_old_code"] == 1


def test_predecessors_list_the_old_communes_with_their_weights(conn):
    table = predecessors(conn, level="commune", code="00070").set_index("old_code")
    assert len(table) == 14
    assert table.loc["00043", "kind"] == "whole" and table.loc["00043", "weight"] == 1.0
    assert table.loc["00019", "weight"] == pytest.approx(0.25)
    assert table.loc["00070", "old_name"] == "Phường Hàng Trống"


def test_old_unit_code_of_the_wrong_form_is_refused(conn):
    with pytest.raises(InvalidArgumentError, match="pre-2025 district must be 3 digits"):
        records_in_old_unit(conn, level="district", code="01")
    with pytest.raises(InvalidArgumentError, match="`level` of a pre-2025 unit"):
        records_in_old_unit(conn, level="region", code="01")


# --- on the demo data ------------------------------------------

PERIOD = {"start": date(2021, 1, 1), "end": date(2026, 11, 24)}


def test_every_demo_record_is_counted_once_as_of_either_edition(engine, demo_loaded):
    with engine.connect() as c:
        total = c.execute(sa.text("SELECT count(*) FROM case_record WHERE decision_date BETWEEN :start AND :end"),
                          PERIOD).scalar_one()
        new = indicators_as_of(c, edition="2025", level="province", **PERIOD)
        old = indicators_as_of(c, edition="pre2025", level="province", **PERIOD)
        old_communes = indicators_as_of(c, edition="pre2025", level="commune", **PERIOD)
        by_kind = case_counts(c, level="province", **PERIOD).pivot_table(index="code", columns="kind", values="cases")
        ha_noi_old = records_in_old_unit(c, level="province", code="01", filters=Filters(**PERIOD))
    assert len(new.table) == 34 and len(old.table) == 63
    assert new.table["cases"].sum() == total
    placement = old.placement.set_index("placed_by")["records"]
    assert old.table["cases"].sum() + placement.get("unplaced", 0) == total == placement.sum()
    assert placement["point"] > placement.get("estimated", 0)  # most demo records have a point
    assert new.table.set_index("code").loc["79", "KT_DHVP"] == by_kind.loc["79", "KT_DHVP"]
    assert ha_noi_old.counts["cases"].sum() == old.table.set_index("code").loc["01", "cases"]
    # Old communes have no polygons: a record is placed there only by its old code or a one-to-one commune.
    oc = old_communes.placement.set_index("placed_by")["records"]
    assert "point" not in oc and oc["old_code"] > 0
    assert old_communes.table["cases"].sum() + oc.get("unplaced", 0) == total
    assert (new.table["members"] > 0).all() and new.table["rate"].notna().all()


def test_demo_reattribution_counts_add_up(engine, demo_loaded):
    with engine.connect() as c:
        summary = reattribution_summary(c, level="province")
        pre = c.execute(sa.text("SELECT count(*), count(*) FILTER (WHERE located_by = 'estimated')"
                                " FROM case_record WHERE decision_date < DATE '2025-07-01'")).one()
    parts = summary[["by_point", "by_code", "by_old_code", "by_name", "estimated"]].sum(axis=1)
    assert (parts == summary["records"]).all()
    assert summary["records"].sum() == pre[0] and summary["estimated"].sum() == pre[1]
    # Weight-based expectations share out exactly as many records as were drawn.
    assert summary["estimated_weighted"].sum() == pytest.approx(pre[1])


def test_demo_before_after_of_a_province_matches_the_stored_codes(engine, demo_loaded):
    with engine.connect() as c:
        table = before_after(c, province_code="01", as_of=date(2026, 11, 24))
        after = c.execute(sa.text("SELECT count(*) FROM case_record WHERE province_code = '01'"
                                  " AND decision_date BETWEEN '2025-07-01' AND '2026-06-30'")).scalar_one()
        history = unit_history(c, level="commune", code="00070", start=date(2024, 7, 1), end=date(2026, 6, 30),
                               freq="quarter")
    assert table["cases_after"].sum() == after
    assert table.set_index("code").loc["00070", "predecessors"] == 14
    assert len(history.activity) == 8 and list(history.activity["era"]) == ["before"] * 4 + ["after"] * 4
    totals = history.totals.set_index("era")
    row = table.set_index("code").loc["00070"]
    assert totals.loc["before", "cases"] == row["cases_before"] and totals.loc["after", "cases"] == row["cases_after"]
    assert len(history.predecessors) == 14
