"""Rebalancing: split a province's communes into k contiguous groups with balanced workload.

Groups are inspection teams or liaison officers; the workload of a commune is its cases, its
open cases or its party members (an allow-listed choice).

Method (regionalisation with PySAL ``spopt``):

1. Neighbours are queen contiguity between communes. A commune with no land neighbour (an
   island, or a cluster of islands) is bridged to the nearest commune of the mainland, so it
   is attached to that commune's group and never breaks contiguity.
2. The baseline ("before") is the compact partition a planner would draw from the map alone:
   ``spopt.region.RegionKMeansHeuristic`` on the communes' projected centres, blind to the
   workload. A planner's current assignment can be scored instead (:func:`rescore`).
3. Balancing ("after") is a documented local search that keeps contiguity
   (:func:`improve_balance`: move a commune to a neighbouring group when that makes the group
   totals more equal and its old group stays connected), run from the baseline and from
   seeded random contiguous partitions; the most balanced result is kept. The objective is
   the sum of squared deviations of the group totals from their mean.

Imbalance is reported as max / mean of the group totals (1 = perfect) and their coefficient
of variation (standard deviation / mean, population form).
"""

from __future__ import annotations

import io
import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa
from libpysal.graph import Graph
from libpysal.weights import WSP
from scipy import sparse
from scipy.sparse import csgraph
from spopt.region import RegionKMeansHeuristic
from sqlalchemy.engine import Connection

from geo.crs import VN2000_UTM48N, project
from geo.errors import InvalidArgumentError
from queries.arguments import check_period

MEASURES = {
    "cases": "cases decided in the period",
    "open_cases": "cases not closed (status other than 'dong')",
    "members": "party members of organisations not dissolved",
}
MEASURE_LABELS = {"cases": ("Số vụ việc", "Cases"), "open_cases": ("Vụ việc chưa đóng", "Open cases"),
                  "members": ("Số đảng viên", "Party members")}
MAX_K = 30
LANGUAGES = ("vi", "en", "both")

_WORKLOAD = {
    "cases": """
        SELECT commune_code AS code, count(*) AS workload FROM case_record
        WHERE province_code = :province
          AND (CAST(:start AS date) IS NULL OR decision_date >= :start)
          AND (CAST(:end AS date) IS NULL OR decision_date <= :end)
        GROUP BY 1""",
    "open_cases": """
        SELECT commune_code AS code, count(*) AS workload FROM case_record
        WHERE province_code = :province AND status <> 'dong'
          AND (CAST(:start AS date) IS NULL OR decision_date >= :start)
          AND (CAST(:end AS date) IS NULL OR decision_date <= :end)
        GROUP BY 1""",
    "members": """
        SELECT commune_code AS code, sum(members) AS workload FROM party_org
        WHERE province_code = :province
          AND (dissolved_on IS NULL OR dissolved_on > coalesce(CAST(:end AS date), CURRENT_DATE))
        GROUP BY 1""",
}

_COMMUNES = """
SELECT code, name, geom FROM admin_unit
WHERE level = 'commune' AND valid_to IS NULL AND parent_code = :province ORDER BY code
"""


def commune_workload(conn: Connection, *, province_code: str, measure: str = "cases",
                     start: date | None = None, end: date | None = None) -> gpd.GeoDataFrame:
    """Return the province's 2025 communes with ``code``, ``name``, ``workload`` and geometry.

    ``measure`` is one of :data:`MEASURES`; ``start``/``end`` bound the decision date of cases
    (open cases: decided in the window and not yet closed; members: organisations alive at ``end``).
    """
    if measure not in MEASURES:
        raise InvalidArgumentError(f"Thước đo khối lượng không hợp lệ: {measure!r}. "
                                   f"/ `measure` must be one of {tuple(MEASURES)}, got {measure!r}.")
    if start and end:
        check_period(start, end)
    units = gpd.read_postgis(sa.text(_COMMUNES), conn, geom_col="geom",
                             params={"province": province_code}).rename_geometry("geometry")
    if units.empty:
        raise InvalidArgumentError(f"Không có xã nào thuộc tỉnh {province_code!r}. / No 2025 commune "
                                   f"belongs to province {province_code!r}: give a code of the 34 provinces.")
    load = pd.read_sql(sa.text(_WORKLOAD[measure]), conn,
                       params={"province": province_code, "start": start, "end": end})
    units["workload"] = units["code"].map(load.set_index("code")["workload"]).fillna(0).astype(float)
    return units[["code", "name", "workload", "geometry"]]


