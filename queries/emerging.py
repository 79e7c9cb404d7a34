"""Emerging hotspots: what is about to become (or stop being) a hotspot.

Gi* is computed for each time slice (same neighbours, FDR per slice), then a Mann-Kendall trend
test runs on each unit's series of Gi* z-scores. Each unit is classed as ArcGIS Pro's Emerging
Hot Spot Analysis does. With ``n`` slices, "most" means at least 90 % of them; the final slice is
the latest.

Rules, in the order they are checked (cold categories mirror the hot ones):

- new: hot in the final slice only, never before;
- consecutive: hot in an unbroken run of at least two final slices, never hot before the run,
  and hot in less than 90 % of slices;
- intensifying: hot in at least 90 % of slices including the final one, z-scores trending up
  (Mann-Kendall significant at 5 %);
- persistent: hot in at least 90 % of slices including the final one, no significant trend;
- diminishing: hot in at least 90 % of slices including the final one, trending down;
- sporadic: hot in the final slice, hot in less than 90 % of slices, never cold;
- oscillating: hot in the final slice, cold in some earlier slice, hot in less than 90 %;
- historical: not hot in the final slice, but hot in at least 90 % of the others;
- no_pattern: none of the above.

References: ESRI, "How Emerging Hot Spot Analysis works" (ArcGIS Pro documentation); Mann
(1945), Kendall (1975).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa
from libpysal.graph import Graph
from scipy import stats
from sqlalchemy.engine import Connection

from geo.errors import InvalidArgumentError
from queries.arguments import check_period
from queries.hotspots import find_hotspots
from queries.rates import VIOLATIONS

MOST = 0.9
TREND_P = 0.05
CATEGORIES_VI = {
    "new_hot": "Điểm nóng mới", "consecutive_hot": "Điểm nóng liên tiếp", "intensifying_hot": "Điểm nóng tăng cường",
    "persistent_hot": "Điểm nóng dai dẳng", "diminishing_hot": "Điểm nóng suy giảm", "sporadic_hot": "Điểm nóng rời rạc",
    "oscillating_hot": "Điểm nóng dao động", "historical_hot": "Điểm nóng trong quá khứ",
    "new_cold": "Điểm lạnh mới", "consecutive_cold": "Điểm lạnh liên tiếp", "intensifying_cold": "Điểm lạnh tăng cường",
    "persistent_cold": "Điểm lạnh dai dẳng", "diminishing_cold": "Điểm lạnh suy giảm", "sporadic_cold": "Điểm lạnh rời rạc",
    "oscillating_cold": "Điểm lạnh dao động", "historical_cold": "Điểm lạnh trong quá khứ",
    "no_pattern": "Không có xu hướng",
}


def mann_kendall(series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (z, two-sided p) of the Mann-Kendall trend test for each row of ``series``.

    Notes
    -----
    S = Σ_{i<j} sign(x_j − x_i); Var(S) = n(n−1)(2n+5)/18 (no tie correction: the inputs are
    continuous z-scores); z uses the continuity correction (S ∓ 1).
    """
    x = np.atleast_2d(np.asarray(series, dtype=float))
    n = x.shape[1]
    i, j = np.triu_indices(n, k=1)
    s = np.sign(x[:, j] - x[:, i]).sum(axis=1)
    var = n * (n - 1) * (2 * n + 5) / 18.0
    z = np.where(s > 0, (s - 1) / np.sqrt(var), np.where(s < 0, (s + 1) / np.sqrt(var), 0.0))
    return z, 2 * stats.norm.sf(np.abs(z))


