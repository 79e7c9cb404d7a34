"""Command line: ``python -m boundaries load [--force] [--data-dir DIR]``."""

from __future__ import annotations

import argparse
import logging
import sys

from tqdm.contrib.logging import logging_redirect_tqdm

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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = get_settings()
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


if __name__ == "__main__":
    sys.exit(main())
