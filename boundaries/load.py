"""Load every registered boundary layer into PostGIS in one transaction.

Order: verify all files (nothing is read before every checksum holds) -> check codes against
the official list -> repair the commune coverage -> derive provinces from communes (so every
commune nests in its province by construction) -> display geometries -> lineage -> write,
with a load-log row per layer -> quality report. Any failure rolls the whole load back.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy.engine import Engine
from tqdm import tqdm

from boundaries import display, lineage, sources, store
from boundaries.coverage import measure_coverage, repair_coverage
from boundaries.registry import Dataset, VerifiedFile, locate_datasets
from boundaries.report import LoadReport, write_quality_report
from boundaries.validate import check_codes
from geo.crs import WGS84, areas_km2
from geo.errors import BoundaryValidationError
from geo.settings import get_settings

log = logging.getLogger(__name__)

# Bump when the loader's output for the same files changes (repair, simplification, mapping).
LOADER_VERSION = "2026.11.1"
REFORM = date(2025, 7, 1)
# The validity of the pre-reform snapshots starts at the date each source describes.
PROVINCES_63_FROM = date(2008, 8, 1)  # Hà Tây joined Hà Nội: 63 provinces from this day
DISTRICTS_2019_FROM = date(2019, 10, 18)  # date of the district polygons
COMMUNES_PRE2025_FROM = date(2025, 1, 4)  # date of the pre-reform commune list

REQUIRED = ["communes_2025", "provinces_2025", "provinces_63", "admin_2019", "crosswalk_communes",
            "crosswalk_provinces", "official_2025", "communes_pre2025"]
LAYERS = ["communes_2025", "provinces_2025", "provinces_63", "districts_2019", "communes_pre2025",
          "lineage_communes", "lineage_provinces"]


def _progress(total: int, enabled: bool) -> tqdm:
    return tqdm(total=total, desc="Ranh giới / Boundaries", unit="bước", disable=not enabled,
                bar_format="{desc}: {n_fmt}/{total_fmt} {bar} {elapsed}")


def _repair_cached(geoms: np.ndarray, *, sha256: str, cache_dir: Path | None) -> np.ndarray:
    """Repair the coverage, reusing an earlier result for the same file and loader version."""
    cache = cache_dir / f"communes_repaired_{sha256[:16]}_{LOADER_VERSION}.parquet" if cache_dir else None
    if cache is not None and cache.exists():
        return gpd.read_parquet(cache).geometry.to_numpy()
    repaired = repair_coverage(geoms)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        gpd.GeoDataFrame(geometry=repaired, crs=WGS84).to_parquet(cache)
    return repaired


def _derive_provinces(communes: gpd.GeoDataFrame, official: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the 34 provinces as unions of their communes, names from the official list."""
    geoms = {code: shapely.coverage_union_all(group.geometry.to_numpy())
             for code, group in communes.groupby("parent_code")}
    provinces = official.rename(columns={"division_type": "unit_type"}).copy()
    provinces["unit_type"] = np.where(provinces["unit_type"].str.startswith("thành phố"), "Thành phố", "Tỉnh")
    provinces["short_name"] = provinces["name"].map(lambda s: sources.split_type_prefix(s)[1])
    provinces["parent_code"] = None
    population = communes.groupby("parent_code")["population"].sum()
    provinces["population"] = pd.array(provinces["code"].map(population), dtype="Int64")
    provinces["geometry"] = sources.as_multipolygons(np.array([geoms.get(c) for c in provinces["code"]], dtype=object))
    missing = provinces.loc[provinces["geometry"].isna(), "code"].tolist()
    if missing:
        raise BoundaryValidationError(f"Provinces {missing} have no commune: cannot derive their boundary.")
    return gpd.GeoDataFrame(provinces[sources.UNIT_COLUMNS + ["geometry"]], geometry="geometry", crs=WGS84)


