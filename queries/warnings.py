"""Early warning: units whose latest short window is improbable under their own baseline.

Expected count in the window = the unit's daily rate over the baseline (the preceding two years
by default) × window length × the national seasonal factor of that window (how much busier the
same calendar window was than an average one, in the two previous years: the year-end rush is
not an alert). The alert is the Poisson upper tail P(X >= count); p-values are
FDR-adjusted over all units so a country of 3,321 communes does not ring every week by chance.
Each alert names the unit responsible: the province commission for a commune.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa
from scipy import stats
from sqlalchemy.engine import Connection

from geo.errors import InvalidArgumentError
from queries.hotspots import fdr_adjust
from queries.units import unit_code_column

ALERT_Q = 0.05
MIN_COUNT = 3

_WINDOWS = """
SELECT {unit} AS code, min(province_code) AS province_code,
       count(*) FILTER (WHERE decision_date > :window_start) AS recent,
       count(*) FILTER (WHERE decision_date <= :window_start) AS baseline
FROM case_record
WHERE decision_date > :baseline_start AND decision_date <= :as_of
  AND (CAST(:kinds AS text[]) IS NULL OR kind = ANY(CAST(:kinds AS text[])))
GROUP BY 1
"""


_SEASON = """
SELECT count(*) FILTER (WHERE decision_date > :y1_start AND decision_date <= :y1_end
                          OR decision_date > :y2_start AND decision_date <= :y2_end) / 2.0 AS same_window,
       count(*) FILTER (WHERE decision_date > :baseline_start AND decision_date <= :window_start) AS baseline
FROM case_record
WHERE decision_date > :baseline_start AND decision_date <= :as_of
  AND (CAST(:kinds AS text[]) IS NULL OR kind = ANY(CAST(:kinds AS text[])))
"""


def seasonal_factor(conn: Connection, *, as_of: date, window_days: int, baseline_days: int,
                    kinds: list[str] | None = None) -> float:
    """How much busier this calendar window was than an average window, nationally, in 2 past years."""
    window_start = as_of - timedelta(days=window_days)
    same_window, baseline = conn.execute(sa.text(_SEASON), {
        "as_of": as_of, "window_start": window_start, "baseline_start": window_start - timedelta(days=baseline_days),
        "y1_start": window_start - timedelta(days=365), "y1_end": as_of - timedelta(days=365),
        "y2_start": window_start - timedelta(days=730), "y2_end": as_of - timedelta(days=730), "kinds": kinds}).one()
    average = float(baseline) / baseline_days * window_days
    return float(same_window) / average if average > 0 and same_window else 1.0


def score_windows(frame: pd.DataFrame, *, window_days: int, baseline_days: int, season: float = 1.0) -> pd.DataFrame:
    """Add ``expected``, ``p_value``, ``p_adjusted`` and ``alert`` to ``recent``/``baseline`` counts."""
    out = frame.copy()
    out["expected"] = out["baseline"] / baseline_days * window_days * season
    # A unit with no baseline at all gets half an event as its expectation, not zero.
    out["p_value"] = stats.poisson.sf(out["recent"] - 1, np.maximum(out["expected"], 0.5))
    out["p_adjusted"] = fdr_adjust(out["p_value"].to_numpy()) if len(out) else []
    out["alert"] = (out["p_adjusted"] < ALERT_Q) & (out["recent"] >= MIN_COUNT)
    return out


def early_warnings(conn: Connection, *, as_of: date, window_days: int = 28, baseline_days: int = 730,
                   level: str = "commune", kinds: list[str] | None = None) -> pd.DataFrame:
    """Return units with their recent and expected counts, p-values and ``alert`` flag, worst first."""
    unit = unit_code_column(level)
    if not (7 <= window_days <= 365 and window_days < baseline_days <= 3650):
        raise InvalidArgumentError(f"Need 7 <= window_days < baseline_days <= 3650, got {window_days}, {baseline_days}.")
    window_start = as_of - timedelta(days=window_days)
    frame = pd.read_sql(sa.text(_WINDOWS.format(unit=unit)), conn, params={
        "as_of": as_of, "window_start": window_start, "baseline_start": window_start - timedelta(days=baseline_days),
        "kinds": kinds})
    season = seasonal_factor(conn, as_of=as_of, window_days=window_days, baseline_days=baseline_days, kinds=kinds)
    frame = score_windows(frame, window_days=window_days, baseline_days=baseline_days, season=season)
    frame["season"] = season
    frame["responsible"] = frame["province_code"] if level == "commune" else "trung_uong"
    frame["window_start"], frame["as_of"] = window_start, as_of
    return frame.sort_values(["p_value", "recent"], ascending=[True, False]).reset_index(drop=True)
