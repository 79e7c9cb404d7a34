"""Command line: ``python -m layers vendor`` copies the OS-packaged map assets next to app.py."""

from __future__ import annotations

import sys

from geo.ospackages import apt_install
from geo.settings import PROJECT_ROOT
from layers.assets import DEBIAN_PACKAGES, vendor_assets


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args != ["vendor"]:
        print("usage: python -m layers vendor", file=sys.stderr)
        return 2
    apt_install(DEBIAN_PACKAGES)
    target = vendor_assets(PROJECT_ROOT / "static")
    print(f"Tài nguyên bản đồ cục bộ / local map assets: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
