"""Realistic demo data, deterministic by seed, with known patterns planted for the analytics.

Volumes follow the yearly national figures of the domain notes (2024), scaled: ``scale=1``
is a quarter of the national volume, about 200 k records over 2021 – 2026; ``scale=4`` is
roughly the national volume. Party members are not scaled (≈ 5.6 M), so rates stay realistic.

Planted patterns, written to a ground-truth file:
- hotspots: a few communes whose violation rate is several times their neighbours';
- growing hotspots: communes whose cases rise steeply year after year;
- lagging units: communes and one province doing far less than their targets this year;
- overdue petitions concentrated in a few communes;
- silent units: a few large communes with no case decided in the last year.

Records before 2025-07-01 carry pre-2025 commune codes (from the lineage), some of them with no
coordinates, so re-attribution to the new units is exercised by every demo database.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from boundaries.point_index import CommuneIndex, load_commune_index
from etl.importer import copy_frame, import_rows
from etl.vocabulary import CATEGORIES, SECTORS
from geo.settings import get_settings

log = logging.getLogger(__name__)

# National yearly figures (2024) per kind, organisations + members, from the domain notes;
# TO_CAO and KHIEU_NAI are not published there: assumed.
NATIONAL_PER_YEAR = {
    "KT_DHVP": (3_100, 8_100), "KT_THNV": (33_500, 0), "KT_TAICHINH": (15_800, 0), "KT_KEKHAI": (0, 2_800),
    "GS_CHUYENDE": (9_000, 12_600), "GS_THUONGXUYEN": (21_000, 29_400), "TO_CAO": (800, 3_200),
    "KHIEU_NAI": (0, 600),
}
SCALE_1_SHARE = 0.25
MEMBERS_NATIONAL = 5_600_000
FIRST_YEAR = 2021
REFORM = date(2025, 7, 1)
# About a third of a year's activity falls in the first half.
MONTH_WEIGHTS = np.array([4, 5, 6, 6, 6, 6.3, 8, 9, 10, 11, 12, 16.7])
VIOLATION_SHARE = {"to_chuc": 0.5, "dang_vien": 0.75}  # of signs-of-violation inspections (2021)
PETITION_DUE_DAYS = {"to_cao": 90, "khieu_nai": 60, "phan_anh": 30}


@dataclass
class GroundTruth:
    hotspots: list[str] = field(default_factory=list)  # seed communes of planted clusters
    growing_hotspots: list[str] = field(default_factory=list)
    clusters: dict[str, list[str]] = field(default_factory=dict)  # seed -> the seed and its neighbours
    lagging_communes: list[str] = field(default_factory=list)
    lagging_provinces: list[str] = field(default_factory=list)
    overdue_petition_communes: list[str] = field(default_factory=list)
    surges: list[str] = field(default_factory=list)  # communes with a burst in the last 20 days
    silent_communes: list[str] = field(default_factory=list)  # large communes with no case in the last year
    seed: int = 0
    scale: float = 1.0
    today: str = ""


@dataclass
class DemoResult:
    counts: dict[str, int]
    truth: GroundTruth
    truth_path: Path | None


def _communes(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text(
            "SELECT code, parent_code AS province_code, coalesce(population, 0) AS population,"
            " ST_XMin(geom) AS xmin, ST_YMin(geom) AS ymin, ST_XMax(geom) AS xmax, ST_YMax(geom) AS ymax"
            " FROM admin_unit WHERE level = 'commune' AND valid_to IS NULL ORDER BY code"), conn)


def _old_codes(engine: Engine) -> dict[str, list[str]]:
    """New commune -> the old communes that (partly) formed it."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT new_code, old_code FROM unit_lineage WHERE old_level = 'commune' ORDER BY new_code, old_code"))
        inverse: dict[str, list[str]] = {}
        for new, old in rows:
            inverse.setdefault(new, []).append(old)
    return inverse


