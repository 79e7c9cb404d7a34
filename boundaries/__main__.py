"""Command line: ``python -m boundaries load [--force] [--data-dir DIR]`` and
``python -m boundaries departments show|load FILE.csv`` (the editable regional-departments table)."""

from __future__ import annotations

import argparse
import logging
import sys

import pandas as pd
from tqdm.contrib.logging import logging_redirect_tqdm

from boundaries.departments import read_departments, replace_departments
from boundaries.load import load_boundaries
from geo.database import database_url, get_engine, migrate
from geo.errors import DiabanError
from geo.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m boundaries",
                                     description="Nạp ranh giới hành chính / load administrative boundaries")
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="verify, repair and load every registered boundary layer")
    load.add_argument("--force", action="store_true", help="redo every step even if these files were loaded")
    load.add_argument("--data-dir", help="folder of the datasets (default: DIABAN_DATA_DIR)")
    dep = sub.add_parser("departments", help="show or replace the regional departments table")
    dep.add_argument("action", choices=["show", "load"])
    dep.add_argument("file", nargs="?", help="CSV with department_code, department_name, province_code")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = get_settings()
    if args.command == "departments":
        return departments(args)
    try:
        with logging_redirect_tqdm():
            url = database_url(settings)
            migrate(url)
            report = load_boundaries(get_engine(url), data_dir=args.data_dir,
                                     cache_dir=settings.cache_dir, force=args.force)
    except DiabanError as exc:
        print(f"Lỗi / error: {exc}", file=sys.stderr)
        return 2
    if report.skipped:
        print("Ranh giới đã nạp từ đúng các tệp này: không đổi gì. / Already loaded from these files: nothing changed.")
    else:
        print(f"Xong / done. Báo cáo chất lượng / quality report: {report.report_path}")
    return 0


def departments(args: argparse.Namespace) -> int:
    """Print the table as CSV, or replace it from a CSV in one transaction."""
    engine = get_engine(database_url())
    try:
        if args.action == "show":
            with engine.connect() as conn:
                print(read_departments(conn).to_csv(index=False), end="")
            return 0
        if not args.file:
            print("Cần tệp CSV / a CSV file is needed: python -m boundaries departments load FILE.csv", file=sys.stderr)
            return 2
        frame = pd.read_csv(args.file, dtype=str, encoding="utf-8-sig")
        with engine.begin() as conn:
            unassigned = replace_departments(conn, frame)
    except (DiabanError, OSError, pd.errors.ParserError) as exc:
        print(f"Lỗi / error: {exc}", file=sys.stderr)
        return 2
    print("Đã thay bảng vụ địa bàn / departments replaced."
          + (f" Tỉnh chưa thuộc vụ nào / provinces in no department: {', '.join(unassigned)}" if unassigned else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
