"""Command line: ``python -m layers vendor`` copies the map assets next to app.py (set-up time)."""

from __future__ import annotations

import shutil
import sys

from geo.ospackages import apt_install
from geo.settings import PROJECT_ROOT
from layers.assets import vendor_all


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args != ["vendor"]:
        print("usage: python -m layers vendor", file=sys.stderr)
        return 2
    if shutil.which("npm") is None:
        apt_install(["npm"])
    static = PROJECT_ROOT / "static"
    for target in vendor_all(static):
        print(f"Tài nguyên bản đồ cục bộ / local map assets: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
