"""Lag signals besides targets: overdue petitions, undecided discipline, overdue cases, silent units.

Each signal is a count per commune tested against what the commune's own size makes ordinary,
so a big ward with many petitions is not flagged for being big and a small commune with one late
file is not flagged by noise:

- ``overdue_petitions``: eligible petitions unresolved past their due date. Expected: the national
  count shared out by party members; one-sided Poisson upper tail.
- ``undecided_discipline``: cases concluded "vi phạm phải kỷ luật" more than ``grace_days`` ago
  with no discipline decision referring to them. Tested among the commune's own such conclusions
  against the national undecided share (binomial upper tail).
- ``overdue_cases``: open cases (no end date, not closed) past their planned end. The data has no
  separate follow-up deadline; the planned end is the deadline the files carry. Tested among the
  commune's open cases against the national overdue share (binomial upper tail).
- ``silent``: no case decided in the last ``silent_quarters`` quarters although the commune's
  members make activity expected: Poisson probability of zero at the national rate per member.
- ``lagging_target``: units significantly behind their targets (:mod:`queries.lagging`, which
  adjusts over all units itself).

p-values are Benjamini-Hochberg adjusted within each signal: ``priority`` is ``high`` when the
adjusted value is under 0.05, ``watch`` when only the unadjusted one is. Only those rows are
returned, ranked worst first, with the province and regional department that answer for them.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa
from scipy import stats
from sqlalchemy.engine import Connection

from geo.errors import InvalidArgumentError
from queries.arguments import check_unit_code
from queries.hotspots import fdr_adjust
from queries.lagging import rank_lagging_units

SIGNALS = ("lagging_target", "overdue_petitions", "undecided_discipline", "overdue_cases", "silent")
HIGH_Q = 0.05
WATCH_P = 0.05

_UNITS = """
SELECT c.code AS commune_code, c.name AS commune_name, c.parent_code AS province_code, p.name AS province_name,
       d.department_code, coalesce(m.members, 0) AS members
FROM admin_unit c
JOIN admin_unit p ON p.level = 'province' AND p.code = c.parent_code AND p.valid_to IS NULL
LEFT JOIN regional_department_province d ON d.province_code = c.parent_code
LEFT JOIN (SELECT commune_code, sum(members) AS members FROM party_org
           WHERE dissolved_on IS NULL OR dissolved_on > :as_of GROUP BY 1) m ON m.commune_code = c.code
WHERE c.level = 'commune' AND c.valid_to IS NULL
"""

_OVERDUE_PETITIONS = """
SELECT commune_code, count(*) AS count, max(:as_of - due_date) AS oldest_days
FROM petition
WHERE eligible AND resolved_date IS NULL AND due_date < :as_of AND received_date <= :as_of
  AND commune_code IS NOT NULL
GROUP BY 1
"""

_UNDECIDED = """
WITH must AS (
    SELECT commune_code, source_id, actual_end FROM case_record
    WHERE conclusion = 'vi_pham_phai_ky_luat' AND actual_end <= :concluded_by AND commune_code IS NOT NULL
), decided AS (
    SELECT DISTINCT case_source_id FROM discipline WHERE decision_date <= :as_of AND case_source_id IS NOT NULL
)
SELECT m.commune_code, count(*) AS base,
       count(*) FILTER (WHERE d.case_source_id IS NULL) AS count,
       max(:as_of - m.actual_end) FILTER (WHERE d.case_source_id IS NULL) AS oldest_days
FROM must m LEFT JOIN decided d ON d.case_source_id = m.source_id
GROUP BY 1
"""

_OVERDUE_CASES = """
SELECT commune_code, count(*) AS base,
       count(*) FILTER (WHERE planned_end < :as_of) AS count,
       max(:as_of - planned_end) FILTER (WHERE planned_end < :as_of) AS oldest_days
FROM case_record
WHERE status <> 'dong' AND (actual_end IS NULL OR actual_end > :as_of) AND decision_date <= :as_of
  AND commune_code IS NOT NULL
