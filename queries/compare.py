"""Provinces or regional departments side by side: counts, fair rates, change, backlog, trend.

Rates are smoothed over *all* units of the level, not only the chosen ones, so the same province
shows the same smoothed rate whatever it is compared with. A department's figures are the sums of
its provinces (from the editable regional-departments table).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from boundaries.departments import province_departments, read_departments
from geo.errors import InvalidArgumentError
from queries.arguments import check_period
from queries.counts import add_change, year_on_year
from queries.rates import VIOLATIONS, add_rates, unit_indicators

LEVELS = ("province", "department")
FREQUENCIES = {"month": "month", "quarter": "quarter", "year": "year"}

_BACKLOG = """
SELECT u.code,
       (SELECT count(*) FROM case_record c
        WHERE c.province_code = u.code AND c.status <> 'dong' AND c.actual_end IS NULL) AS open_cases,
       (SELECT count(*) FROM petition p
        WHERE p.province_code = u.code AND p.eligible AND p.resolved_date IS NULL AND p.due_date < :as_of)
           AS overdue_petitions
FROM admin_unit u
WHERE u.level = 'province' AND u.valid_to IS NULL
"""

_TREND = """
SELECT province_code AS code, date_trunc(:freq, decision_date)::date AS period, count(*) AS cases,
       count(*) FILTER (WHERE conclusion = ANY(CAST(:violations AS text[]))) AS violations
FROM case_record
WHERE decision_date BETWEEN :start AND :end AND province_code IS NOT NULL
  AND (CAST(:kinds AS text[]) IS NULL OR kind = ANY(CAST(:kinds AS text[])))
GROUP BY 1, 2
"""


def departments(conn: Connection) -> pd.DataFrame:
    """Return the regional departments with their names and province codes (a list per department)."""
    table = read_departments(conn)
    grouped = table.groupby(["department_code", "department_name"], sort=False)["province_code"]
    out = grouped.apply(lambda s: sorted(s.dropna())).reset_index().rename(
        columns={"department_code": "code", "department_name": "name", "province_code": "provinces"})
    return out.sort_values("code", key=lambda codes: codes.map(_roman_order)).reset_index(drop=True)


def _roman_order(code: str) -> tuple[int, str]:
    """Vụ Địa bàn I … IX in numeral order (other codes after them, alphabetically)."""
    values = {"I": 1, "V": 5, "X": 10}
    if code and set(code) <= set(values):
        total = sum(-values[a] if values[a] < values[b] else values[a] for a, b in zip(code, code[1:]))
        return total + values[code[-1]], ""
    return 1000, code


def _department_of(conn: Connection, frame: pd.DataFrame) -> pd.Series:
    mapping = province_departments(conn)
    return frame["code"].map(mapping)


def _check(level: str, codes: list[str]) -> None:
    if level not in LEVELS:
        raise InvalidArgumentError(f"`level` must be one of {', '.join(LEVELS)}, got {level!r}.")
    if not codes:
        raise InvalidArgumentError("Chọn ít nhất một đơn vị để so sánh. / Choose at least one unit to compare.")


def compare_units(conn: Connection, *, level: str, codes: list[str], start: date, end: date,
                  kinds: list[str] | None = None) -> pd.DataFrame:
    """Return one row per chosen province or department, in the order given.

    Columns: ``code, name, members, population, cases, violations, rate, rate_smoothed, rate_base,
    previous, change, change_pct, significant, open_cases, overdue_petitions, provinces``.
    Unknown codes are refused with their list.
    """
    _check(level, codes)
    provinces = unit_indicators(conn, level="province", start=start, end=end, kinds=kinds)
    change = year_on_year(conn, level="province", start=start, end=end, kinds=kinds)[["code", "previous"]]
    backlog = pd.read_sql(sa.text(_BACKLOG), conn, params={"as_of": end})
    frame = provinces.merge(change, on="code", how="left").merge(backlog, on="code", how="left")
    frame["previous"] = frame["previous"].fillna(0).astype(int)
    frame["provinces"] = 1
    if level == "department":
        frame["department"] = _department_of(conn, frame)
        names = pd.read_sql(sa.text("SELECT code, name FROM regional_department"), conn).set_index("code")["name"]
        sums = ["members", "population", "cases", "violations", "previous", "open_cases", "overdue_petitions",
                "provinces"]
        frame = frame.dropna(subset=["department"]).groupby("department", as_index=False)[sums].sum()
        frame = frame.rename(columns={"department": "code"})
        frame["name"] = frame["code"].map(names)
        frame = add_rates(frame)
    frame = add_change(frame)
    unknown = [c for c in codes if c not in set(frame["code"])]
    if unknown:
        raise InvalidArgumentError(f"Không có đơn vị / unknown {level} code(s): {', '.join(map(str, unknown))}.")
    columns = ["code", "name", "members", "population", "cases", "violations", "rate", "rate_smoothed", "rate_base",
               "previous", "change", "change_pct", "significant", "open_cases", "overdue_petitions", "provinces"]
    return frame.set_index("code").loc[codes].reset_index()[columns]


def unit_trend(conn: Connection, *, level: str, codes: list[str], start: date, end: date, freq: str = "quarter",
               kinds: list[str] | None = None) -> pd.DataFrame:
    """Return cases and violations per period (month, quarter or year) for each chosen unit, long format."""
    _check(level, codes)
    if freq not in FREQUENCIES:
        raise InvalidArgumentError(f"`freq` must be one of {', '.join(FREQUENCIES)}, got {freq!r}.")
    check_period(start, end)
    frame = pd.read_sql(sa.text(_TREND), conn, params={"freq": FREQUENCIES[freq], "start": start, "end": end,
                                                         "kinds": kinds, "violations": list(VIOLATIONS)})
    if level == "department":
        frame["code"] = _department_of(conn, frame)
        frame = frame.dropna(subset=["code"]).groupby(["code", "period"], as_index=False)[["cases", "violations"]].sum()
    frame = frame[frame["code"].isin(codes)]
    return frame.sort_values(["code", "period"]).reset_index(drop=True)[["code", "period", "cases", "violations"]]
