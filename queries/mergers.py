"""Mergers: records and indicators as of the pre-2025 units, re-attribution, before and after.

History is kept on the units of its time and re-attributed on demand. What the data hold:
the 63 old provinces and the 692 districts of 2019 have polygons; the ~10,000 old communes
have codes, names and their district (as of 2025-01-04) but no polygon; the lineage goes old
commune -> new commune (with weights for the 441 split communes) and old province -> new
province.

Placing a record in a pre-2025 unit (``placed_by``), in this order:

- ``point``: the old province or district polygon that contains the record's point (exact);
- ``old_code``: the record's pre-2025 commune code, then that commune's district (and the
  district's province), or the commune itself at commune level (exact);
- ``new_code``: the record's 2025 commune, when at least 95 % of its area lies in one old
  unit (old province or district), or at commune level when it was formed from a single old
  commune (exact up to the disagreement between the two boundary sources);
- ``estimated``: the 2025 commune straddles old units: the one holding most of its area;
- ``unplaced``: none of the above (old communes have no polygon, so a point-only record in a
  2025 commune formed from several old communes cannot be put in one of them). Such records
  are counted, never dropped silently.

Re-attribution to the new units is done once at import (``etl.locate``): by point, by a 2025
code, by an old code with one successor, or, for a split old commune, by a draw with the
lineage weights (``estimated``). :func:`reattribution_summary` counts each way per new unit and
gives the weight-based expected count beside the drawn one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from boundaries.store import read_units
from etl.vocabulary import KINDS
from geo.errors import InvalidArgumentError
from queries.arguments import check_period
from queries.rates import VIOLATIONS, add_rates
from queries.spatial import FILTER_SQL, AreaResult, Filters, records_where
from queries.units import unit_code_column

REFORM = date(2025, 7, 1)
EDITIONS = ("2025", "pre2025")
OLD_LEVELS = {"province": 2, "district": 3, "commune": 5}  # level -> code width
EXACT_SHARE = 0.95  # a 2025 commune with this share of its area in one old unit is "in" it
PLACED_BY = ("point", "old_code", "new_code", "estimated", "unplaced")
FREQUENCIES = {"month": "MS", "quarter": "QS"}
_OLD = "valid_to = DATE '2025-07-01'"

_RECORDS = f"""
SELECT r.id, r.source_id, r.kind, r.conclusion, r.located_by, r.commune_code, r.province_code,
       r.old_commune_code, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat
FROM case_record r
WHERE (CAST(:provinces AS text[]) IS NULL OR r.province_code = ANY(CAST(:provinces AS text[]))) {FILTER_SQL}
"""

_COUNTS_2025 = f"""
SELECT r.{{column}} AS old_code, r.kind, r.located_by AS placed_by,
       coalesce(r.conclusion = ANY(CAST(:violations AS text[])), false) AS violation, count(*) AS n
FROM case_record r
WHERE true {FILTER_SQL}
GROUP BY 1, 2, 3, 4
"""

_UNITS_2025 = """
SELECT code, name, parent_code, population FROM admin_unit
WHERE level = :level AND valid_to IS NULL ORDER BY code
"""

_ORGS = """
SELECT o.id, o.members, o.commune_code, o.province_code, o.old_commune_code,
       ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat
FROM party_org o
WHERE (o.dissolved_on IS NULL OR o.dissolved_on > :end) AND o.members > 0
  AND (CAST(:provinces AS text[]) IS NULL OR o.province_code = ANY(CAST(:provinces AS text[])))
"""

# Share of each 2025 commune's area in each old unit it overlaps. A ratio of two areas of the
# same commune needs no ellipsoid (cos(latitude) is constant across a commune to 1e-4), and
# a commune within one old unit needs no intersection: 2.5x faster than geography areas.
_SHARES = f"""
WITH n AS (
    SELECT code, parent_code, geom, ST_Area(geom) AS area FROM admin_unit
    WHERE level = 'commune' AND valid_to IS NULL
      AND (CAST(:provinces AS text[]) IS NULL OR parent_code = ANY(CAST(:provinces AS text[])))
)
SELECT n.code AS commune_code, n.parent_code AS province_code, o.code AS old_code,
       CASE WHEN ST_Within(n.geom, o.geom) THEN 1.0
            ELSE ST_Area(ST_Intersection(n.geom, o.geom)) / nullif(n.area, 0) END AS share