GROUP BY 1
"""

_ACTIVITY = """
SELECT commune_code, count(*) FILTER (WHERE decision_date > :since) AS recent, max(decision_date) AS last_case
FROM case_record
WHERE decision_date <= :as_of AND commune_code IS NOT NULL
GROUP BY 1
"""

_RECORDS = {
    "overdue_petitions": """
        SELECT source_id, petition_type, received_date, due_date, :as_of - due_date AS days_overdue,
               competent_level, classification, commune_code
        FROM petition
        WHERE eligible AND resolved_date IS NULL AND due_date < :as_of AND received_date <= :as_of
          AND commune_code = ANY(:codes)
        ORDER BY due_date""",
    "undecided_discipline": """
        SELECT c.source_id, c.kind, c.subject_type, c.sector, c.decision_date, c.actual_end,
               :as_of - c.actual_end AS days_waiting, c.classification, c.commune_code
        FROM case_record c
        WHERE c.conclusion = 'vi_pham_phai_ky_luat' AND c.actual_end <= :concluded_by AND c.commune_code = ANY(:codes)
          AND NOT EXISTS (SELECT 1 FROM discipline d WHERE d.case_source_id = c.source_id
                          AND d.decision_date <= :as_of)
        ORDER BY c.actual_end""",
    "overdue_cases": """
        SELECT source_id, kind, subject_type, sector, decision_date, planned_end, :as_of - planned_end AS days_overdue,
               status, classification, commune_code
        FROM case_record
        WHERE status <> 'dong' AND (actual_end IS NULL OR actual_end > :as_of) AND decision_date <= :as_of
          AND planned_end < :as_of AND commune_code = ANY(:codes)
        ORDER BY planned_end""",
    "silent": """
        SELECT source_id, kind, subject_type, sector, decision_date, status, classification, commune_code
        FROM case_record
        WHERE commune_code = ANY(:codes) AND decision_date <= :as_of
        ORDER BY decision_date DESC
        LIMIT 20""",
}


def _poisson_upper(count: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """P(X >= count) for X ~ Poisson(expected)."""
    return np.where(expected > 0, stats.poisson.sf(count - 1, np.maximum(expected, 1e-12)), 1.0)


def _binomial_upper(count: np.ndarray, base: np.ndarray, share: float) -> np.ndarray:
    """P(X >= count) for X ~ Binomial(base, share)."""
    return np.where(base > 0, stats.binom.sf(count - 1, base, min(max(share, 1e-12), 1.0)), 1.0)


def _judge(frame: pd.DataFrame, signal: str) -> pd.DataFrame:
    """Adjust p-values within one signal and keep the units at least on watch."""
    out = frame.copy()
    out["signal"] = signal
    out["p_adjusted"] = fdr_adjust(out["p_value"].to_numpy()) if len(out) else out["p_value"]
    out["priority"] = np.where(out["p_adjusted"] < HIGH_Q, "high", np.where(out["p_value"] < WATCH_P, "watch", ""))
    return out[out["priority"] != ""]


def lag_signals(conn: Connection, *, as_of: date, year: int | None = None, grace_days: int = 60,
                silent_quarters: int = 4, signals: tuple[str, ...] = SIGNALS) -> pd.DataFrame:
    """Return the raised lag signals per commune, ranked: high before watch, then by p-value.

    Columns: ``signal, commune_code, commune_name, province_code, province_name, department_code,
    members, count, expected, oldest_days, p_value, p_adjusted, priority``. ``count`` is what was
    seen (overdue petitions, undecided conclusions, overdue cases, cases in the silent window, or
    the actual against target) and ``expected`` what the unit's size makes ordinary.
    """
    unknown = set(signals) - set(SIGNALS)
    if unknown:
        raise InvalidArgumentError(f"Tín hiệu không có / unknown signal(s): {', '.join(sorted(unknown))}; "
                                   f"choose from {', '.join(SIGNALS)}.")
    if not (isinstance(grace_days, int) and 0 <= grace_days <= 3650 and isinstance(silent_quarters, int)
            and 1 <= silent_quarters <= 20):
        raise InvalidArgumentError("`grace_days` must be 0–3650 and `silent_quarters` 1–20.")
    units = pd.read_sql(sa.text(_UNITS), conn, params={"as_of": as_of})
    members = units.set_index("commune_code")["members"].astype(float)
    parts = []
    if "overdue_petitions" in signals:
        rows = pd.read_sql(sa.text(_OVERDUE_PETITIONS), conn, params={"as_of": as_of})
        frame = pd.DataFrame({"commune_code": members.index})
        frame = frame.merge(rows, on="commune_code", how="left").fillna({"count": 0})
        share = members.reindex(frame["commune_code"]).to_numpy() / max(members.sum(), 1.0)
        frame["expected"] = frame["count"].sum() * share
        frame["p_value"] = _poisson_upper(frame["count"].to_numpy(float), frame["expected"].to_numpy())
        parts.append(_judge(frame[frame["count"] > 0], "overdue_petitions"))
    for signal, sql in (("undecided_discipline", _UNDECIDED), ("overdue_cases", _OVERDUE_CASES)):
        if signal not in signals:
            continue
        frame = pd.read_sql(sa.text(sql), conn, params={"as_of": as_of,
                                                         "concluded_by": as_of - timedelta(days=grace_days)})
        share = frame["count"].sum() / max(frame["base"].sum(), 1)
        frame["expected"] = frame["base"] * share
        frame["p_value"] = _binomial_upper(frame["count"].to_numpy(int), frame["base"].to_numpy(int), share)
        parts.append(_judge(frame[frame["count"] > 0].drop(columns="base"), signal))
    if "silent" in signals:
        since = as_of - timedelta(days=round(91.3 * silent_quarters))
        rows = pd.read_sql(sa.text(_ACTIVITY), conn, params={"as_of": as_of, "since": since})
        frame = pd.DataFrame({"commune_code": members.index}).merge(rows, on="commune_code", how="left")
        frame["count"] = frame["recent"].fillna(0)
        rate = frame["count"].sum() / max(members.sum(), 1.0)
        frame["expected"] = rate * members.reindex(frame["commune_code"]).to_numpy()
        frame["oldest_days"] = (pd.Timestamp(as_of) - pd.to_datetime(frame["last_case"])).dt.days
        frame["p_value"] = np.exp(-frame["expected"].to_numpy())
        parts.append(_judge(frame[frame["count"] == 0].drop(columns=["recent", "last_case"]), "silent"))
    if "lagging_target" in signals:
        lag = rank_lagging_units(conn, year=year or as_of.year, as_of=as_of)
        frame = lag.rename(columns={"code": "commune_code", "actual": "count"})
        frame = frame[frame["status"] != "on_track"].assign(
            signal="lagging_target", oldest_days=np.nan,
            priority=lambda f: np.where(f["status"] == "lagging", "high", "watch"))
        parts.append(frame)  # already adjusted across all units by queries.lagging
    columns = ["signal", "commune_code", "count", "expected", "oldest_days", "p_value", "p_adjusted", "priority"]
    found = pd.concat([p[columns] for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
        else pd.DataFrame(columns=columns)
    out = units.merge(found, on="commune_code", how="inner")
    out["rank_key"] = out["priority"].map({"high": 0, "watch": 1})
    out = out.sort_values(["rank_key", "p_value", "count"], ascending=[True, True, False]).drop(columns="rank_key")
    ordered = ["signal", "commune_code", "commune_name", "province_code", "province_name", "department_code",
               "members", "count", "expected", "oldest_days", "p_value", "p_adjusted", "priority"]
    return out[ordered].reset_index(drop=True)


def group_signals(signals: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Count raised signals per province or regional department, worst group first.

    Columns: the group key and name, then one column per signal (high priority only), ``high``,
    ``watch`` and ``communes`` (distinct communes with any signal).
    """
    keys = {"province": ["province_code", "province_name"], "department": ["department_code"]}
    if by not in keys:
        raise InvalidArgumentError(f"`by` must be 'province' or 'department', got {by!r}.")
    frame = signals.copy()
    frame[keys[by]] = frame[keys[by]].fillna("")
    high = frame[frame["priority"] == "high"].pivot_table(index=keys[by], columns="signal", values="commune_code",
                                                          aggfunc="count", fill_value=0)
    totals = frame.groupby(keys[by]).agg(high=("priority", lambda s: int((s == "high").sum())),
                                         watch=("priority", lambda s: int((s == "watch").sum())),
                                         communes=("commune_code", "nunique"))
    out = totals.join(high.reindex(columns=[s for s in SIGNALS if s in high.columns]), how="left").fillna(0)
    out = out.astype(int).sort_values(["high", "watch"], ascending=False).reset_index()
    return out


