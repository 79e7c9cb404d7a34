"""Nothing lost when a disk dies: WAL archiving, base backups and point-in-time recovery.

PostgreSQL's own continuous archiving, for the embedded cluster:

- :func:`enable_archiving` makes the cluster copy every finished WAL segment into the archive
  folder (``DIABAN_WAL_ARCHIVE_DIR``, else ``<state_dir>/wal``; put it on another disk than the
  cluster, or it does not survive the disk), remembered in ``<state_dir>/pg-archive.json``;
  ``archive_timeout`` closes a segment at least every minute, so at most a minute of commits
  lives only on the cluster's disk.
- :func:`base_backup` takes a ``pg_basebackup`` into ``<backup_dir>/<UTC time>`` and keeps the
  newest ``keep``; ``python -m geo backup --every 24`` repeats it (or put the one-shot command
  in cron).
- :func:`restore` copies the newest base backup finished before the target time into a new
  data folder and replays the archived WAL up to that time on another free loopback port,
  leaving the original cluster alone; the restored cluster is then a primary of its own.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import psycopg

from geo.embedded import (
    ClusterInfo,
    _chown_to_server_user,
    _find_bin_dir,
    _free_port,
    _paths,
    _read_info,
    _run,
    archive_dir,
    prepare_server_dir,
    start_cluster,
    stop_cluster,
    write_server_options,
)
from geo.errors import DatabaseSetupError, InvalidArgumentError
from geo.settings import Settings, get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BaseBackup:
    """One base backup: where, and when it was finished (the earliest time it can restore to)."""

    path: Path
    finished_at: datetime


def _backups_root(settings: Settings) -> Path:
    return Path(settings.backup_dir) if settings.backup_dir else settings.state_dir / "backups"


def _owner(info: ClusterInfo, dbname: str = "postgres") -> str:
    return psycopg.conninfo.make_conninfo(host="127.0.0.1", port=info.port, user=info.user,
                                          password=info.password, dbname=dbname)


def enable_archiving(settings: Settings | None = None) -> Path:
    """Turn WAL archiving on for the embedded cluster (a reload; a restart for a cluster made before
    archiving existed); return the archive folder."""
    settings = settings or get_settings()
    wal_dir = archive_dir(settings) or settings.state_dir / "wal"
    prepare_server_dir(wal_dir)
    marker = settings.state_dir / "pg-archive.json"
    marker.write_text(json.dumps({"wal_dir": str(wal_dir)}))
    info = start_cluster(settings)
    write_server_options(info.data_dir, info.port, wal_dir=wal_dir)
    with psycopg.connect(_owner(info), autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
        mode = conn.execute("SHOW archive_mode").fetchone()[0]
    if mode != "on":  # archive_mode is read at start only
        stop_cluster(settings)
        start_cluster(settings)
    return wal_dir


def list_backups(settings: Settings | None = None) -> list[BaseBackup]:
    """Finished base backups, oldest first."""
    settings = settings or get_settings()
    root = _backups_root(settings)
    found = []
    for meta in sorted(root.glob("*/backup.json")) if root.exists() else []:
        raw = json.loads(meta.read_text())
        found.append(BaseBackup(meta.parent / "data", datetime.fromisoformat(raw["finished_at"])))
    return sorted(found, key=lambda b: b.finished_at)


def base_backup(settings: Settings | None = None, *, keep: int | None = None) -> BaseBackup:
    """Take a base backup of the running embedded cluster (archiving on first); keep the newest ``keep``."""
    settings = settings or get_settings()
    enable_archiving(settings)
    info = start_cluster(settings)
    bin_dir = _find_bin_dir()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    folder = prepare_server_dir(_backups_root(settings) / stamp)
    _run([str(bin_dir / "pg_basebackup"), "-D", str(folder / "data"), "-d", _owner(info), "-X", "stream",
          "-c", "fast", "--no-password"])
    with psycopg.connect(_owner(info), autocommit=True) as conn:
        finished = conn.execute("SELECT now()").fetchone()[0]
        conn.execute("SELECT pg_switch_wal()")  # so the backup's last WAL reaches the archive now
    (folder / "backup.json").write_text(json.dumps({"finished_at": finished.isoformat(), "port": info.port}))
    backup = BaseBackup(folder / "data", finished)
    if keep is not None:
        if keep < 1:
            raise InvalidArgumentError("`keep` must be at least 1.")
        for old in list_backups(settings)[:-keep]:
            shutil.rmtree(old.path.parent, ignore_errors=True)
    log.info("Base backup in %s", folder)
    return backup


def wait_archived(settings: Settings | None = None, *, timeout_s: float = 60.0) -> None:
    """Close the current WAL segment and wait until the archive holds it (before a drill restores)."""
    settings = settings or get_settings()
    info = start_cluster(settings)
    with psycopg.connect(_owner(info), autocommit=True) as conn:
        segment = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        deadline = time.monotonic() + timeout_s
        while True:
            done, failed = conn.execute("SELECT last_archived_wal >= %s, last_failed_wal FROM pg_stat_archiver",
                                        [segment]).fetchone()
            if done:
                return
            if time.monotonic() > deadline:
                raise DatabaseSetupError(f"WAL segment {segment} was not archived in {timeout_s:.0f} s "
                                         f"(last failure: {failed}); see the server log.")
            time.sleep(0.1)


def restore(to_time: datetime, settings: Settings | None = None, *, into: Path | None = None,
            port: int | None = None, small: bool = False, timeout_s: float = 300.0) -> ClusterInfo:
    """Restore the embedded cluster as it was at ``to_time`` into a new data folder and start it.

    Uses the newest base backup finished before ``to_time`` and the archived WAL; the restored
    server listens on ``port`` (a free one by default) and the original cluster is not touched.
    """
    settings = settings or get_settings()
    if to_time.tzinfo is None:
        to_time = to_time.astimezone()  # the machine's time zone
    wal_dir = archive_dir(settings)
    if wal_dir is None or not wal_dir.exists():
        raise DatabaseSetupError("Chưa bật lưu trữ WAL: chạy `python -m geo backup` trước. "
                                 "/ WAL archiving is not on: run `python -m geo backup` first.")
    usable = [b for b in list_backups(settings) if b.finished_at <= to_time]
    if not usable:
        raise InvalidArgumentError(f"Không có bản sao lưu nào trước {to_time.isoformat()}. "
                                   f"/ No base backup finished before {to_time.isoformat()}.")
    backup = usable[-1]
    bin_dir = _find_bin_dir()
    root = prepare_server_dir(into or settings.state_dir / f"restore-{to_time.strftime('%Y%m%dT%H%M%S')}")
    data_dir = root / "data"
    if data_dir.exists():
        raise InvalidArgumentError(f"{data_dir} đã có; chọn thư mục khác. / {data_dir} exists: choose another folder.")
    _run(["cp", "-a", str(backup.path), str(data_dir)])  # as the server's OS user, who owns the backup
    (data_dir / "postmaster.pid").unlink(missing_ok=True)
    (data_dir / "standby.signal").unlink(missing_ok=True)
    port = port or _free_port()
    write_server_options(data_dir, port, small=small, extra=(
        f"restore_command = 'cp \"{wal_dir}/%f\" \"%p\"'\n"
        f"recovery_target_time = '{to_time.isoformat()}'\n"
        "recovery_target_action = 'promote'\n"
    ))
    (data_dir / "recovery.signal").write_text("")
    _chown_to_server_user(data_dir / "recovery.signal")
    _run([str(bin_dir / "pg_ctl"), "start", "-w", "-t", str(int(timeout_s)), "-D", str(data_dir),
          "-l", str(root / "server.log")])
    _, source_data, info_file = _paths(settings)
    source = _read_info(source_data, info_file)
    info = ClusterInfo(data_dir, port, source.user, source.password)
    deadline = time.monotonic() + timeout_s
    while True:  # hot standby accepts connections while it replays; wait for the promotion
        try:
            with psycopg.connect(_owner(info), autocommit=True) as conn:
                if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    break
        except psycopg.OperationalError:
            pass
        if time.monotonic() > deadline:
            raise DatabaseSetupError(f"The restore did not finish in {timeout_s:.0f} s: see {root / 'server.log'}")
        time.sleep(0.2)
    # The restored server is a primary of its own now: no recovery settings at its next start.
    write_server_options(data_dir, port, small=small)
    (root / "restore.json").write_text(json.dumps({"port": port, "to": to_time.isoformat(),
                                                   "backup": str(backup.path)}))
    log.info("Restored to %s on 127.0.0.1:%d (%s)", to_time.isoformat(), port, data_dir)
    return info


def stop_restored(info: ClusterInfo, *, remove: bool = False) -> None:
    """Stop a cluster :func:`restore` started (and delete its folder with ``remove``)."""
    bin_dir = _find_bin_dir()
    _run([str(bin_dir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(info.data_dir)], check=False)
    if remove:
        shutil.rmtree(info.data_dir.parent, ignore_errors=True)
