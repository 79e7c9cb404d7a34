"""The boundary quality report: what the source files were like and what the loader made of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from boundaries.coverage import CoverageStats
from boundaries.validate import CodeCheck


@dataclass
class LoadReport:
    """Figures of one boundary load, for the log, the quality report and the tests."""

    skipped: bool = False
    counts: dict[str, dict] = field(default_factory=dict)
    code_checks: list[CodeCheck] = field(default_factory=list)
    coverage_before: CoverageStats | None = None
    coverage_after: CoverageStats | None = None
    province_agreement: pd.DataFrame | None = None
    nesting: dict[str, int] = field(default_factory=dict)
    lineage: dict[str, int] = field(default_factory=dict)
    display: dict[str, dict] = field(default_factory=dict)
    report_path: Path | None = None
    cache_dir: Path | None = None


def _coverage_rows(report: LoadReport) -> list[str]:
    b, a = report.coverage_before, report.coverage_after
    rows = [
        ("Chồng lấn giữa xã kề nhau / overlap between neighbours (km²)", f"{b.overlap_km2:,.2f}", f"{a.overlap_km2:,.4f}"),
        ("Cặp chồng lấn / overlapping pairs", f"{b.overlap_pairs:,}", f"{a.overlap_pairs:,}"),
        ("Cặp chồng lấn > 0,01 km² / pairs over 0.01 km²", f"{b.overlaps_over_tolerance:,}", f"{a.overlaps_over_tolerance:,}"),
        ("Chồng lấn lớn nhất / largest overlap (km²)", f"{b.max_overlap_km2:.4f}", f"{a.max_overlap_km2:.4f}"),
        ("Khe hở < 0,5 km² / holes under 0.5 km²", f"{b.small_holes:,} ({b.small_holes_km2:,.2f} km²)", f"{a.small_holes:,} ({a.small_holes_km2:,.2f} km²)"),
        ("Lỗ ≥ 0,5 km² (giữ lại) / holes kept", f"{b.large_holes:,} ({b.large_holes_km2:,.2f} km²)", f"{a.large_holes:,} ({a.large_holes_km2:,.2f} km²)"),
        ("Tổng diện tích / total area (km²)", f"{b.area_km2:,.1f}", f"{a.area_km2:,.1f}"),
    ]
    return [f"| {name} | {before} | {after} |" for name, before, after in rows]


def render_quality_report(report: LoadReport) -> str:
    """Return the report as Markdown."""
    lines = [
        "# Báo cáo chất lượng ranh giới / Boundary quality report",
        "",
        f"Tạo lúc / generated {datetime.now().isoformat(timespec='seconds')}.",
        "",
        "## Mã so với danh mục chính thức / Codes against the official list",
        "",
        "| cấp / level | chính thức / official | nguồn / source | khớp mã / codes matched | khớp tên / names matched |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {c.level} | {c.official:,} | {c.source:,} | {c.matched:,} | {c.names_matched:,} |" for c in report.code_checks]
    lines += ["", "## Lớp phủ xã 2025 / Commune coverage", "",
              "| chỉ số / figure | trước / before | sau / after |", "|---|---|---|"]
    lines += _coverage_rows(report)
    lines += ["", "## Lồng ghép / Nesting", "",
              f"{report.nesting.get('nested', 0):,} / {report.nesting.get('communes', 0):,} xã nằm trong tỉnh của mình "
              "(tỉnh dẫn xuất bằng hợp các xã / provinces derived as the union of their communes).", "",
              "### Tỉnh dẫn xuất so với lớp tỉnh nguồn / Derived provinces against the source province layer", "",
              "| mã / code | diện tích dẫn xuất / derived km² | nguồn / source km² | IoU |", "|---|---|---|---|"]
    agreement = report.province_agreement
    if agreement is not None:
        lines += [f"| {r.code} | {r.area_derived_km2:,.1f} | {r.area_source_km2:,.1f} | {r.iou:.4f} |"
                  for r in agreement.itertuples()]
    lines += ["", "## Hình hiển thị / Display geometries", "",
              "| lớp / layer | đỉnh gốc / vertices | chi tiết / detail | tổng quan / overview | cạnh lệch chi tiết / edge mismatches detail | tổng quan / overview |",
              "|---|---|---|---|---|---|"]
    lines += [f"| {k} | {v['vertices_full']:,} | {v['vertices_detail']:,} | {v['vertices_overview']:,} | "
              f"{v['edge_mismatches_detail']} | {v['edge_mismatches_overview']} |" for k, v in report.display.items()]
    lines += ["", "## Phả hệ cũ → mới / Lineage", ""]
    lines += [f"- {k}: {v:,}" for k, v in report.lineage.items()]
    lines += ["", "## Ghi vào cơ sở dữ liệu / Written", "",
              "| lớp / layer | vào / in | thêm / inserted | giữ nguyên / unchanged | đóng / closed |", "|---|---|---|---|---|"]
    lines += [f"| {k} | {v['rows_in']:,} | {v['inserted']:,} | {v['unchanged']:,} | {v['closed']:,} |"
              for k, v in report.counts.items()]
    lines += ["", "## Khiếm khuyết đã biết của nguồn / Known source defects", "",
              "- Trường Sa is a 3,876 km² envelope in the source (attribute area 496 km²): points in the sea "
              "inside it resolve to Trường Sa.",
              "- Quảng Ninh (22) has no district polygons in the 2019 layer.",
              "- Old communes have no polygons, so split old communes are weighted by equal shares "
              "(`weight_method = equal`).", ""]
    return "\n".join(lines)


def write_quality_report(report: LoadReport, folder: Path) -> Path:
    """Write ``boundaries_quality.md`` into ``folder`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "boundaries_quality.md"
    path.write_text(render_quality_report(report), encoding="utf-8")
    return path
