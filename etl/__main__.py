"""Command line: ``python -m etl prepare | import FILE [--type case] | demo [--scale S] [--seed N]``."""

from __future__ import annotations

import argparse
import logging
import sys

from tqdm.contrib.logging import logging_redirect_tqdm

from geo.errors import DiabanError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Dữ liệu vào / data in")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="start/migrate the database, load boundaries and demo data if empty")
    imp = sub.add_parser("import", help="import a CSV, .xlsx or GeoJSON file")
    imp.add_argument("file")
    imp.add_argument("--type", default="case", choices=["case", "petition", "discipline", "party_org"])
    imp.add_argument("--report", help="write the quarantine report (CSV) here")
    demo = sub.add_parser("demo", help="generate and import demo data")
    demo.add_argument("--scale", type=float, default=1.0, help="1 = about 200k records; 50 for benchmarks")
    demo.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from etl.prepare import prepare_database

    try:
        with logging_redirect_tqdm():
            if args.command == "prepare":
                prepare_database()
                print("Cơ sở dữ liệu sẵn sàng. / Database ready.")
            elif args.command == "import":
                from etl.importer import import_file
                from etl.quarantine import quarantine_report

                result = import_file(prepare_database(show_progress=False), args.file, record_type=args.type,
                                     show_progress=True)
                print(result.summary())
                if args.report:
                    with open(args.report, "wb") as fh:
                        fh.write(quarantine_report(result.quarantine))
            elif args.command == "demo":
                from etl.demo import generate_demo
                from geo.settings import get_settings

                engine = prepare_database(show_progress=False)
                done = generate_demo(engine, scale=args.scale, seed=args.seed,
                                     truth_dir=get_settings().reports_dir, show_progress=True)
                print(", ".join(f"{k}: {v:,}" for k, v in done.counts.items()))
    except DiabanError as exc:
        print(f"Lỗi / error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