FROM n JOIN admin_unit o ON o.level = :level AND o.{_OLD} AND ST_Intersects(n.geom, o.geom)
"""

_SHARES_CACHE: dict[tuple, pd.DataFrame] = {}

_OLD_COMMUNES = f"""
SELECT c.code AS old_commune_code, c.parent_code AS district, d.parent_code AS province
FROM admin_unit c LEFT JOIN admin_unit d ON d.level = 'district' AND d.{_OLD} AND d.code = c.parent_code
WHERE c.level = 'commune' AND c.{_OLD}
"""

_SINGLE_PREDECESSOR = """
SELECT new_code AS commune_code, min(old_code) AS old_code FROM unit_lineage
WHERE old_level = 'commune' AND new_level = 'commune' GROUP BY new_code HAVING count(*) = 1
"""


def _check_old(level: str, code: str | None = None) -> None:
    if level not in OLD_LEVELS:
        raise InvalidArgumentError(f"Cấp đơn vị cũ không hợp lệ: {level!r}. / `level` of a pre-2025 unit "
                                   f"must be one of {tuple(OLD_LEVELS)}, got {level!r}.")
    width = OLD_LEVELS[level]
    if code is not None and not (isinstance(code, str) and code.isdigit() and len(code) == width):
        raise InvalidArgumentError(f"Mã {level} cũ phải gồm {width} chữ số, nhận được {code!r}. "
                                   f"/ `code` of a pre-2025 {level} must be {width} digits, got {code!r}.")


def old_units(conn: Connection, *, level: str) -> gpd.GeoDataFrame:
    """Return the pre-2025 units of ``level`` (versions closed on 2025-07-01); communes have no geometry."""
    _check_old(level)
    units = read_units(conn, level=level, current=False)
    return units[units["valid_to"] == REFORM].reset_index(drop=True)


def _new_to_old(conn: Connection, *, level: str, provinces: list[str] | None) -> pd.DataFrame:
    """2025 commune -> (old unit, exact?) at ``level``; see the module docstring for the rule."""
    if level == "commune":
        single = pd.read_sql(sa.text(_SINGLE_PREDECESSOR), conn)
        return single.assign(exact=True)
    # Boundaries change only by a new load (a new load_log row): the shares, which cost seconds
    # of polygon intersections, are kept per database, load and level.
    load_id = conn.execute(sa.text("SELECT max(id) FROM load_log")).scalar()
    base = (conn.engine.url.render_as_string(hide_password=True), load_id, level)
    if base + (None,) in _SHARES_CACHE:
        table = _SHARES_CACHE[base + (None,)]
        return table if provinces is None else table[table["province_code"].isin(provinces)]
    key = base + (tuple(provinces) if provinces is not None else None,)
    if key not in _SHARES_CACHE:
        shares = pd.read_sql(sa.text(_SHARES), conn, params={"level": level, "provinces": provinces})
        best = shares.sort_values(["commune_code", "share"], ascending=[True, False])
        best = best.drop_duplicates("commune_code")
        best = best.assign(exact=best["share"] >= EXACT_SHARE)
        if len(_SHARES_CACHE) >= 32:
            _SHARES_CACHE.clear()
        columns = ["commune_code", "province_code", "old_code", "exact"]
        _SHARES_CACHE[key] = best[columns].reset_index(drop=True)
    return _SHARES_CACHE[key]


def place_records(frame: pd.DataFrame, *, level: str, units: gpd.GeoDataFrame, old_commune_unit: pd.Series,
                  new_to_old: pd.DataFrame) -> pd.DataFrame:
    """Add ``old_code`` and ``placed_by`` to records (or party organisations) for pre-2025 ``level``.

    Parameters
    ----------
    frame
        Rows with ``lon``, ``lat`` (NaN without a point), ``old_commune_code``, ``commune_code``.
    units
        The old units of ``level`` (``code``, ``geometry``; communes have none).
    old_commune_unit
        Old commune code -> its old unit at ``level``.
    new_to_old
        ``commune_code`` (2025) -> ``old_code`` with ``exact``.
    """
    out = frame.copy()
    out["old_code"] = pd.Series(pd.NA, index=out.index, dtype=object)
    out["placed_by"] = "unplaced"
    todo = np.ones(len(out), dtype=bool)
    geoms = units.geometry.to_numpy() if level != "commune" else np.array([], dtype=object)
    has_point = out["lon"].notna().to_numpy()
    if len(geoms) and has_point.any():
        # Polygons query a tree of points with "contains" (the predicate of ST_Contains), so GEOS
        # prepares each polygon once: 6x faster than points querying polygons with "within".
        rows = np.flatnonzero(has_point)
        points = shapely.points(out["lon"].to_numpy()[rows], out["lat"].to_numpy()[rows])
        hit_unit, hit_point = shapely.STRtree(points).query(geoms, predicate="contains")
        order = np.lexsort((hit_unit, hit_point))  # old polygons may overlap: keep the first unit per point
        hit_point, hit_unit = hit_point[order], hit_unit[order]
        hit_point, first = np.unique(hit_point, return_index=True)
        at = rows[hit_point]
        out.iloc[at, out.columns.get_loc("old_code")] = units["code"].to_numpy()[hit_unit[first]]
        out.iloc[at, out.columns.get_loc("placed_by")] = "point"
        todo[at] = False
    by_old = out["old_commune_code"].map(old_commune_unit)
    step = todo & by_old.notna().to_numpy()
    out.loc[step, "old_code"] = by_old[step]
    out.loc[step, "placed_by"] = "old_code"
    todo &= ~step
    lookup = new_to_old.set_index("commune_code")
    by_new = out["commune_code"].map(lookup["old_code"])
    exact = out["commune_code"].map(lookup["exact"]).eq(True)
    step = todo & by_new.notna().to_numpy()
    out.loc[step, "old_code"] = by_new[step]
    out.loc[step, "placed_by"] = np.where(exact[step], "new_code", "estimated")
    return out


@dataclass(frozen=True)
class _Context:
    level: str
    units: gpd.GeoDataFrame
    old_commune_unit: pd.Series
    new_to_old: pd.DataFrame


def _context(conn: Connection, *, level: str, provinces: list[str] | None = None) -> _Context:
    units = old_units(conn, level=level)
    communes = pd.read_sql(sa.text(_OLD_COMMUNES), conn)
    communes["commune"] = communes["old_commune_code"]
    mapping = communes.set_index("old_commune_code")[level].dropna()
    if level == "district":  # a district created after 2019 has no polygon row: fall back to the 2025 commune
        mapping = mapping[mapping.isin(set(units["code"]))]
    return _Context(level, units, mapping, _new_to_old(conn, level=level, provinces=provinces))


def _placed(conn: Connection, ctx: _Context, *, filters: Filters,
            provinces: list[str] | None) -> pd.DataFrame:
    frame = pd.read_sql(sa.text(_RECORDS), conn, params={"provinces": provinces, **filters.params()})
    return place_records(frame, level=ctx.level, units=ctx.units, old_commune_unit=ctx.old_commune_unit,
                         new_to_old=ctx.new_to_old)


def _candidate_provinces(conn: Connection, *, level: str, code: str) -> list[str]:
    """2025 provinces that can hold records of an old unit: successors by lineage and by overlap."""
    province = code if level == "province" else None
    if level == "district":
        province = conn.execute(sa.text(f"SELECT parent_code FROM admin_unit WHERE level = 'district'"
                                        f" AND {_OLD} AND code = :c"), {"c": code}).scalar()
    found: set[str] = set()
    if level == "commune":
        found |= set(conn.execute(sa.text(
            "SELECT DISTINCT n.parent_code FROM unit_lineage l JOIN admin_unit n ON n.level = 'commune'"
            " AND n.valid_to IS NULL AND n.code = l.new_code"
            " WHERE l.old_level = 'commune' AND l.old_code = :c"),
            {"c": code}).scalars())
    else:
        found |= set(conn.execute(sa.text(
            f"SELECT DISTINCT n.code FROM admin_unit o JOIN admin_unit n ON n.level = 'province'"
            f" AND n.valid_to IS NULL AND ST_Intersects(n.geom, o.geom)"
            f" WHERE o.level = :level AND o.{_OLD} AND o.code = :c"),
            {"level": level, "c": code}).scalars())
    if province:
        found |= set(conn.execute(sa.text(
            "SELECT new_code FROM unit_lineage WHERE old_level = 'province' AND old_code = :p"),
            {"p": province}).scalars())
    return sorted(found)


def records_in_old_unit(conn: Connection, *, level: str, code: str,
                        filters: Filters = Filters()) -> AreaResult:  # noqa: B008 (frozen, as in spatial)
    """Return the records of a pre-2025 province (63), district (2019) or commune, with counts by kind.

    Records are placed as the module docstring says (point, old code, 2025 commune); the
    records frame gains a ``placed_by`` column so estimated rows can be shown as such.
    Unknown codes give an empty result, as for :func:`queries.spatial.records_in_unit`.
    """
    _check_old(level, code)
    provinces = _candidate_provinces(conn, level=level, code=code)
    ctx = _context(conn, level=level, provinces=provinces)
    placed = _placed(conn, ctx, filters=filters, provinces=provinces)
    mine = placed[placed["old_code"] == code]
    ids = mine["id"].astype(int).tolist()
    result = records_where(conn, "r.id = ANY(CAST(:ids AS bigint[]))", {"ids": ids}, filters)
    how = mine.set_index("source_id")["placed_by"]
    records = result.records.assign(placed_by=result.records["source_id"].map(how).to_numpy())
    return replace(result, records=records)


@dataclass(frozen=True)
class AsOfIndicators:
    """An indicator table per unit of one edition, and how its records were placed."""

    table: pd.DataFrame  # code, name, parent_code, members, cases, violations, <kinds>, exact, estimated…
    placement: pd.DataFrame  # placed_by, records (all records of the period, unplaced included)


def indicators_as_of(conn: Connection, *, edition: str, level: str, start: date, end: date,
                     kinds: list[str] | None = None) -> AsOfIndicators:
    """Return counts by kind, violations, members and rates per unit, as of the 2025 or pre-2025 units.

    Parameters
    ----------
    edition
        ``"2025"`` (34 provinces, 3,321 communes: the codes stored at import) or ``"pre2025"``
        (63 provinces, 692 districts of 2019, ~10,000 communes: placed as the module says).
    level
        ``"province"`` or ``"commune"`` (and ``"district"`` for ``pre2025``).

    Notes
    -----
    ``estimated`` counts the unit's records whose placement is an estimate (a split old
    commune drawn by weight for 2025; a 2025 commune straddling old units for pre-2025);
    ``exact`` the others. Members come from party organisations placed the same way, so an
    old commune whose organisations cannot be placed has no members and no rate.
    """
    if edition not in EDITIONS:
        raise InvalidArgumentError(f"Phiên bản đơn vị không hợp lệ: {edition!r}. / `edition` must be one of "
                                   f"{EDITIONS}, got {edition!r}.")
    check_period(start, end)
    filters = Filters(start=start, end=end, kinds=tuple(kinds or ()))
    if edition == "2025":
        column = unit_code_column(level)  # from the allow-list: safe in SQL
        records = pd.read_sql(sa.text(_COUNTS_2025.format(column=column)), conn,
                              params={"violations": list(VIOLATIONS), **filters.params()})
        orgs = pd.read_sql(sa.text(_ORGS), conn, params={"end": end, "provinces": None})
        orgs["old_code"] = orgs[column]
        units = pd.read_sql(sa.text(_UNITS_2025), conn, params={"level": level})
    else:
        ctx = _context(conn, level=level)
        records = _placed(conn, ctx, filters=filters, provinces=None)
        records = records.assign(violation=records["conclusion"].isin(VIOLATIONS), n=1)
        orgs = pd.read_sql(sa.text(_ORGS), conn, params={"end": end, "provinces": None})
        orgs = place_records(orgs, level=level, units=ctx.units, old_commune_unit=ctx.old_commune_unit,
                             new_to_old=ctx.new_to_old)
        units = ctx.units
    table = _indicator_table(units, records, orgs)
    placement = records.groupby("placed_by")["n"].sum().sort_values(ascending=False)
    return AsOfIndicators(table=table, placement=placement.rename("records").reset_index())


def _indicator_table(units: pd.DataFrame, records: pd.DataFrame, orgs: pd.DataFrame) -> pd.DataFrame:
    """Per unit from rows of (old_code, kind, placed_by, violation, n): one row per record or per group."""
    placed = records[records["old_code"].notna()]
    by_kind = placed.pivot_table(index="old_code", columns="kind", values="n", aggfunc="sum")
    by_kind = by_kind.reindex(columns=list(KINDS))
    counts = pd.DataFrame({
        "cases": placed.groupby("old_code")["n"].sum(),
        "violations": placed["n"].where(placed["violation"], 0).groupby(placed["old_code"]).sum(),
        "estimated": placed["n"].where(placed["placed_by"] == "estimated", 0)
                                .groupby(placed["old_code"]).sum(),
    })
    members = orgs[orgs["old_code"].notna()].groupby("old_code")["members"].sum().rename("members")
    table = units[["code", "name", "parent_code", "population"]].set_index("code")
    table = table.join(members).join(counts).join(by_kind)
    numbers = ["members", "cases", "violations", "estimated", *KINDS]
    table[numbers] = table[numbers].fillna(0).astype(int)
    table["exact"] = table["cases"] - table["estimated"]
    table["population"] = table["population"].astype(float)
    out = add_rates(table.reset_index())
    out["rate_base"] = out["rate_base"].where(out["rate"].notna())  # no members and no population: no base
    return out


def reattribution_summary(conn: Connection, *, level: str = "commune", province_code: str | None = None,
                          start: date | None = None, before: date = REFORM) -> pd.DataFrame:
    """Per 2025 unit: how its records decided in [``start``, ``before``) were attributed to it at import.

    Columns: ``code``, ``name``, ``records``, ``by_point`` (point or snapped point), ``by_code``
    (a 2025 code in the file), ``by_old_code`` (an old code with one successor), ``by_name``,
    ``estimated`` (a split old commune, one successor drawn by weight), ``estimated_weighted``
    (the expected number of those records from the lineage weights, as areal interpolation
    would share them out), ``estimated_share`` (estimated / records).
    """
    column = unit_code_column(level)
    unit_of_new = "w.new_code" if level == "commune" else "n.parent_code"
    # Estimated records are aggregated per old code before meeting the lineage (at most 441 split
    # old communes), so the plan stays small even on a fresh database without statistics.
    sql = f"""
    WITH pre AS MATERIALIZED (
        SELECT {column} AS code, located_by, old_commune_code FROM case_record
        WHERE decision_date < :before AND (CAST(:start AS date) IS NULL OR decision_date >= :start)
          AND (CAST(:province AS text) IS NULL OR province_code = :province)
    ), drawn AS (
        SELECT code, count(*) AS records,
               count(*) FILTER (WHERE located_by IN ('point', 'snapped')) AS by_point,
               count(*) FILTER (WHERE located_by = 'code') AS by_code,
               count(*) FILTER (WHERE located_by = 'old_code') AS by_old_code,
               count(*) FILTER (WHERE located_by = 'name') AS by_name,
               count(*) FILTER (WHERE located_by = 'estimated') AS estimated
        FROM pre GROUP BY code
    ), split AS (
        SELECT old_commune_code, count(*) AS n FROM pre WHERE located_by = 'estimated' GROUP BY 1
    ), shared AS (
        SELECT l.new_code, sum(l.weight * s.n) AS estimated_weighted
        FROM split s JOIN unit_lineage l ON l.old_level = 'commune' AND l.old_code = s.old_commune_code
        GROUP BY 1
    ), weighted AS (
        SELECT {unit_of_new} AS code, sum(w.estimated_weighted) AS estimated_weighted
        FROM shared w JOIN admin_unit n ON n.level = 'commune' AND n.valid_to IS NULL AND n.code = w.new_code
        GROUP BY 1
    )
    SELECT u.code, u.name, coalesce(d.records, 0) AS records, coalesce(d.by_point, 0) AS by_point,
           coalesce(d.by_code, 0) AS by_code, coalesce(d.by_old_code, 0) AS by_old_code,
           coalesce(d.by_name, 0) AS by_name, coalesce(d.estimated, 0) AS estimated,
           coalesce(w.estimated_weighted, 0) AS estimated_weighted
    FROM admin_unit u LEFT JOIN drawn d USING (code) LEFT JOIN weighted w USING (code)
    WHERE u.level = :level AND u.valid_to IS NULL
      AND (CAST(:province AS text) IS NULL OR u.code = :province OR u.parent_code = :province)
    ORDER BY u.code
    """
    params = {"before": before, "start": start, "province": province_code, "level": level}
    frame = pd.read_sql(sa.text(sql), conn, params=params)
    frame["estimated_share"] = frame["estimated"] / frame["records"].where(frame["records"] > 0)
    return frame


def predecessors(conn: Connection, *, level: str, code: str) -> pd.DataFrame:
    """Return the old units that formed a 2025 province or commune, with lineage kind and weight.

    ``weight`` is the share of the old unit that went to this new unit (1 when it went whole).
    Columns: ``old_level``, ``old_code``, ``old_name``, ``old_parent_code``, ``kind``,
    ``weight``, ``weight_method``.
    """
    unit_code_column(level)
    sql = f"""
    SELECT l.old_level, l.old_code, o.name AS old_name, o.parent_code AS old_parent_code, l.kind,
           l.weight, l.weight_method
    FROM unit_lineage l
    LEFT JOIN admin_unit o ON o.level = l.old_level AND o.code = l.old_code AND o.{_OLD}
    WHERE l.new_level = :level AND l.new_code = :code
    ORDER BY l.old_level, l.old_code
    """
    return pd.read_sql(sa.text(sql), conn, params={"level": level, "code": code})


def _period_starts(start: date, end: date, freq: str) -> pd.DatetimeIndex:
    first = pd.Timestamp(start).to_period("M" if freq == "month" else "Q").start_time
    return pd.date_range(first, pd.Timestamp(end), freq=FREQUENCIES[freq])


@dataclass(frozen=True)
class UnitHistory:
    """One 2025 unit before and after 1 July 2025."""

    predecessors: pd.DataFrame  # see predecessors()
    activity: pd.DataFrame  # period, era, cases, estimated
    totals: pd.DataFrame  # era, periods, cases, per_period, estimated


def unit_history(conn: Connection, *, level: str, code: str, start: date, end: date, freq: str = "month",
                 kinds: list[str] | None = None) -> UnitHistory:
    """Return a 2025 unit's predecessors and its cases per month (or quarter) before and after the reform.

    Cases are those attributed to the unit at import (pre-2025 records re-attributed by point,
    old code or lineage weight; ``estimated`` counts the weight-drawn ones). Periods without
    cases are listed with zero. A period is ``before`` when it starts before 2025-07-01.
    """
    column = unit_code_column(level)
    if freq not in FREQUENCIES:
        raise InvalidArgumentError(f"Chu kỳ không hợp lệ: {freq!r}. / `freq` must be one of "
                                   f"{tuple(FREQUENCIES)}, got {freq!r}.")
    check_period(start, end)
    trunc = {"month": "month", "quarter": "quarter"}[freq]
    sql = f"""
    SELECT CAST(date_trunc('{trunc}', decision_date) AS date) AS period, count(*) AS cases,
           count(*) FILTER (WHERE located_by = 'estimated') AS estimated
    FROM case_record
    WHERE {column} = :code AND decision_date BETWEEN :start AND :end
      AND (CAST(:kinds AS text[]) IS NULL OR kind = ANY(CAST(:kinds AS text[])))
    GROUP BY 1
    """
    params = {"code": code, "start": start, "end": end, "kinds": kinds}
    counts = pd.read_sql(sa.text(sql), conn, params=params)
    counts["period"] = pd.to_datetime(counts["period"])
    periods = _period_starts(start, end, freq)
    activity = counts.set_index("period").reindex(periods, fill_value=0).rename_axis("period").reset_index()
    activity["era"] = np.where(activity["period"] < pd.Timestamp(REFORM), "before", "after")
    activity = activity[["period", "era", "cases", "estimated"]]
    totals = activity.groupby("era", sort=False).agg(periods=("cases", "size"), cases=("cases", "sum"),
                                                     estimated=("estimated", "sum")).reset_index()
    totals["per_period"] = totals["cases"] / totals["periods"]
    return UnitHistory(predecessors=predecessors(conn, level=level, code=code), activity=activity,
                       totals=totals[["era", "periods", "cases", "per_period", "estimated"]])


def before_after(conn: Connection, *, province_code: str, as_of: date,
                 kinds: list[str] | None = None) -> pd.DataFrame:
    """Per 2025 commune of a province: its predecessors and cases in comparable windows around the reform.

    ``after`` = [2025-07-01, ``as_of``] (at most one year); ``before`` = the same calendar days
    one year earlier. Equal windows on the same days of the year keep the seasonal pattern
    (a third of the year's activity in the first half) out of the comparison.

    Columns: ``code``, ``name``, ``predecessors`` (number of old communes), ``predecessor_codes``
    (comma-separated), ``split_predecessors`` (old communes shared with other new ones),
    ``cases_before``, ``cases_after``, ``estimated_before``, ``change`` (after / before − 1, NaN
    when there was nothing before), ``window_before``, ``window_after`` (as text).
    """
    if as_of <= REFORM:
        raise InvalidArgumentError(f"Ngày xem phải sau 01/07/2025, nhận được {as_of}. "
                                   f"/ `as_of` must be after 2025-07-01, got {as_of}.")
    after_end = min(as_of, REFORM.replace(year=REFORM.year + 1) - timedelta(days=1))
    before_start = REFORM.replace(year=REFORM.year - 1)
    before_end = after_end.replace(year=after_end.year - 1)
    sql = """
    WITH lineage AS (
        SELECT l.new_code AS code, count(*) AS predecessors,
               string_agg(l.old_code, ',' ORDER BY l.old_code) AS predecessor_codes,
               count(*) FILTER (WHERE l.kind = 'part') AS split_predecessors
        FROM unit_lineage l WHERE l.new_level = 'commune' GROUP BY 1
    ), cases AS (
        SELECT commune_code AS code,
               count(*) FILTER (WHERE decision_date BETWEEN :b0 AND :b1) AS cases_before,
               count(*) FILTER (WHERE decision_date BETWEEN :a0 AND :a1) AS cases_after,
               count(*) FILTER (WHERE decision_date BETWEEN :b0 AND :b1 AND located_by = 'estimated')
                   AS estimated_before
        FROM case_record
        WHERE province_code = :province AND decision_date BETWEEN :b0 AND :a1
          AND (CAST(:kinds AS text[]) IS NULL OR kind = ANY(CAST(:kinds AS text[])))
        GROUP BY 1
    )
    SELECT u.code, u.name, coalesce(l.predecessors, 0) AS predecessors, l.predecessor_codes,
           coalesce(l.split_predecessors, 0) AS split_predecessors,
           coalesce(c.cases_before, 0) AS cases_before, coalesce(c.cases_after, 0) AS cases_after,
           coalesce(c.estimated_before, 0) AS estimated_before
    FROM admin_unit u LEFT JOIN lineage l USING (code) LEFT JOIN cases c USING (code)
    WHERE u.level = 'commune' AND u.valid_to IS NULL AND u.parent_code = :province
    ORDER BY u.code
    """
    params = {"province": province_code, "kinds": kinds, "b0": before_start, "b1": before_end,
              "a0": REFORM, "a1": after_end}
    frame = pd.read_sql(sa.text(sql), conn, params=params)
    frame["change"] = frame["cases_after"] / frame["cases_before"].where(frame["cases_before"] > 0) - 1
    frame["window_before"] = f"{before_start:%d/%m/%Y} – {before_end:%d/%m/%Y}"
    frame["window_after"] = f"{REFORM:%d/%m/%Y} – {after_end:%d/%m/%Y}"
    return frame
