"""The embedded PostGIS default: a private PostgreSQL cluster inside the project.

When ``DATABASE_URL`` is unset, :func:`start_cluster` installs PostGIS from the OS packages
if missing, ``initdb``s a cluster under ``<state_dir>/pg``, starts it on a free loopback port
and creates the database with the ``postgis`` extension. Starting twice reuses the running
cluster; a pid file left by a crash is removed. PostgreSQL refuses to run as root, so under
root the server runs as the ``postgres`` OS user that Debian's package creates.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from geo.errors import DatabaseSetupError
from geo.ospackages import apt_install
from geo.settings import Settings, get_settings

log = logging.getLogger(__name__)

_PG_ROOT = Path("/usr/lib/postgresql")
_SUPERUSER = "diaban"
_SERVER_OS_USER = "postgres"


@dataclass(frozen=True)
class ClusterInfo:
    """Where the embedded cluster lives and how to reach it."""

    data_dir: Path
    port: int
    user: str
    password: str

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"


def _find_bin_dir() -> Path | None:
    """Return the newest PostgreSQL bin dir whose server has the PostGIS extension."""
    if not _PG_ROOT.is_dir():
        return None
    versions = sorted((p for p in _PG_ROOT.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    for version_dir in reversed(versions):
        control = Path("/usr/share/postgresql") / version_dir.name / "extension" / "postgis.control"
        if (version_dir / "bin" / "initdb").exists() and control.exists():
            return version_dir / "bin"
    return None


def ensure_postgis_installed() -> Path:
    """Return the PostgreSQL bin dir, installing PostgreSQL and PostGIS if they are missing."""
    bin_dir = _find_bin_dir()
    if bin_dir is not None:
        return bin_dir
    if os.geteuid() != 0:
        raise DatabaseSetupError(
            "PostGIS is not installed. Run as root once, or install it yourself: "
            "apt-get install postgresql postgresql-15-postgis-3 (or set DATABASE_URL)."
        )
    existing = sorted((p.name for p in _PG_ROOT.glob("[0-9]*")), key=int) if _PG_ROOT.is_dir() else []
    version = existing[-1] if existing else None
    packages = [f"postgresql-{version}-postgis-3"] if version else ["postgresql", "postgis"]
    apt_install(packages)
    if _find_bin_dir() is None and not version:
        # The meta-package pulled the default server; add its PostGIS build explicitly.
        version = sorted((p.name for p in _PG_ROOT.glob("[0-9]*")), key=int)[-1]
        apt_install([f"postgresql-{version}-postgis-3"])
    bin_dir = _find_bin_dir()
    if bin_dir is None:
        raise DatabaseSetupError("PostGIS was installed but its extension files were not found.")
    return bin_dir


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", _SERVER_OS_USER, "--", *cmd]
    return cmd


def _run(cmd: list[str], *, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(_as_server_user(cmd), capture_output=True, text=True)
    if check and done.returncode != 0:
        raise DatabaseSetupError(f"{Path(cmd[0]).name} failed: {(done.stderr or done.stdout).strip()[-800:]}")
    return done


def _chown_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, _SERVER_OS_USER, _SERVER_OS_USER)


def prepare_server_dir(path: Path) -> Path:
    """Create a folder the server's OS user owns (mode 0700) and return it."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    _chown_to_server_user(path)
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As PostgreSQL binds: a port whose last connections linger in TIME_WAIT after a stop is
        # free for it, and a restart must keep its port or running apps cannot reconnect.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _paths(settings: Settings) -> tuple[Path, Path, Path]:
    root = settings.state_dir / "pg"
    return root, root / "data", settings.state_dir / "pg-cluster.json"


