"""Significant hotspots and coldspots: Getis-Ord Gi* with permutation inference and FDR.

Gi* (the unit itself included) is computed by PySAL's ``esda.G_Local`` with binary weights and
conditional permutations. With 999 permutations the smallest pseudo p-value is 0.001, which a
false-discovery-rate correction over 3,321 communes can never pass; so the p-values corrected
are those of the permutation z-score (``p_z_sim``, two-sided), and classes follow the corrected
value: hot or cold at 99 %, 95 %, 90 % confidence, else not significant.

Neighbours: queen contiguity for units (islands get their ``k`` nearest units), ``grid_disk(1)``
for H3 cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.graph import Graph

CONFIDENCE = ((0.01, "99"), (0.05, "95"), (0.10, "90"))
LABELS_VI = {"hot_99": "Điểm nóng 99%", "hot_95": "Điểm nóng 95%", "hot_90": "Điểm nóng 90%",
             "cold_99": "Điểm lạnh 99%", "cold_95": "Điểm lạnh 95%", "cold_90": "Điểm lạnh 90%",
             "ns": "Không có ý nghĩa thống kê"}


def fdr_adjust(p_values: np.ndarray) -> np.ndarray:
    """Return Benjamini-Hochberg adjusted p-values (monotone, capped at 1)."""
    p = np.asarray(p_values, dtype=float)
    n = len(p)
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def unit_graph(units: gpd.GeoDataFrame, *, k_islands: int = 3) -> Graph:
    """Queen contiguity between units; a unit with no neighbour gets its ``k_islands`` nearest."""
    graph = Graph.build_contiguity(units.set_index("code"), rook=False)
    isolates = graph.isolates
    if len(isolates) == 0:
        return graph
    centroids = units.set_index("code").geometry.representative_point()
    knn = Graph.build_knn(gpd.GeoDataFrame(geometry=centroids), k=k_islands)
    adjacency = graph.adjacency.drop(labels=list(isolates), level="focal", errors="ignore")
    extra = knn.adjacency[knn.adjacency.index.get_level_values("focal").isin(isolates)]
    combined = pd.concat([adjacency[adjacency > 0], extra]).astype(float)
    combined[:] = 1.0
    return Graph(combined.sort_index(), transformation="B")


def h3_graph(cells: pd.Index) -> Graph:
    """``grid_disk(1)`` neighbours between the given H3 cells."""
    return Graph.build_h3(list(cells), order=1)


@dataclass(frozen=True)
class HotspotResult:
    table: pd.DataFrame  # code, value, statistic, p_sim, p_value, p_adjusted, label


_WEIGHTS: dict[int, tuple[Graph, object]] = {}


def _binary_weights(graph: Graph):
    """esda wants a ``W``; converting a 3,321-unit graph costs about as much as the statistic
    itself, so the conversion is kept for the last few graphs (the app reuses one graph)."""
    key = id(graph)
    if key not in _WEIGHTS or _WEIGHTS[key][0] is not graph:
        if len(_WEIGHTS) >= 4:
            _WEIGHTS.pop(next(iter(_WEIGHTS)))
        _WEIGHTS[key] = (graph, graph.transform("B").to_W())
    return _WEIGHTS[key][1]


def find_hotspots(values: pd.Series, graph: Graph, *, permutations: int = 999, seed: int = 0) -> HotspotResult:
    """Return Gi* hot and cold spots of ``values`` (indexed like the graph's units)."""
    values = values.reindex(graph.unique_ids).fillna(0.0).astype(float)
    w = _binary_weights(graph)
    g = esda.G_Local(values.to_numpy(), w, transform="B", permutations=permutations, star=True,
                     seed=seed, n_jobs=1)
    z = np.asarray(g.z_sim, dtype=float)
    p_two_sided = np.clip(2 * np.asarray(g.p_z_sim, dtype=float), 0, 1)
    p_two_sided = np.where(np.isfinite(p_two_sided), p_two_sided, 1.0)
    adjusted = fdr_adjust(p_two_sided)
    labels = np.full(len(values), "ns", dtype=object)
    for threshold, level in reversed(CONFIDENCE):
        significant = adjusted <= threshold
        labels[significant & (z > 0)] = f"hot_{level}"
        labels[significant & (z < 0)] = f"cold_{level}"
    table = pd.DataFrame({"code": values.index, "value": values.to_numpy(), "statistic": np.asarray(g.Zs),
                          "z_sim": z, "p_sim": np.asarray(g.p_sim), "p_value": p_two_sided,
                          "p_adjusted": adjusted, "label": labels})
    return HotspotResult(table=table)