def signals_by_sector(conn: Connection, signals: pd.DataFrame, *, as_of: date, grace_days: int = 60) -> pd.DataFrame:
    """Count the case records behind raised case signals (undecided discipline, overdue cases) per sector."""
    rows = []
    for signal in ("undecided_discipline", "overdue_cases"):
        codes = signals.loc[signals["signal"] == signal, "commune_code"].tolist()
        if not codes:
            continue
        sql = f"SELECT sector, count(*) AS records FROM ({_RECORDS[signal]}) r GROUP BY 1"
        frame = pd.read_sql(sa.text(sql), conn, params={"as_of": as_of, "codes": codes,
                                                         "concluded_by": as_of - timedelta(days=grace_days)})
        rows.append(frame.assign(signal=signal))
    if not rows:
        return pd.DataFrame(columns=["signal", "sector", "records"])
    return pd.concat(rows, ignore_index=True)[["signal", "sector", "records"]].sort_values(
        ["signal", "records"], ascending=[True, False]).reset_index(drop=True)


def signal_records(conn: Connection, *, signal: str, commune_code: str, as_of: date,
                   grace_days: int = 60) -> pd.DataFrame:
    """Return the records behind one commune's signal (for a silent unit: its last cases before the silence)."""
    if signal not in _RECORDS:
        raise InvalidArgumentError(f"No record list for signal {signal!r}; lagging targets link to "
                                   "queries.spatial.records_in_unit and the target table.")
    check_unit_code("commune", commune_code)
    return pd.read_sql(sa.text(_RECORDS[signal]), conn, params={
        "as_of": as_of, "codes": [commune_code], "concluded_by": as_of - timedelta(days=grace_days)})