# --- neighbours ------------------------------------------

@dataclass(frozen=True)
class Neighbours:
    """Queen contiguity between communes, with islands bridged to their nearest mainland commune."""

    codes: np.ndarray
    adjacency: sparse.csr_matrix
    bridges: pd.DataFrame  # code (island side), to_code (nearest commune it is attached to), distance_m


def neighbours_of(units: gpd.GeoDataFrame) -> Neighbours:
    """Queen contiguity plus one bridge from each detached part (island) to its nearest other part.

    The main part is the one with most communes; every other connected part is joined by its
    closest pair of communes (distance in VN-2000 / UTM 48N metres) to the part holding that
    nearest commune, repeatedly, until everything is connected.
    """
    codes = units["code"].to_numpy()
    n = len(codes)
    queen = Graph.build_contiguity(units.set_index("code"), rook=False).adjacency.reset_index()
    # An isolate is stored as a 0-weight pair with itself: not a neighbour.
    pairs = queen[(queen["weight"] > 0) & (queen["focal"] != queen["neighbor"])]
    position = {c: i for i, c in enumerate(codes)}
    adjacency = sparse.lil_matrix((n, n), dtype=np.int8)
    adjacency[pairs["focal"].map(position).to_numpy(), pairs["neighbor"].map(position).to_numpy()] = 1
    metric = project(units.geometry.to_numpy(), dst=VN2000_UTM48N)
    bridges = []
    while True:
        n_parts, part = csgraph.connected_components(sparse.csr_matrix(adjacency), directed=False)
        if n_parts <= 1:
            break
        main = np.bincount(part).argmax()
        # The smallest detached part first: bridge it to its nearest commune in any other part.
        sizes = np.bincount(part)
        small = min((p for p in range(n_parts) if p != main), key=lambda p: (sizes[p], p))
        inside, outside = np.flatnonzero(part == small), np.flatnonzero(part != small)
        distances = np.array([[metric[i].distance(metric[j]) for j in outside] for i in inside])
        a, b = np.unravel_index(np.argmin(distances), distances.shape)
        i, j = inside[a], outside[b]
        adjacency[i, j] = adjacency[j, i] = 1
        bridges.append((codes[i], codes[j], float(distances[a, b])))
    return Neighbours(codes=codes, adjacency=sparse.csr_matrix(adjacency),
                      bridges=pd.DataFrame(bridges, columns=["code", "to_code", "distance_m"]))


# --- scoring ------------------------------------------

@dataclass(frozen=True)
class Partition:
    """An assignment of communes to groups and how balanced and contiguous it is."""

    assignment: pd.DataFrame  # code, name, workload, group
    groups: pd.DataFrame  # group, communes, workload, ratio_to_mean, contiguous, parts
    max_mean: float  # largest group total / mean group total (1 = perfect)
    cv: float  # coefficient of variation of the group totals
    warnings: tuple[str, ...] = ()


def imbalance(totals: np.ndarray) -> tuple[float, float]:
    """Return (max / mean, coefficient of variation) of group totals; NaN when the mean is 0."""
    totals = np.asarray(totals, dtype=float)
    mean = totals.mean() if len(totals) else 0.0
    if mean <= 0:
        return float("nan"), float("nan")
    return float(totals.max() / mean), float(totals.std() / mean)