def _province_agreement(derived: gpd.GeoDataFrame, source: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return, per province, the area and IoU of the derived boundary against the source layer."""
    src = source.set_index("code").geometry
    rows = []
    for code, geom in zip(derived["code"], derived.geometry):
        other = src.get(code)
        inter = shapely.intersection(geom, other) if other is not None else None
        union = shapely.union(geom, other) if other is not None else None
        a_der, a_src, a_int, a_uni = areas_km2(np.array([geom, other, inter, union], dtype=object))
        rows.append({"code": code, "area_derived_km2": a_der, "area_source_km2": a_src,
                     "iou": a_int / a_uni if a_uni else np.nan})
    return pd.DataFrame(rows)


def _display(geoms: np.ndarray, key: str, report: LoadReport) -> tuple[np.ndarray, np.ndarray]:
    detail = display.simplify_coverage(geoms, tolerance=display.DETAIL[0], grid=display.DETAIL[1])
    overview = display.simplify_coverage(geoms, tolerance=display.OVERVIEW[0], grid=display.OVERVIEW[1])
    report.display[key] = {
        "vertices_full": int(shapely.get_num_coordinates(geoms).sum()),
        "vertices_detail": int(shapely.get_num_coordinates(detail).sum()),
        "vertices_overview": int(shapely.get_num_coordinates(overview).sum()),
        "edge_mismatches_detail": display.count_edge_mismatches(detail),
        "edge_mismatches_overview": display.count_edge_mismatches(overview),
    }
    return detail, overview


def _historic(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    out["geometry"] = sources.as_multipolygons(out.geometry.to_numpy())
    return out


def load_boundaries(
    engine: Engine,
    *,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    reports_dir: Path | None = None,
    force: bool = False,
    show_progress: bool = True,
    registry: dict[str, Dataset] | None = None,
) -> LoadReport:
    """Load all registered boundary layers; skip when the same files were loaded already.

    Parameters
    ----------
    engine
        Engine of a database at the current migration.
    data_dir
        Folder of the datasets (default: the ``DIABAN_DATA_DIR`` setting).
    cache_dir
        Where to keep the repaired coverage between runs (None: no cache).
    reports_dir
        Where to write ``boundaries_quality.md`` (None: the settings' reports folder).
    force
        Re-run every step even when the load log says these files were loaded.
    registry
        Dataset registry to verify against (default: :data:`boundaries.registry.DATASETS`).
    """
    settings = get_settings()
    files: dict[str, VerifiedFile] = locate_datasets(REQUIRED, data_dir=data_dir, registry=registry)
    sha = {layer: files[_source_of(layer)].sha256 for layer in LAYERS}
    report = LoadReport(cache_dir=cache_dir)
    with engine.connect() as conn:
        done = store.loaded_versions(conn)
    if not force and all((layer, sha[layer], LOADER_VERSION) in done for layer in LAYERS):
        log.info("Boundaries already loaded from the same files (loader %s): nothing to do", LOADER_VERSION)
        report.skipped = True
        return report

    bar = _progress(9, show_progress)

    def step(text: str) -> None:
        log.info(text)
        bar.update(1)

    official_provinces, official_communes = sources.read_official_2025(files["official_2025"].path)
    communes = sources.read_layer(files["communes_2025"].path, layer="communes_2025",
                                  fields=sources.COMMUNES_2025_FIELDS, level="commune")
    province_src = sources.read_layer(files["provinces_2025"].path, layer="provinces_34_gisvn_simplified",
                                      fields=sources.PROVINCES_2025_FIELDS, level="province")
    commune_check = check_codes(communes, official_communes, level="commune")
    province_check = check_codes(province_src, official_provinces, level="province")
    report.code_checks = [province_check, commune_check]
    bad = [c for c in report.code_checks if not c.ok]
    if bad:
        raise BoundaryValidationError("; ".join(
            f"{c.level}: {c.matched}/{c.official} codes match, missing {c.missing[:10]}, unknown "
            f"{c.unknown[:10]}, duplicates {c.duplicates[:10]}, name mismatches {c.name_mismatches[:5]}"
            for c in bad))
    # Names and types come from the official list, the authority.
    official_names = official_communes.set_index("code")
    communes["name"] = communes["code"].map(official_names["name"])
    step(f"Mã đơn vị khớp danh mục: {province_check.matched}/34 tỉnh, {commune_check.matched:,}/3,321 xã")

    report.coverage_before = measure_coverage(communes.geometry.to_numpy())
    step(f"Trước sửa: chồng lấn {report.coverage_before.overlap_km2:.1f} km², "
         f"{report.coverage_before.small_holes:,} khe hở")
    repaired = _repair_cached(communes.geometry.to_numpy(), sha256=sha["communes_2025"],
                              cache_dir=cache_dir)
    communes["geometry"] = repaired
    report.coverage_after = measure_coverage(repaired)
    step(f"Sau sửa: chồng lấn {report.coverage_after.overlap_km2:.3f} km², "
         f"{report.coverage_after.small_holes:,} khe hở < 0,5 km²")

    provinces = _derive_provinces(communes, official_provinces)
    report.province_agreement = _province_agreement(provinces, province_src)
    nested = shapely.covers(
        provinces.set_index("code").geometry.reindex(communes["parent_code"]).to_numpy(),
        shapely.point_on_surface(communes.geometry.to_numpy()),
    )
    report.nesting = {"communes": len(communes), "nested": int(nested.sum())}
    step(f"Tỉnh dẫn xuất từ xã: {len(provinces)} tỉnh, {int(nested.sum()):,}/{len(communes):,} xã nằm trong tỉnh")

    commune_detail, commune_overview = _display(communes.geometry.to_numpy(), "communes_2025", report)
    province_detail, province_overview = _display(provinces.geometry.to_numpy(), "provinces_2025", report)
    step("Đã tạo hình hiển thị hai mức chi tiết")

    provinces_63 = _historic(sources.read_layer(files["provinces_63"].path, layer="provinces_63_odv",
                                                fields=sources.PROVINCES_63_FIELDS, level="province"))
    districts = _historic(sources.read_layer(files["admin_2019"].path, layer="districts_692_2019",
                                             fields=sources.DISTRICTS_2019_FIELDS, level="district"))
    old_communes = sources.read_communes_pre2025(files["communes_pre2025"].path)
    p63_detail, p63_overview = _display(provinces_63.geometry.to_numpy(), "provinces_63", report)
    d_detail, d_overview = _display(districts.geometry.to_numpy(), "districts_2019", report)
    step(f"Đơn vị cũ: {len(provinces_63)} tỉnh, {len(districts)} huyện (2019), {len(old_communes):,} xã")

    crosswalk = sources.read_csv_table(files["crosswalk_communes"].path,
                                       required=["ma_xa_cu", "ma_xa_moi", "phan_loai", "ghi_chu", "ma_huyen_cu"])
    commune_lineage, unused = lineage.commune_lineage(
        crosswalk, new_geoms=dict(zip(communes["code"], communes.geometry)))
    province_lineage = lineage.province_lineage(sources.read_csv_table(
        files["crosswalk_provinces"].path, required=["ma_tinh_cu", "ma_tinh_moi"]))
    split = commune_lineage[commune_lineage["kind"] == "part"]
    report.lineage = {
        "rows": len(commune_lineage), "unused_rows": len(unused),
        "old_communes": int(commune_lineage.loc[commune_lineage["old_level"] == "commune", "old_code"].nunique()),
        "split_old_communes": int(split.groupby(["old_level", "old_code"]).size().gt(1).sum()),
        "weights_area": int((commune_lineage["weight_method"] == "area").sum()),
        "weights_equal": int((commune_lineage["weight_method"] == "equal").sum()),
        "province_rows": len(province_lineage),
    }
    step(f"Phả hệ cũ → mới: {len(commune_lineage):,} dòng, {report.lineage['split_old_communes']} xã cũ bị chia")

    writes = [
        ("communes_2025", communes, "commune", REFORM, None, commune_detail, commune_overview),
        ("provinces_2025", provinces, "province", REFORM, None, province_detail, province_overview),
        ("provinces_63", provinces_63, "province", PROVINCES_63_FROM, REFORM, p63_detail, p63_overview),
        ("districts_2019", districts, "district", DISTRICTS_2019_FROM, REFORM, d_detail, d_overview),
        ("communes_pre2025", old_communes, "commune", COMMUNES_PRE2025_FROM, REFORM, None, None),
    ]
    with engine.begin() as conn:
        for layer, frame, level, valid_from, valid_to, detail, overview in writes:
            load_id = store.start_load_log(conn, dataset=layer, path=str(files[_source_of(layer)].path),
                                           sha256=sha[layer], loader_version=LOADER_VERSION)
            counts = store.write_units(conn, frame, level=level, valid_from=valid_from, valid_to=valid_to,
                                       load_id=load_id, detail=detail, overview=overview)
            store.finish_load_log(conn, load_id, counts, {"level": level, "valid_from": valid_from,
                                                          "valid_to": valid_to})
            report.counts[layer] = asdict(counts)
        for layer, rows in (("lineage_communes", commune_lineage), ("lineage_provinces", province_lineage)):
            load_id = store.start_load_log(conn, dataset=layer, path=str(files[_source_of(layer)].path),
                                           sha256=sha[layer], loader_version=LOADER_VERSION)
            counts = store.write_lineage(conn, rows, load_id=load_id)
            store.finish_load_log(conn, load_id, counts, dict(report.lineage) if layer == "lineage_communes" else {})
            report.counts[layer] = asdict(counts)
    step("Đã ghi vào PostGIS: " + ", ".join(f"{k} +{v['inserted']:,}" for k, v in report.counts.items()))


    report.report_path = write_quality_report(report, reports_dir or settings.reports_dir)
    step(f"Báo cáo chất lượng: {report.report_path}")
    bar.close()
    return report


def _source_of(layer: str) -> str:
    return {"provinces_2025": "communes_2025", "districts_2019": "admin_2019",
            "lineage_communes": "crosswalk_communes", "lineage_provinces": "crosswalk_provinces"}.get(layer, layer)
