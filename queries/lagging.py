"""Lagging units: targets against actuals, with a test so small units are not flagged by noise.

Expected progress at a date = planned × the share of a year's activity usually done by that
day of the year (from the data's own previous full years; pro rata when there are none). A
unit lags when its actual count is improbably low for a Poisson count with that expectation
(one-sided test): a commune one inspection short is noise, one at a third of its plan is not.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa
from scipy import stats
from sqlalchemy.engine import Connection

from geo.errors import InvalidArgumentError
from queries.arguments import check_unit_code
from queries.hotspots import fdr_adjust
from queries.units import unit_code_column

LAGGING_Q = 0.05  # false discovery rate among the units flagged "lagging"
WATCH_P = 0.05

_SHARE = """
SELECT count(*) FILTER (WHERE extract(doy FROM decision_date) <= :doy) AS done, count(*) AS total
FROM case_record
WHERE decision_date >= make_date(:first_year, 1, 1) AND decision_date < make_date(:year, 1, 1)
"""

_DETAIL = """
WITH t AS (
    SELECT kind, subject_type, coalesce(sector, '') AS sector, sum(planned) AS planned
    FROM target WHERE year = :year AND unit_level = 'commune' AND {unit} = :code
    GROUP BY 1, 2, 3
), a AS (
    SELECT kind, subject_type, coalesce(sector, '') AS sector, count(*) AS actual
    FROM case_record
    WHERE decision_date BETWEEN make_date(:year, 1, 1) AND :as_of AND {unit} = :code
    GROUP BY 1, 2, 3
)
SELECT t.kind, t.subject_type, nullif(t.sector, '') AS sector, t.planned,
       coalesce((SELECT sum(a.actual) FROM a WHERE a.kind = t.kind AND a.subject_type = t.subject_type
                 AND (t.sector = '' OR a.sector = t.sector)), 0) AS actual
FROM t
ORDER BY t.kind, t.subject_type, t.sector
"""

_TARGETS = """
SELECT t.{unit} AS code, t.kind, t.subject_type, sum(t.planned) AS planned
FROM target t
WHERE t.year = :year AND t.unit_level = 'commune'
GROUP BY 1, 2, 3
"""

_ACTUALS = """
SELECT {unit} AS code, kind, subject_type, count(*) AS actual
FROM case_record
WHERE decision_date BETWEEN make_date(:year, 1, 1) AND :as_of
GROUP BY 1, 2, 3
"""


def seasonal_share(conn: Connection, *, as_of: date, years_back: int = 3) -> float:
    """Return the share of a year's activity usually done by ``as_of``'s day of the year."""
    doy = as_of.timetuple().tm_yday
    done, total = conn.execute(sa.text(_SHARE), {"doy": doy, "year": as_of.year,
                                                 "first_year": as_of.year - years_back}).one()
    if not total:
        return doy / 365.0
    return float(done) / float(total)


def lagging_status(actual: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (one-sided Poisson p-value of a count this low, FDR-adjusted p-value, status).

    Status: ``lagging`` when the Benjamini-Hochberg adjusted p-value is under 0.05 (so among the
    units flagged, about one in twenty is expected to be a false alarm, however many units are
    tested), ``watch`` when the unadjusted one is under 0.05, else ``on_track``; units at or above
    their expectation are always on track.
    """
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    p = np.where(expected > 0, stats.poisson.cdf(actual, np.maximum(expected, 1e-12)), 1.0)
    adjusted = fdr_adjust(p)
    below = actual < expected
    status = np.where(below & (adjusted < LAGGING_Q), "lagging",
                      np.where(below & (p < WATCH_P), "watch", "on_track"))
    return p, adjusted, status


def rank_lagging_units(conn: Connection, *, year: int, as_of: date, level: str = "commune",
                       share: float | None = None) -> pd.DataFrame:
    """Return units with planned, expected and actual counts, p-value and status, worst first.

    Parameters
    ----------
    year
        The programme year whose targets are checked.
    as_of
        The date progress is measured at (in ``year``).
    level
        ``"commune"`` or ``"province"`` (commune targets summed by province).
    share
        Expected share of the year done by ``as_of``; default from the data's seasonality.
    """
    unit = unit_code_column(level)
    if as_of.year != year:
        raise InvalidArgumentError(f"`as_of` must fall in `year` {year}, got {as_of}.")
    share = seasonal_share(conn, as_of=as_of) if share is None else float(share)
    targets = pd.read_sql(sa.text(_TARGETS.format(unit=unit)), conn, params={"year": year})
    actuals = pd.read_sql(sa.text(_ACTUALS.format(unit=unit)), conn, params={"year": year, "as_of": as_of})
    detail = targets.merge(actuals, on=["code", "kind", "subject_type"], how="left").fillna({"actual": 0})
    per_unit = detail.groupby("code", as_index=False)[["planned", "actual"]].sum()
    per_unit["expected"] = per_unit["planned"] * share
    per_unit["p_value"], per_unit["p_adjusted"], per_unit["status"] = lagging_status(
        per_unit["actual"], per_unit["expected"])
    per_unit["ratio"] = np.where(per_unit["expected"] > 0, per_unit["actual"] / per_unit["expected"], np.nan)
    per_unit["share"] = share
    return per_unit.sort_values(["p_value", "ratio"]).reset_index(drop=True)


def lagging_detail(conn: Connection, *, year: int, as_of: date, level: str, code: str,
                   share: float | None = None) -> pd.DataFrame:
    """Return one unit's targets line by line (kind, subject type, sector) against what was done.

    A target with no sector counts every case of its kind and subject type; one with a sector
    only that sector's. Each line gets its expectation and the same test as the whole unit.
    """
    unit = check_unit_code(level, code)
    share = seasonal_share(conn, as_of=as_of) if share is None else float(share)
    detail = pd.read_sql(sa.text(_DETAIL.format(unit=unit)), conn,
                         params={"year": year, "as_of": as_of, "code": code})
    detail["expected"] = detail["planned"] * share
    detail["p_value"], _, detail["status"] = lagging_status(detail["actual"], detail["expected"])
    return detail


def funnel_limits(expected: np.ndarray, *, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the (lower, upper) limits of actual/expected that a Poisson count stays within
    with probability ``coverage`` (0.95 and 0.998 are the usual funnel-plot lines).

    For an expectation E the limits of O/E are the Poisson quantiles of E divided by E
    (Spiegelhalter 2005, "Funnel plots for comparing institutional performance"); they narrow as
    E grows, so a small unit needs a larger shortfall to fall outside.
    """
    expected = np.maximum(np.asarray(expected, dtype=float), 1e-9)
    tail = (1 - coverage) / 2
    return stats.poisson.ppf(tail, expected) / expected, stats.poisson.ppf(1 - tail, expected) / expected


FUNNEL_LINES = {"95": 0.95, "99.8": 0.998}


def funnel_curves(expected_max: float, *, points: int = 120) -> pd.DataFrame:
    """Return the funnel plot's lines: ``expected`` from 0.5 to past ``expected_max`` and, per
    coverage in :data:`FUNNEL_LINES`, ``lower_<name>`` and ``upper_<name>``."""
    expected = np.geomspace(0.5, max(expected_max, 1.0) * 1.1, points)
    rows = {"expected": expected}
    for name, coverage in FUNNEL_LINES.items():
        rows[f"lower_{name}"], rows[f"upper_{name}"] = funnel_limits(expected, coverage=coverage)
    return pd.DataFrame(rows)