def _score(units: gpd.GeoDataFrame, labels: np.ndarray, neighbours: Neighbours) -> Partition:
    assignment = pd.DataFrame({"code": units["code"].to_numpy(), "name": units["name"].to_numpy(),
                               "workload": units["workload"].to_numpy(), "group": labels})
    rows, warnings = [], []
    for group in sorted(assignment["group"].unique()):
        members = np.flatnonzero(labels == group)
        sub = neighbours.adjacency[members][:, members]
        parts, _ = csgraph.connected_components(sub, directed=False)
        total = float(units["workload"].to_numpy()[members].sum())
        rows.append((group, len(members), total, parts == 1, parts))
        if parts > 1:
            warnings.append(f"Nhóm {group} không liền mạch ({parts} mảnh rời nhau). "
                            f"/ Group {group} is not contiguous ({parts} separate parts).")
    groups = pd.DataFrame(rows, columns=["group", "communes", "workload", "contiguous", "parts"])
    mean = groups["workload"].mean()
    groups.insert(3, "ratio_to_mean", groups["workload"] / mean if mean > 0 else np.nan)
    max_mean, cv = imbalance(groups["workload"].to_numpy())
    return Partition(assignment=assignment, groups=groups, max_mean=max_mean, cv=cv, warnings=tuple(warnings))


def rescore(units: gpd.GeoDataFrame, assignment: Mapping[str, int] | pd.Series, *,
            neighbours: Neighbours | None = None) -> Partition:
    """Score a planner's assignment (commune code -> group number), after checking it.

    Every commune of ``units`` must have a group, every code must be one of ``units`` and every
    group a positive integer; otherwise the error lists what to fix. A group that is not
    contiguous is not refused (the planner may mean it) but reported in ``warnings``.
    """
    given = pd.Series(assignment, dtype=object)
    known = set(units["code"])
    unknown = sorted(set(map(str, given.index)) - known)
    missing = sorted(known - set(map(str, given.index)))
    bad_groups = sorted({str(g) for g in given.to_numpy() if not _is_group(g)})
    problems = []
    if unknown:
        problems.append(f"mã xã không thuộc tỉnh / codes not in the province: {', '.join(unknown[:10])}")
    if missing:
        problems.append(f"xã chưa được giao nhóm / communes without a group: {', '.join(missing[:10])}"
                        + (f" (+{len(missing) - 10})" if len(missing) > 10 else ""))
    if bad_groups:
        problems.append("nhóm phải là số nguyên dương / groups must be positive integers, got: "
                        + ", ".join(bad_groups[:10]))
    if problems:
        raise InvalidArgumentError("Phân công không hợp lệ. / The assignment is not valid: "
                                   + "; ".join(problems) + ".")
    given.index = given.index.map(str)
    labels = given.reindex(units["code"]).astype(int).to_numpy()
    return _score(units, labels, neighbours or neighbours_of(units))


def _is_group(value) -> bool:
    try:
        return float(value) == int(value) and int(value) >= 1
    except (TypeError, ValueError):
        return False


# --- balancing ------------------------------------------

def balance_objective(labels: np.ndarray, values: np.ndarray) -> float:
    """Sum over groups of (group total − mean group total)²: zero when every group carries the same load."""
    totals = pd.Series(np.asarray(values, float)).groupby(np.asarray(labels)).sum().to_numpy()
    return float(((totals - totals.mean()) ** 2).sum())