@contextmanager
def _locked(settings: Settings):
    """Serialise start/stop between processes (the app and a test run may start together)."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.state_dir / "pg.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _init_cluster(bin_dir: Path, root: Path, data_dir: Path, info_file: Path) -> ClusterInfo:
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o700)
    _chown_to_server_user(root)
    password = secrets.token_urlsafe(24)
    pwfile = root / "pwfile"
    pwfile.write_text(password)
    _chown_to_server_user(pwfile)
    try:
        _run([str(bin_dir / "initdb"), "-D", str(data_dir), "-U", _SUPERUSER, "-E", "UTF8",
              "--locale=C.UTF-8", "--auth=scram-sha-256", f"--pwfile={pwfile}"])
    finally:
        pwfile.unlink(missing_ok=True)
    info = ClusterInfo(data_dir=data_dir, port=_free_port(), user=_SUPERUSER, password=password)
    info_file.write_text(json.dumps({"port": info.port, "user": info.user, "password": password}))
    info_file.chmod(0o600)
    log.info("Initialised a PostgreSQL cluster in %s", data_dir)
    return info


def _read_info(data_dir: Path, info_file: Path) -> ClusterInfo:
    raw = json.loads(info_file.read_text())
    return ClusterInfo(data_dir=data_dir, port=int(raw["port"]), user=raw["user"], password=raw["password"])


def _is_running(bin_dir: Path, data_dir: Path) -> bool:
    return _run([str(bin_dir / "pg_ctl"), "status", "-D", str(data_dir)], check=False).returncode == 0


def archive_dir(settings: Settings) -> Path | None:
    """The folder WAL is archived into: the setting, else the one `python -m geo backup` enabled, else None."""
    if settings.wal_archive_dir is not None:
        return Path(settings.wal_archive_dir)
    marker = settings.state_dir / "pg-archive.json"
    if marker.exists():
        return Path(json.loads(marker.read_text())["wal_dir"])
    return None


def archive_command(wal_dir: Path | None) -> str:
    """The shell command PostgreSQL runs for each finished WAL segment (``/bin/true`` = archiving off).

    Copies to a temporary name, fsyncs, then renames, and never overwrites a segment already
    archived (a second copy of a name is a sign of two clusters sharing one folder).
    """
    if wal_dir is None:
        return "/bin/true"
    d = str(wal_dir)
    if any(c in d for c in "\"'\n"):
        raise DatabaseSetupError(f"The WAL archive folder may not contain quotes or new lines: {d!r}")
    return (f'test ! -f "{d}/%f" && cp "%p" "{d}/%f.part" && sync "{d}/%f.part" '
            f'&& mv "{d}/%f.part" "{d}/%f"')


def write_server_options(data_dir: Path, port: int, *, wal_dir: Path | None = None, small: bool = False,
                         extra: str = "") -> None:
    """Write the options we own into ``diaban.conf``, included from the main file.

    Every cluster can serve standbys (``wal_level = replica``, WAL senders) and archives its WAL
    when ``wal_dir`` is given (``archive_mode`` is always on, so turning archiving on or off
    later is a reload, not a restart). ``small`` halves memory for drills and standbys in tests.
    """
    conf = data_dir / "diaban.conf"
    conf.write_text(
        f"port = {port}\n"
        "listen_addresses = '127.0.0.1'\n"
        "unix_socket_directories = ''\n"
        "max_connections = 200\n"
        f"shared_buffers = {'128MB' if small else '512MB'}\n"
        "work_mem = 32MB\n"
        f"maintenance_work_mem = {'64MB' if small else '512MB'}\n"
        "fsync = on\n"
        # jit is off for the server, not per connection: PgBouncer does not pass `options` on.
        "jit = off\n"
        "wal_level = replica\n"
        "max_wal_senders = 10\n"
        "max_replication_slots = 10\n"
        "hot_standby = on\n"
        "hot_standby_feedback = on\n"
        "wal_keep_size = 128MB\n"
        "archive_mode = on\n"
        f"archive_command = '{archive_command(wal_dir)}'\n"
        f"archive_timeout = {60 if wal_dir is not None else 0}\n"
        + extra
    )
    _chown_to_server_user(conf)
    main_conf = data_dir / "postgresql.conf"
    text = main_conf.read_text()
    if "include_if_exists = 'diaban.conf'" not in text:
        main_conf.write_text(text + "\ninclude_if_exists = 'diaban.conf'\n")


def _start_server(bin_dir: Path, info: ClusterInfo, root: Path, wal_dir: Path | None = None) -> ClusterInfo:
    pid_file = info.data_dir / "postmaster.pid"
    if pid_file.exists():
        log.warning("Removing a stale pid file left by a server that is no longer running: %s", pid_file)
        pid_file.unlink()
    port = info.port if _port_is_free(info.port) else _free_port()
    if port != info.port:
        info = ClusterInfo(info.data_dir, port, info.user, info.password)
    if wal_dir is not None:
        prepare_server_dir(wal_dir)
    write_server_options(info.data_dir, port, wal_dir=wal_dir)
    _run([str(bin_dir / "pg_ctl"), "start", "-w", "-t", "120", "-D", str(info.data_dir),
          "-l", str(root / "server.log")])
    return info


def _ensure_database(info: ClusterInfo, database: str) -> None:
    conninfo = dict(host="127.0.0.1", port=info.port, user=info.user, password=info.password)
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    with psycopg.connect(dbname=database, autocommit=True, **conninfo) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def start_cluster(settings: Settings | None = None) -> ClusterInfo:
    """Start (or reuse) the embedded cluster and make sure the project database exists.

    Returns
    -------
    ClusterInfo
        Connection details; ``info.url(settings.database_name)`` is a SQLAlchemy URL.
    """
    settings = settings or get_settings()
    bin_dir = ensure_postgis_installed()
    root, data_dir, info_file = _paths(settings)
    with _locked(settings):
        if not (data_dir / "PG_VERSION").exists():
            info = _init_cluster(bin_dir, root, data_dir, info_file)
        else:
            info = _read_info(data_dir, info_file)
        if not _is_running(bin_dir, data_dir):
            started = _start_server(bin_dir, info, root, archive_dir(settings))
            if started.port != info.port:
                info_file.write_text(json.dumps({"port": started.port, "user": started.user,
                                                 "password": started.password}))
            info = started
            log.info("Started the embedded PostgreSQL on 127.0.0.1:%d", info.port)
        _ensure_database(info, settings.database_name)
    return info


def stop_cluster(settings: Settings | None = None) -> bool:
    """Stop the embedded cluster; return False when it was not running."""
    settings = settings or get_settings()
    bin_dir = _find_bin_dir()
    _, data_dir, _ = _paths(settings)
    if bin_dir is None or not (data_dir / "PG_VERSION").exists():
        return False
    with _locked(settings):
        if not _is_running(bin_dir, data_dir):
            return False
        _run([str(bin_dir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(data_dir)])
    deadline = time.monotonic() + 30
    while _is_running(bin_dir, data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    return True


def cluster_running(settings: Settings | None = None) -> bool:
    """Tell whether the embedded cluster is up."""
    settings = settings or get_settings()
    bin_dir = _find_bin_dir()
    _, data_dir, _ = _paths(settings)
    return bin_dir is not None and (data_dir / "PG_VERSION").exists() and _is_running(bin_dir, data_dir)