def classify(hot: np.ndarray, cold: np.ndarray, trend_z: float, trend_p: float) -> str:
    """Return the emerging-hotspot category of one unit from its per-slice hot/cold flags."""
    for flags, other, side, sign in ((hot, cold, "hot", 1), (cold, hot, "cold", -1)):
        flags, other = np.asarray(flags, bool), np.asarray(other, bool)
        n = len(flags)
        share = flags.mean()
        final = flags[-1]
        run = 0
        for value in flags[::-1]:
            if not value:
                break
            run += 1
        if final and run == 1 and not flags[:-1].any():
            return f"new_{side}"
        if final and run >= 2 and not flags[: n - run].any() and share < MOST:
            return f"consecutive_{side}"
        if final and share >= MOST:
            if trend_p < TREND_P and np.sign(trend_z) == sign:
                return f"intensifying_{side}"
            if trend_p < TREND_P and np.sign(trend_z) == -sign:
                return f"diminishing_{side}"
            return f"persistent_{side}"
        if final and share < MOST:
            return f"oscillating_{side}" if other[:-1].any() else f"sporadic_{side}"
        if not final and n > 1 and flags[:-1].mean() >= MOST:
            return f"historical_{side}"
    return "no_pattern"


_SERIES = """
SELECT commune_code AS code, date_trunc(:slice, decision_date)::date AS period, count(*) AS n
FROM case_record
WHERE decision_date BETWEEN :start AND :end AND commune_code IS NOT NULL
  AND (CAST(:kinds AS text[]) IS NULL OR kind = ANY(CAST(:kinds AS text[])))
  AND (NOT :violations_only OR conclusion = ANY(CAST(:violations AS text[])))
GROUP BY 1, 2
"""
SLICES = ("year", "quarter")


def commune_series(conn: Connection, codes: pd.Index, *, start: date, end: date, slice_: str = "year",
                   kinds: list[str] | None = None, violations_only: bool = True) -> pd.DataFrame:
    """Return counts per commune (rows, in ``codes`` order) and slice (columns, oldest first).

    Only whole slices inside ``[start, end]`` make sense for a trend: pass slice-aligned dates.
    Communes with no record get zeros, so every unit of the graph has a series.
    """
    if slice_ not in SLICES:
        raise InvalidArgumentError(f"`slice_` must be one of {', '.join(SLICES)}, got {slice_!r}.")
    check_period(start, end)
    frame = pd.read_sql(sa.text(_SERIES), conn, params={
        "slice": slice_, "start": start, "end": end, "kinds": kinds, "violations_only": violations_only,
        "violations": list(VIOLATIONS)})
    periods = pd.date_range(pd.Timestamp(start).to_period("Y" if slice_ == "year" else "Q").start_time,
                            pd.Timestamp(end), freq="YS" if slice_ == "year" else "QS")
    frame["period"] = pd.to_datetime(frame["period"])
    table = frame.pivot_table(index="code", columns="period", values="n", aggfunc="sum", fill_value=0)
    return table.reindex(index=codes, columns=periods, fill_value=0).fillna(0)


def emerging_hotspots(series: pd.DataFrame, graph: Graph, *, permutations: int = 199, seed: int = 0) -> pd.DataFrame:
    """Classify units from a table of values: one row per unit (index), one column per slice, oldest first."""
    labels, zs = [], []
    for k, column in enumerate(series.columns):
        table = find_hotspots(series[column], graph, permutations=permutations, seed=seed + k).table
        labels.append(table["label"].to_numpy())
        zs.append(table["z_sim"].to_numpy())
    codes = find_hotspots(series[series.columns[0]], graph, permutations=1, seed=seed).table["code"]
    label_matrix = np.column_stack(labels)
    z_matrix = np.column_stack(zs)
    trend_z, trend_p = mann_kendall(np.nan_to_num(z_matrix))
    hot = np.char.startswith(label_matrix.astype(str), "hot")
    cold = np.char.startswith(label_matrix.astype(str), "cold")
    categories = [classify(hot[u], cold[u], trend_z[u], trend_p[u]) for u in range(len(codes))]
    return pd.DataFrame({"code": codes.to_numpy(), "category": categories, "trend_z": trend_z, "trend_p": trend_p,
                         "slices_hot": hot.sum(axis=1), "slices_cold": cold.sum(axis=1),
                         "final_label": label_matrix[:, -1]})
