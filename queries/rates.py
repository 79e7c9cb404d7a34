"""Indicators per unit: counts, party members, rates per 1,000 members and smoothed rates.

Raw rates of small units are noisy, so every rate comes with an Empirical Bayes smoothed rate
(global, as in PySAL's ``esda.smoothing.Empirical_Bayes``): a small unit's rate is pulled
towards the overall rate in proportion to how little evidence it has.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from queries.arguments import check_period
from queries.spatial import FILTER_SQL, Filters
from queries.units import unit_code_column

VIOLATIONS = ("vi_pham_chua_ky_luat", "vi_pham_phai_ky_luat")

_INDICATORS = """
WITH units AS (
    SELECT code, name, parent_code, coalesce(population, 0) AS population
    FROM admin_unit WHERE level = :level AND valid_to IS NULL
),
members AS (
    SELECT {unit} AS code, sum(members) AS members FROM party_org
    WHERE dissolved_on IS NULL OR dissolved_on > :end GROUP BY 1
),
cases AS (
    SELECT r.{unit} AS code, count(*) AS cases,
           count(*) FILTER (WHERE r.conclusion = ANY(CAST(:violations AS text[]))) AS violations
    FROM case_record r
    WHERE r.decision_date BETWEEN :start AND :end
      AND (CAST(:kinds AS text[]) IS NULL OR r.kind = ANY(CAST(:kinds AS text[])))
      {filters}
    GROUP BY 1
)
SELECT u.code, u.name, u.parent_code, u.population, coalesce(m.members, 0) AS members,
       coalesce(c.cases, 0) AS cases, coalesce(c.violations, 0) AS violations
FROM units u LEFT JOIN members m USING (code) LEFT JOIN cases c USING (code)
ORDER BY u.code
"""


def unit_indicators(conn: Connection, *, level: str, start: date, end: date,
                    kinds: list[str] | None = None, filters: Filters | None = None) -> pd.DataFrame:
    """Return, per current unit, cases, violations, members, population and fair rates.

    Rates are per 1,000 party members (per 10,000 inhabitants where a unit has no member count).
    ``filters`` narrows the cases by sector, violation category, subject type, status or
    classification (members stay those of the whole unit).
    """
    filters = filters or Filters()
    unit = unit_code_column(level)
    check_period(start, end)
    frame = pd.read_sql(sa.text(_INDICATORS.format(unit=unit, filters=FILTER_SQL)), conn, params={
        "level": level, "start": start, "end": end, "kinds": kinds, "violations": list(VIOLATIONS),
        **filters.params()})
    return add_rates(frame)


def add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``rate`` and ``rate_smoothed`` (violations per 1,000 members) to a frame of units."""
    out = frame.copy()
    base = np.where(out["members"] > 0, out["members"] / 1000.0, out["population"] / 10_000.0)
    out["rate_base"] = np.where(out["members"] > 0, "1.000 đảng viên", "10.000 dân")
    out["rate"] = np.where(base > 0, out["violations"] / np.where(base > 0, base, 1), np.nan)
    out["rate_smoothed"] = empirical_bayes(out["violations"].to_numpy(float), base)
    return out


def empirical_bayes(events: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Return global Empirical Bayes smoothed rates (Marshall 1991), events per unit of ``base``.

    Notes
    -----
    The same estimator as ``esda.smoothing.Empirical_Bayes``, written for arrays with zero bases
    (which get NaN) so it can run on any subset of units.
    """
    ok = base > 0
    rates = np.full(len(events), np.nan)
    if not ok.any():
        return rates
    e, b = events[ok], base[ok]
    mean = e.sum() / b.sum()
    raw = e / b
    variance = max((b * (raw - mean) ** 2).sum() / b.sum() - mean / b.mean(), 0.0)
    shrink = variance / (variance + mean / b) if variance > 0 else np.zeros_like(b)
    rates[ok] = mean + shrink * (raw - mean)
    return rates