def compact_partition(units: gpd.GeoDataFrame, *, k: int, neighbours: Neighbours,
                      seed: int = 0) -> np.ndarray:
    """Return 1-based labels of k compact contiguous groups, blind to workload (spopt region k-means)."""
    centres = project(units.geometry.representative_point().to_numpy(), dst=VN2000_UTM48N)
    xy = np.column_stack([[p.x for p in centres], [p.y for p in centres]])
    # spopt indexes areas by position: the weights must use ids 0..n-1, not codes.
    model = RegionKMeansHeuristic(xy, k, WSP(neighbours.adjacency).to_W(silence_warnings=True), seed=seed)
    model.solve()
    return _renumber(np.asarray(model.labels_))


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Groups numbered 1..k in order of their first commune (stable for the planner)."""
    order = {label: i + 1 for i, label in enumerate(pd.unique(labels))}
    return np.array([order[label] for label in labels])


def balance_groups(units: gpd.GeoDataFrame, *, k: int, neighbours: Neighbours | None = None, seed: int = 0,
                   restarts: int = 20, start: np.ndarray | None = None) -> Partition:
    """Return k contiguous groups whose workload totals are as equal as the map allows.

    The local search of :func:`improve_balance` runs from ``start`` (default: the compact
    partition of spopt's region k-means) and from ``restarts`` seeded random contiguous
    partitions grown from k random communes (the lightest group grows first); the most
    balanced result is kept. Deterministic for a given ``seed``.

    Notes
    -----
    spopt's AZP with this objective was tried first: it stops in the same kind of local
    optima, and its per-move connectivity checks on sparse matrices took 4 – 6 s for a
    province of 168 communes, against under 2 s here for 21 starts with better balance
    (see docs/analytics-decisions.md).
    """
    _check_k(k, len(units))
    neighbours = neighbours or neighbours_of(units)
    values = units["workload"].to_numpy(float)
    adjacency = [set(neighbours.adjacency[i].indices) for i in range(len(units))]
    initial = start if start is not None else compact_partition(units, k=k, neighbours=neighbours, seed=seed)
    best = improve_balance(initial, values, adjacency)
    best_value = balance_objective(best, values)
    rng = np.random.default_rng(seed)
    for _ in range(restarts):
        grown = _grow(values, adjacency, k, rng)
        if grown is None:
            continue
        labels = improve_balance(grown, values, adjacency)
        value = balance_objective(labels, values)
        if value < best_value - 1e-9:
            best, best_value = labels, value
    return _score(units, _renumber(best), neighbours)


def improve_balance(labels: np.ndarray, values: np.ndarray, adjacency: list[set[int]]) -> np.ndarray:
    """Move communes between neighbouring groups while it makes the totals more equal; keep contiguity.

    Steepest descent: among all moves of a commune ``u`` (workload v) from its group A to a
    neighbouring group B, the objective changes by 2v (S_B − S_A + v), so a move helps exactly
    when S_A − S_B > v > 0. The best helping move whose removal leaves A connected (and not
    empty) is made; the search stops when no move helps. Groups stay contiguous throughout.
    """
    labels = np.asarray(labels).copy()
    values = np.asarray(values, float)
    members = {g: set(np.flatnonzero(labels == g).tolist()) for g in np.unique(labels)}
    totals = {g: float(values[list(m)].sum()) for g, m in members.items()}
    while True:
        moves = []
        for u in np.flatnonzero(values > 0):
            a = labels[u]
            for b in {labels[w] for w in adjacency[u]} - {a}:
                delta = 2 * values[u] * (totals[b] - totals[a] + values[u])
                if delta < -1e-9:
                    moves.append((delta, int(u), b))
        moves.sort()
        for _, u, b in moves:
            a = labels[u]
            if _connected_without(members[a], u, adjacency):
                members[a].discard(u)
                members[b].add(u)
                labels[u] = b
                totals[a] -= values[u]
                totals[b] += values[u]
                break
        else:
            return labels


def _connected_without(members: set[int], removed: int, adjacency: list[set[int]]) -> bool:
    rest = members - {removed}
    if not rest:
        return False
    first = next(iter(rest))
    seen, queue = {first}, deque([first])
    while queue:
        for w in adjacency[queue.popleft()]:
            if w in rest and w not in seen:
                seen.add(w)
                queue.append(w)
    return len(seen) == len(rest)


def _grow(values: np.ndarray, adjacency: list[set[int]], k: int,
          rng: np.random.Generator) -> np.ndarray | None:
    """A random contiguous partition: k random seeds; the lightest group able to grow takes a neighbour."""
    n = len(values)
    labels = np.full(n, -1)
    seeds = rng.choice(n, size=k, replace=False)
    labels[seeds] = np.arange(k)
    totals = values[seeds].astype(float).copy()
    frontier = [{w for w in adjacency[s] if labels[w] < 0} for s in seeds]
    for _ in range(n - k):
        for g in np.argsort(totals, kind="stable"):
            frontier[g] = {w for w in frontier[g] if labels[w] < 0}
            if frontier[g]:
                w = sorted(frontier[g])[rng.integers(len(frontier[g]))]
                labels[w] = g
                totals[g] += values[w]
                frontier[g] |= {x for x in adjacency[w] if labels[x] < 0}
                break
        else:
            return None  # cannot happen on a connected graph; kept as a guard
    return labels + 1


def _check_k(k: int, n: int) -> None:
    if not (isinstance(k, (int, np.integer)) and 2 <= k <= min(MAX_K, n)):
        raise InvalidArgumentError(f"Số nhóm phải từ 2 đến {min(MAX_K, n)}, nhận được {k!r}. "
                                   f"/ `k` must be between 2 and {min(MAX_K, n)} (communes: {n}), got {k!r}.")


@dataclass(frozen=True)
class Rebalancing:
    """A province's communes, their neighbours, and the partitions before and after balancing."""

    units: gpd.GeoDataFrame  # code, name, workload, geometry
    neighbours: Neighbours
    before: Partition
    after: Partition


def rebalance_province(conn: Connection, *, province_code: str, k: int, measure: str = "cases",
                       start: date | None = None, end: date | None = None,
                       current: Mapping[str, int] | None = None, seed: int = 0) -> Rebalancing:
    """Split a province's communes into ``k`` balanced contiguous groups; compare with a baseline.

    ``current`` is the planner's present assignment (commune -> group) used as "before"; without
    it, "before" is the compact partition drawn from the map alone. "After" starts from
    ``current`` when it is contiguous and has ``k`` groups, else from the compact partition.
    """
    units = commune_workload(conn, province_code=province_code, measure=measure, start=start, end=end)
    _check_k(k, len(units))
    neighbours = neighbours_of(units)
    if current is not None:
        before = rescore(units, current, neighbours=neighbours)
    else:
        before = _score(units, compact_partition(units, k=k, neighbours=neighbours, seed=seed), neighbours)
    usable = not before.warnings and before.groups["group"].nunique() == k
    start_labels = None
    if usable:
        start_labels = _renumber(before.assignment["group"].to_numpy())
    after = balance_groups(units, k=k, neighbours=neighbours, seed=seed, start=start_labels)
    return Rebalancing(units=units, neighbours=neighbours, before=before, after=after)


# --- export ------------------------------------------

_HEADERS = {"code": ("Mã xã", "Commune code"), "name": ("Tên xã", "Commune name"), "group": ("Nhóm", "Group"),
            "workload": ("Khối lượng công việc", "Workload")}


def _headers(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        raise InvalidArgumentError(f"Ngôn ngữ phải là một trong {LANGUAGES}, nhận được {language!r}. "
                                   f"/ `language` must be one of {LANGUAGES}, got {language!r}.")
    pick = {"vi": lambda vi, en: vi, "en": lambda vi, en: en, "both": lambda vi, en: f"{vi} / {en}"}[language]
    return {key: pick(*labels) for key, labels in _HEADERS.items()}


def assignment_csv(partition: Partition, *, language: str = "both") -> bytes:
    """Return the assignment as CSV bytes (UTF-8 with BOM so Excel shows Vietnamese), one row per commune."""
    headers = _headers(language)
    frame = partition.assignment[list(headers)].sort_values(["group", "code"]).rename(columns=headers)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def assignment_geojson(units: gpd.GeoDataFrame, partition: Partition, *, precision: int = 6) -> str:
    """Return the assignment as a GeoJSON FeatureCollection (properties: code, name, group, workload)."""
    frame = units[["code", "geometry"]].merge(partition.assignment, on="code", how="left")
    frame = gpd.GeoDataFrame(frame[["code", "name", "group", "workload", "geometry"]], geometry="geometry",
                             crs=units.crs or "EPSG:4326")
    data = json.loads(frame.to_json(drop_id=True, to_wgs84=False))
    return json.dumps(_rounded(data, precision), ensure_ascii=False)


def _rounded(value, precision: int):
    if isinstance(value, float):
        return round(value, precision)
    if isinstance(value, list):
        return [_rounded(v, precision) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v, precision) for k, v in value.items()}
    return value
