"""Counts of records by unit, period and kind, from the codes stored at import (no geometry)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa
from scipy import stats
from sqlalchemy.engine import Connection

from queries.arguments import check_period
from queries.hotspots import fdr_adjust
from queries.units import unit_code_column

CHANGE_Q = 0.05  # false discovery rate among units whose change is called significant


def case_counts(conn: Connection, *, level: str, start: date, end: date, kinds: list[str] | None = None,
                province_code: str | None = None) -> pd.DataFrame:
    """Return cases per unit (``code``) and ``kind`` decided in ``[start, end]``.

    Parameters
    ----------
    level
        ``"province"`` or ``"commune"`` (2025 units).
    kinds
        Activity kinds to keep (all when None).
    province_code
        Only this province's records.
    """
    column = unit_code_column(level)
    check_period(start, end)
    query = sa.text(f"""
        SELECT {column} AS code, kind, count(*) AS cases
        FROM case_record
        WHERE decision_date BETWEEN :start AND :end
          AND (CAST(:kinds AS text[]) IS NULL OR kind = ANY(CAST(:kinds AS text[])))
          AND (CAST(:province AS text) IS NULL OR province_code = :province)
        GROUP BY 1, 2
        ORDER BY 1, 2
    """)
    return pd.read_sql(query, conn, params={"start": start, "end": end, "kinds": kinds, "province": province_code})


def headline_counts(conn: Connection, *, start: date, end: date) -> pd.DataFrame:
    """Return national counts per kind for ``[start, end]`` and for the same dates a year before.

    Activity is seasonal (a third in the first half), so a period is compared with the same
    period of the previous year, not with the span just before it.
    """
    check_period(start, end)
    query = sa.text("""
        SELECT kind,
               count(*) FILTER (WHERE decision_date BETWEEN :start AND :end) AS cases,
               count(*) FILTER (WHERE decision_date BETWEEN :prev_start AND :prev_end) AS previous
        FROM case_record
        WHERE decision_date BETWEEN :prev_start AND :end
        GROUP BY kind
        ORDER BY kind
    """)
    return pd.read_sql(query, conn, params={"start": start, "end": end, "prev_start": year_before(start),
                                            "prev_end": year_before(end)})


def year_on_year(conn: Connection, *, level: str, start: date, end: date, kinds: list[str] | None = None,
                 province_code: str | None = None) -> pd.DataFrame:
    """Return per unit the cases of ``[start, end]``, of the same dates a year before, and the change.

    A commune going from 1 case to 3 is "+200 %" and means nothing, so each change carries the
    exact conditional test for two Poisson counts (given ``cases + previous`` events, ``cases`` is
    binomial with p = ½ when the rate did not change), Benjamini-Hochberg adjusted across units:
    ``significant`` is True only when the change is unlikely to be noise. ``change_pct`` is NaN
    when the previous count is 0.
    """
    column = unit_code_column(level)
    check_period(start, end)
    query = sa.text(f"""
        SELECT {column} AS code,
               count(*) FILTER (WHERE decision_date BETWEEN :start AND :end) AS cases,
               count(*) FILTER (WHERE decision_date BETWEEN :prev_start AND :prev_end) AS previous
        FROM case_record
        WHERE (decision_date BETWEEN :prev_start AND :prev_end OR decision_date BETWEEN :start AND :end)
          AND {column} IS NOT NULL
          AND (CAST(:kinds AS text[]) IS NULL OR kind = ANY(CAST(:kinds AS text[])))
          AND (CAST(:province AS text) IS NULL OR province_code = :province)
        GROUP BY 1
        ORDER BY 1
    """)
    frame = pd.read_sql(query, conn, params={
        "start": start, "end": end, "prev_start": year_before(start), "prev_end": year_before(end),
        "kinds": kinds, "province": province_code})
    return add_change(frame)


def add_change(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``change``, ``change_pct``, ``p_value``, ``p_adjusted`` and ``significant`` to cases/previous counts."""
    out = frame.copy()
    cases = out["cases"].to_numpy(int)
    previous = out["previous"].to_numpy(int)
    out["change"] = cases - previous
    out["change_pct"] = np.where(previous > 0, 100.0 * (cases - previous) / np.where(previous > 0, previous, 1), np.nan)
    total = cases + previous
    p = np.ones(len(out))
    tested = total > 0
    if tested.any():
        low = np.minimum(cases, previous)[tested]
        p[tested] = np.minimum(1.0, 2.0 * stats.binom.cdf(low, total[tested], 0.5))
    out["p_value"] = p
    out["p_adjusted"] = fdr_adjust(p) if len(p) else p
    out["significant"] = out["p_adjusted"] < CHANGE_Q
    return out


def year_before(day: date) -> date:
    """The same day a year earlier (29 February becomes the 28th): seasonal activity is compared like with like."""
    return day.replace(year=day.year - 1, day=28) if (day.month, day.day) == (2, 29) else day.replace(year=day.year - 1)
