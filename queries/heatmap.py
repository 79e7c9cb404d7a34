"""Heat-map counts on H3 hexagons, at a resolution chosen by zoom, and Gi* on those cells."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import InvalidArgumentError
from geo.h3cells import cell_strings, parents_of
from queries.hotspots import HotspotResult, find_hotspots, h3_graph
from queries.rates import VIOLATIONS
from queries.spatial import FILTER_SQL, Filters

_COUNTS = f"""
SELECT r.h3_9, count(*) AS cases,
       count(*) FILTER (WHERE r.conclusion = ANY(CAST(:violations AS text[]))) AS violations
FROM case_record r
WHERE r.h3_9 IS NOT NULL AND r.decision_date BETWEEN :start AND :end
  AND (CAST(:kinds AS text[]) IS NULL OR r.kind = ANY(CAST(:kinds AS text[])))
  AND (CAST(:province AS text) IS NULL OR r.province_code = :province)
  {FILTER_SQL}
GROUP BY r.h3_9
"""


def resolution_for_zoom(zoom: int) -> int:
    """H3 resolution for a map zoom: about 7 nationally (zoom 6), 8 – 9 inside a province."""
    return int(np.clip(zoom + 1, 5, 9))


def heat_counts(conn: Connection, *, resolution: int, start: date, end: date, kinds: list[str] | None = None,
                province_code: str | None = None, filters: Filters = Filters()) -> pd.DataFrame:
    """Return cases and violations per H3 cell (hex id in ``cell``) at ``resolution`` (5 – 9).

    ``filters`` narrows by sector, violation category, subject type, status or classification
    (its dates, if any, narrow ``[start, end]`` further).
    """
    if not 5 <= resolution <= 9:
        raise InvalidArgumentError(f"`resolution` must be between 5 and 9, got {resolution!r}.")
    fine = pd.read_sql(sa.text(_COUNTS), conn, params={"start": start, "end": end, "kinds": kinds,
                                                       "province": province_code, "violations": list(VIOLATIONS),
                                                       **filters.params()})
    if fine.empty:
        return pd.DataFrame({"cell": pd.Series(dtype=str), "cases": pd.Series(dtype=int),
                             "violations": pd.Series(dtype=int)})
    fine["parent"] = parents_of(fine["h3_9"].to_numpy(np.int64), resolution)
    grouped = fine.groupby("parent", as_index=False)[["cases", "violations"]].sum()
    grouped.insert(0, "cell", cell_strings(grouped["parent"].to_numpy()))
    return grouped.drop(columns=["parent"]).sort_values("cases", ascending=False).reset_index(drop=True)


def h3_hotspots(counts: pd.DataFrame, *, column: str = "violations", permutations: int = 999,
                seed: int = 0) -> HotspotResult:
    """Gi* on H3 cells with ``grid_disk(1)`` neighbours (cells without records count as absent)."""
    values = counts.set_index("cell")[column].astype(float)
    return find_hotspots(values, h3_graph(values.index), permutations=permutations, seed=seed)
