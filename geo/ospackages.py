"""Install Debian packages the platform needs (PostGIS, Leaflet) when they are missing."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess

from geo.errors import DatabaseSetupError

log = logging.getLogger(__name__)


def package_installed(name: str) -> bool:
    """Tell whether a Debian package is installed."""
    if shutil.which("dpkg-query") is None:
        return False
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True)
    return done.returncode == 0 and "install ok installed" in done.stdout


def apt_install(packages: list[str]) -> None:
    """Install ``packages`` with apt-get (root only), refreshing the package lists once if needed."""
    missing = [p for p in packages if not package_installed(p)]
    if not missing:
        return
    if os.geteuid() != 0:
        raise DatabaseSetupError(
            f"Missing OS packages {' '.join(missing)}: run once as root, or install them with "
            f"`apt-get install {' '.join(missing)}`."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log.info("Installing %s from the OS packages", " ".join(missing))
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
        done = subprocess.run(install, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise DatabaseSetupError(
                f"Could not install {' '.join(missing)} with apt-get: {done.stderr.strip()[-500:]}"
            )