def _neighbours(engine: Engine, codes: list[str]) -> dict[str, list[str]]:
    """Each commune of ``codes`` with its queen neighbours: a hotspot is a cluster, not one unit."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT a.code, b.code FROM admin_unit a JOIN admin_unit b ON b.level = 'commune'"
            " AND b.valid_to IS NULL AND ST_Touches(a.geom, b.geom)"
            " WHERE a.level = 'commune' AND a.valid_to IS NULL AND a.code = ANY(:codes) ORDER BY 1, 2"),
            {"codes": codes}).all()
    out = {c: [c] for c in codes}
    for seed, other in rows:
        out[seed].append(other)
    return out


def _points_in(communes: pd.DataFrame, picks: np.ndarray, index: CommuneIndex, rng: np.random.Generator,
               ) -> tuple[np.ndarray, np.ndarray]:
    """Random points inside the chosen communes (rejection sampling against the commune grid)."""
    position = {c: i for i, c in enumerate(index.codes)}
    target = np.array([position[c] for c in communes["code"].to_numpy()[picks]])
    box = communes[["xmin", "ymin", "xmax", "ymax"]].to_numpy()[picks]
    lon, lat = np.full(len(picks), np.nan), np.full(len(picks), np.nan)
    todo = np.arange(len(picks))
    for _ in range(60):
        if len(todo) == 0:
            break
        x = rng.uniform(box[todo, 0], box[todo, 2])
        y = rng.uniform(box[todo, 1], box[todo, 3])
        hit = index.lookup(x, y) == target[todo]
        lon[todo[hit]], lat[todo[hit]] = x[hit], y[hit]
        todo = todo[~hit]
    return lon, lat  # points still NaN (slivers of islands) get no coordinates


def _dates(rng: np.random.Generator, n: int, year: int, today: date, growth: float = 0.0) -> np.ndarray:
    months = rng.choice(12, size=n, p=MONTH_WEIGHTS / MONTH_WEIGHTS.sum()) + 1
    days = rng.integers(1, 29, size=n)
    out = pd.to_datetime(pd.DataFrame({"year": year, "month": months, "day": days}))
    capped = out.where(out <= pd.Timestamp(today), pd.Timestamp(today) - pd.to_timedelta(rng.integers(0, 60, n), "D"))
    return capped.to_numpy()


def generate_demo(engine: Engine, *, seed: int = 7, scale: float = 1.0, today: date | None = None,
                  truth_dir: Path | None = None, show_progress: bool = False) -> DemoResult:
    """Generate and import the demo dataset; return counts and the planted ground truth."""
    rng = np.random.default_rng(seed)
    today = today or date.today()
    settings = get_settings()
    communes = _communes(engine)
    inverse = _old_codes(engine)
    with engine.connect() as conn:
        index = load_commune_index(conn, cache_dir=settings.cache_dir)
    n_communes = len(communes)
    population = communes["population"].to_numpy(dtype=float) + 500.0
    members = np.maximum(20, rng.normal(population / population.sum() * MEMBERS_NATIONAL,
                                        population / population.sum() * MEMBERS_NATIONAL * 0.15)).astype(int)

    truth = GroundTruth(seed=seed, scale=scale, today=today.isoformat())
    order = rng.permutation(n_communes)
    urban = order[members[order] > np.median(members)]
    seeds = _spread(communes, urban, 10)
    truth.hotspots = sorted(communes["code"].to_numpy()[seeds[:6]].tolist())
    truth.growing_hotspots = sorted(communes["code"].to_numpy()[seeds[6:10]].tolist())
    truth.clusters = _neighbours(engine, truth.hotspots + truth.growing_hotspots)
    urban = np.array([u for u in urban if communes["code"].iat[u] not in
                      {c for members_ in truth.clusters.values() for c in members_}])
    # Lagging communes are large ones: a small commune's shortfall is, rightly, within the noise.
    large = urban[members[urban] > np.quantile(members, 0.9)]
    truth.lagging_communes = sorted(communes["code"].to_numpy()[large[:12]].tolist())
    urban = np.array([u for u in urban if u not in set(large[:12])])
    provinces = sorted(communes["province_code"].unique())
    truth.lagging_provinces = [provinces[int(rng.integers(len(provinces)))]]
    truth.overdue_petition_communes = sorted(communes["code"].to_numpy()[urban[22:28]].tolist())
    truth.surges = sorted(communes["code"].to_numpy()[urban[28:31]].tolist())
    truth.silent_communes = sorted(communes["code"].to_numpy()[urban[31:34]].tolist())
    code_pos = {c: i for i, c in enumerate(communes["code"])}

    counts: dict[str, int] = {}
    orgs = _party_orgs(communes, members, rng)
    counts["party_org"] = import_rows(engine, orgs, record_type="party_org", file_name=f"demo-seed{seed}-orgs",
                                      sha256=_digest(seed, scale, "orgs"), show_progress=show_progress,
                                      today=today).rows_loaded

    cases = _cases(communes, members, inverse, index, rng, truth, code_pos, scale=scale, today=today)
    # Planted: a few large communes whose commission decided nothing in the last year.
    silent = cases["true_commune"].isin(truth.silent_communes) & (
        pd.to_datetime(cases["decision_date"]) > pd.Timestamp(today) - pd.Timedelta(days=366))
    cases = cases[~silent.to_numpy()].reset_index(drop=True)
    cases["source_row"] = np.arange(2, len(cases) + 2)
    result = import_rows(engine, cases.drop(columns=["true_commune"]), record_type="case", file_name=f"demo-seed{seed}-cases",
                         sha256=_digest(seed, scale, "cases"), show_progress=show_progress, today=today)
    counts["case"] = result.rows_loaded
    counts["case_quarantined"] = result.rows_quarantined

    discipline = _discipline(cases, rng, today=today)
    counts["discipline"] = import_rows(engine, discipline, record_type="discipline",
                                       file_name=f"demo-seed{seed}-discipline", sha256=_digest(seed, scale, "disc"),
                                       today=today).rows_loaded
    petitions = _petitions(communes, members, rng, truth, code_pos, scale=scale, today=today)
    counts["petition"] = import_rows(engine, petitions, record_type="petition",
                                     file_name=f"demo-seed{seed}-petitions", sha256=_digest(seed, scale, "pet"),
                                     today=today).rows_loaded
    counts["target"] = _write_targets(engine, cases, communes, truth, seed=seed, scale=scale, today=today)

    path = None
    if truth_dir is not None:
        truth_dir.mkdir(parents=True, exist_ok=True)
        path = truth_dir / "demo_ground_truth.json"
        path.write_text(json.dumps(truth.__dict__, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info("Demo data: %s", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return DemoResult(counts=counts, truth=truth, truth_path=path)


def _spread(communes: pd.DataFrame, candidates: np.ndarray, n: int) -> np.ndarray:
    """Pick ``n`` candidates at least 0.5° apart, so planted clusters do not touch each other."""
    centre = ((communes["xmin"] + communes["xmax"]) / 2).to_numpy(), ((communes["ymin"] + communes["ymax"]) / 2).to_numpy()
    chosen: list[int] = []
    for c in candidates:
        if all(np.hypot(centre[0][c] - centre[0][o], centre[1][c] - centre[1][o]) > 0.5 for o in chosen):
            chosen.append(int(c))
        if len(chosen) == n:
            break
    return np.array(chosen)


def _digest(seed: int, scale: float, part: str) -> str:
    return hashlib.sha256(f"demo|{seed}|{scale}|{part}".encode()).hexdigest()


def _party_orgs(communes: pd.DataFrame, members: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """One commune committee per commune and grassroots cells holding the members."""
    rows = []
    for province in sorted(communes["province_code"].unique()):
        rows.append({"source_id": f"TC-{province}", "name": f"Đảng bộ tỉnh {province}", "org_type": "dang_bo_tinh",
                     "parent_source_id": "", "members": "0", "province_code": province,
                     "commune_code": ""})
    cells_per_commune = np.clip(members // 250, 2, 40)
    for (code, province), total, cells in zip(communes[["code", "province_code"]].itertuples(index=False),
                                              members, cells_per_commune):
        parent = f"XA-{code}"
        rows.append({"source_id": parent, "name": f"Đảng bộ xã {code}", "org_type": "dang_bo_xa",
                     "parent_source_id": f"TC-{province}", "members": "0", "commune_code": code,
                     "province_code": ""})
        shares = rng.dirichlet(np.ones(cells) * 3)
        for k, share in enumerate(shares):
            rows.append({"source_id": f"CB-{code}-{k:02d}", "name": f"Chi bộ {k + 1} xã {code}",
                         "org_type": "chi_bo" if k else "co_so", "parent_source_id": parent,
                         "members": str(max(3, int(round(total * share)))), "commune_code": code,
                         "province_code": ""})
    frame = pd.DataFrame(rows)
    # Provincial committees have no commune: locate them by their province's first commune code.
    first = communes.groupby("province_code")["code"].first()
    missing = frame["commune_code"] == ""
    frame.loc[missing, "commune_code"] = frame.loc[missing, "province_code"].map(first)
    frame = frame.drop(columns=["province_code"])
    frame.insert(0, "source_row", np.arange(2, len(frame) + 2))
    return frame


def _cases(communes, members, inverse, index, rng, truth, code_pos, *, scale, today) -> pd.DataFrame:
    weights = members.astype(float)
    hot = np.array([code_pos[c] for seed in truth.hotspots for c in truth.clusters[seed]])
    growing = np.array([code_pos[c] for seed in truth.growing_hotspots for c in truth.clusters[seed]])
    lag = np.array([code_pos[c] for c in truth.lagging_communes])
    lag_province = communes["province_code"].isin(truth.lagging_provinces).to_numpy()
    parts = []
    for year in range(FIRST_YEAR, today.year + 1):
        year_share = 1.0 if year < today.year else (today.timetuple().tm_yday / 365.0)
        for kind, (orgs_n, members_n) in NATIONAL_PER_YEAR.items():
            for subject_type, national in (("to_chuc", orgs_n), ("dang_vien", members_n)):
                n = int(rng.poisson(national * SCALE_1_SHARE * scale * year_share))
                if n == 0:
                    continue
                w = weights.copy()
                if kind in ("KT_DHVP", "TO_CAO"):
                    w[hot] *= 6.0
                    w[growing] *= 1.0 + 2.0 * (year - FIRST_YEAR)  # x1 in 2021 -> x11 in 2026
                if year == today.year:
                    w[lag] *= 0.1  # a tenth of their usual activity: far below target, not noise
                    w[lag_province] *= 0.45
                picks = rng.choice(len(w), size=n, p=w / w.sum())
                parts.append(pd.DataFrame({"kind": kind, "subject_type": subject_type, "pick": picks,
                                           "decision_date": _dates(rng, n, year, today)}))
    surge = np.repeat([code_pos[c] for c in truth.surges], 12)  # planted: a sudden burst of denunciations
    parts.append(pd.DataFrame({"kind": "TO_CAO", "subject_type": "dang_vien", "pick": surge,
                               "decision_date": (pd.Timestamp(today) - pd.to_timedelta(
                                   rng.integers(0, 20, len(surge)), "D")).to_numpy()}))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["decision_date", "kind"], kind="stable").reset_index(drop=True)
    n = len(frame)
    picks = frame["pick"].to_numpy()
    lon, lat = _points_in(communes, picks, index, rng)
    dates = pd.to_datetime(frame["decision_date"])
    before = (dates < pd.Timestamp(REFORM)).to_numpy()
    codes = communes["code"].to_numpy()[picks]
    old = np.array([(inverse.get(c) or [""])[int(rng.integers(len(inverse.get(c) or [""])))] for c in codes])
    only_code = rng.random(n) < np.where(before, 0.3, 0.15)
    age_days = (pd.Timestamp(today) - dates).dt.days.to_numpy()
    status = np.select([age_days < 30, age_days < 90, age_days < 150, age_days < 240, age_days < 400],
                       ["quyet_dinh", "tham_tra", "bao_cao", "ket_luan", "theo_doi"], "dong")
    concluded = np.isin(status, ["ket_luan", "theo_doi", "dong"])
    violation_p = np.where(frame["subject_type"] == "to_chuc", VIOLATION_SHARE["to_chuc"], VIOLATION_SHARE["dang_vien"])
    violation_p = np.where(frame["kind"].isin(["KT_DHVP", "TO_CAO", "KT_KEKHAI"]), violation_p, 0.08)
    hot_row = np.isin(picks, np.r_[hot, growing]) & frame["kind"].isin(["KT_DHVP", "TO_CAO"]).to_numpy()
    violation_p = np.where(hot_row, 0.9, violation_p)
    violated = concluded & (rng.random(n) < violation_p)
    must = violated & (rng.random(n) < np.where(frame["subject_type"] == "dang_vien", 0.55, 0.2))
    conclusion = np.where(~concluded, "", np.where(must, "vi_pham_phai_ky_luat", np.where(
        violated, "vi_pham_chua_ky_luat", np.where(rng.random(n) < 0.3, "co_khuyet_diem", "khong_vi_pham"))))
    cat_codes = list(CATEGORIES)
    cat_p = np.array([8, 10, 14, 12, 9, 6, 5, 5, 7, 6, 4], dtype=float)
    cats = rng.choice(len(cat_codes), size=(n, 2), p=cat_p / cat_p.sum())
    two = rng.random(n) < 0.3
    categories = np.where(~violated, "", np.where(two, [f"{cat_codes[a]}|{cat_codes[b]}" for a, b in cats],
                                                  [cat_codes[a] for a in cats[:, 0]]))
    sector_codes = list(SECTORS)
    out = pd.DataFrame({
        "source_row": np.arange(2, n + 2),
        "source_id": [f"VV-{d:%Y}-{i:08d}" for i, d in zip(range(n), dates)],
        "kind": frame["kind"],
        "acting_level": rng.choice(["trung_uong", "tinh", "xa"], size=n, p=[0.05, 0.35, 0.60]),
        "subject_type": frame["subject_type"],
        "subject_level": np.where(frame["subject_type"] == "dang_vien",
                                  rng.choice(["dang_vien", "cap_uy_vien", "can_bo_quan_ly"], size=n, p=[0.6, 0.3, 0.1]), ""),
        "subject_ref": [f"DT-{x:09d}" for x in rng.integers(0, 10**9, n)],
        "sector": rng.choice(sector_codes, size=n),
        "categories": categories,
        "decision_no": [f"{x}-QĐ/UBKT" for x in rng.integers(1, 999, n)],
        "decision_date": dates.dt.strftime("%Y-%m-%d"),
        "planned_end": (dates + pd.to_timedelta(90, "D")).dt.strftime("%Y-%m-%d"),
        "actual_end": np.where(concluded, (dates + pd.to_timedelta(rng.integers(45, 150, n), "D")).clip(
            upper=pd.Timestamp(today)).dt.strftime("%Y-%m-%d"), ""),
        "status": status,
        "conclusion": conclusion,
        "classification": rng.choice(["thuong", "mat", "toi_mat"], size=n, p=[0.85, 0.12, 0.03]),
        "lon": np.where(only_code | np.isnan(lon), "", np.round(lon, 6).astype(str)),
        "lat": np.where(only_code | np.isnan(lat), "", np.round(lat, 6).astype(str)),
        "commune_code": np.where(before, "", codes),
        "old_commune_code": np.where(before, old, ""),
        "true_commune": codes,  # not imported: the generator's own answer, for targets
    })
    # A record with neither coordinates nor any code would be unlocatable: give it the new code.
    none = (out["lon"] == "") & (out["commune_code"] == "") & (out["old_commune_code"] == "")
    out.loc[none, "commune_code"] = codes[none.to_numpy()]
    return out


def _discipline(cases: pd.DataFrame, rng: np.random.Generator, *, today: date) -> pd.DataFrame:
    must = cases[cases["conclusion"] == "vi_pham_phai_ky_luat"]
    decided = must[rng.random(len(must)) < 0.85]  # the rest: "must discipline" with no decision yet
    n = len(decided)
    member = decided["subject_type"].to_numpy() == "dang_vien"
    forms = np.where(member, rng.choice(["khien_trach", "canh_cao", "cach_chuc", "khai_tru"], size=n,
                                        p=[0.6, 0.3, 0.05, 0.05]),
                     rng.choice(["khien_trach", "canh_cao", "giai_tan"], size=n, p=[0.7, 0.28, 0.02]))
    end = pd.to_datetime(decided["actual_end"].replace("", None)).fillna(pd.Timestamp(today))
    date_ = (end + pd.to_timedelta(rng.integers(5, 40, n), "D")).clip(upper=pd.Timestamp(today))
    return pd.DataFrame({
        "source_row": np.arange(2, n + 2),
        "source_id": "KL-" + decided["source_id"].str.slice(3).to_numpy(),
        "subject_type": decided["subject_type"].to_numpy(),
        "subject_ref": decided["subject_ref"].to_numpy(),
        "form": forms,
        "deciding_level": decided["acting_level"].to_numpy(),
        "decision_date": date_.dt.strftime("%Y-%m-%d").to_numpy(),
        "categories": decided["categories"].to_numpy(),
        "case_source_id": decided["source_id"].to_numpy(),
        "appealed": np.where(rng.random(n) < 0.04, "true", "false"),
        "rehabilitated": "false",
        "classification": decided["classification"].to_numpy(),
        "lon": decided["lon"].to_numpy(), "lat": decided["lat"].to_numpy(),
        "commune_code": decided["commune_code"].to_numpy(), "old_commune_code": decided["old_commune_code"].to_numpy(),
    })


def _petitions(communes, members, rng, truth, code_pos, *, scale, today) -> pd.DataFrame:
    per_year = 12_000 * SCALE_1_SHARE * scale
    parts = []
    overdue = np.array([code_pos[c] for c in truth.overdue_petition_communes])
    for year in range(FIRST_YEAR, today.year + 1):
        year_share = 1.0 if year < today.year else today.timetuple().tm_yday / 365.0
        n = int(rng.poisson(per_year * year_share))
        picks = rng.choice(len(members), size=n, p=members / members.sum())
        parts.append(pd.DataFrame({"pick": picks, "received": _dates(rng, n, year, today)}))
    if len(overdue):  # planted: a backlog of unresolved petitions in a few communes
        extra = np.repeat(overdue, 12)
        received = pd.Timestamp(today) - pd.to_timedelta(rng.integers(120, 300, len(extra)), "D")
        parts.append(pd.DataFrame({"pick": extra, "received": received}))
    frame = pd.concat(parts, ignore_index=True)
    n = len(frame)
    kinds = rng.choice(["to_cao", "khieu_nai", "phan_anh"], size=n, p=[0.55, 0.15, 0.30])
    received = pd.to_datetime(frame["received"])
    due = received + pd.to_timedelta([PETITION_DUE_DAYS[k] for k in kinds], "D")
    planted = np.isin(frame["pick"].to_numpy(), overdue) & ((pd.Timestamp(today) - received).dt.days > 100).to_numpy()
    resolved_at = received + pd.to_timedelta(rng.integers(10, 80, n), "D")
    resolved = (resolved_at <= pd.Timestamp(today)).to_numpy() & ~planted & (rng.random(n) < 0.97)
    codes = communes["code"].to_numpy()[frame["pick"].to_numpy()]
    return pd.DataFrame({
        "source_row": np.arange(2, n + 2),
        "source_id": [f"DT-{i:08d}" for i in range(n)],
        "petition_type": kinds,
        "received_date": received.dt.strftime("%Y-%m-%d"),
        "competent_level": rng.choice(["tinh", "xa"], size=n, p=[0.4, 0.6]),
        "eligible": np.where(rng.random(n) < 0.9, "true", "false"),
        "due_date": due.dt.strftime("%Y-%m-%d"),
        "resolved_date": np.where(resolved, resolved_at.dt.strftime("%Y-%m-%d"), ""),
        "result": np.where(resolved, rng.choice(["dung", "dung_mot_phan", "sai"], size=n, p=[0.2, 0.3, 0.5]), ""),
        "commune_code": codes,
        "classification": "thuong",
    })


def _write_targets(engine, cases, communes, truth, *, seed, scale, today) -> int:
    """Annual targets per commune commission: last year's actual, rounded, at least 1."""
    by_commune = cases.assign(year=cases["decision_date"].str.slice(0, 4).astype(int),
                              commune_code=cases["true_commune"])
    rows = []
    for year in range(FIRST_YEAR, today.year + 1):
        basis = by_commune[by_commune["year"] == (year - 1 if year > FIRST_YEAR else year)]
        grouped = basis.groupby(["commune_code", "kind", "subject_type"]).size()
        for (code, kind, subject_type), count in grouped.items():
            planned = max(1, int(round(count * (1.05 if year > FIRST_YEAR else 1.0))))
            rows.append((f"CT-{year}-{code}-{kind}-{subject_type}", "commune", code, year, kind, subject_type, planned))
    frame = pd.DataFrame(rows, columns=["source_id", "unit_level", "unit_code", "year", "kind", "subject_type", "planned"])
    province_of = dict(zip(communes["code"], communes["province_code"]))
    frame["province_code"] = frame["unit_code"].map(province_of)
    frame["commune_code"] = frame["unit_code"]
    frame["classification"] = "thuong"
    frame["source_file"] = f"demo-seed{seed}-targets"
    frame["source_row"] = np.arange(2, len(frame) + 2)
    frame["source_sha256"] = _digest(seed, scale, "targets")
    frame["content_hash"] = [hashlib.md5(s.encode()).hexdigest() for s in frame["source_id"]]
    with engine.begin() as conn:
        batch = conn.execute(sa.text(
            "INSERT INTO import_batch (record_type, file_name, sha256, rows_in, rows_loaded, rows_inserted, finished_at)"
            " VALUES ('target', :f, :s, :n, :n, :n, now()) RETURNING id"),
            {"f": f"demo-seed{seed}-targets", "s": _digest(seed, scale, "targets"), "n": len(frame)}).scalar_one()
        conn.execute(sa.text("DELETE FROM target WHERE source_file = :f"), {"f": f"demo-seed{seed}-targets"})
        copy_frame(conn, "target", frame.assign(batch_id=batch))
    return len(frame)
