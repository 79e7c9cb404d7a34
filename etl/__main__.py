"""Command line: ``python -m etl prepare`` readies the database for the app."""

from __future__ import annotations

import argparse
import logging
import sys

from tqdm.contrib.logging import logging_redirect_tqdm

from etl.prepare import prepare_database
from geo.errors import DiabanError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Dữ liệu vào / data in")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="start/migrate the database, load boundaries and demo data if empty")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        with logging_redirect_tqdm():
            if args.command == "prepare":
                prepare_database()
    except DiabanError as exc:
        print(f"Lỗi / error: {exc}", file=sys.stderr)
        return 2
    print("Cơ sở dữ liệu sẵn sàng. / Database ready.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
