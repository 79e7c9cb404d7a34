"""Hot standbys of the embedded cluster, PgBouncer in front, and reads routed to the standbys.

PostgreSQL's own streaming replication, no distribution layer of ours:

- :func:`start_standby` copies the running primary with ``pg_basebackup`` (a replication slot
  keeps the WAL the standby still needs, capped by ``max_slot_wal_keep_size``) into
  ``<state_dir>/replica-N/data`` and starts it on another free loopback port as a hot standby;
  :func:`promote` turns it into a primary (the failover drill), :func:`stop_standbys` stops
  them and drops their slots.
- :func:`start_pgbouncer` runs PgBouncer (Debian package ``pgbouncer``) in *transaction* mode on
  one more loopback port, with one database entry for the primary (``diaban``) and one per
  standby (``diaban_ro1``, …). The app's ``set_config('diaban.session', …, true)`` is
  transaction-local, and the engines never prepare statements on the server
  (``prepare_threshold=None``), so transaction pooling is safe.
- :func:`read_connection` is where a page reads: a standby that has replayed the user's last
  write (the sign-in that created the session, their last import), else, after waiting at most
  ``replica_max_wait_ms``, the primary. Writes (sign-in, touch, audit, imports) stay on the
  primary (``geo.access.app_engine``) and call :func:`note_write` afterwards.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

import pandas as pd
import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from geo.access import DatabaseUnavailableError, app_engine, check_app_role, scoped_connection
from geo.database import _bouncer_dir, _with_driver, get_engine, pgbouncer_port, through_pgbouncer  # noqa: F401
from geo.embedded import (
    _SERVER_OS_USER,
    ClusterInfo,
    _chown_to_server_user,
    _find_bin_dir,
    _free_port,
    _is_running,
    _locked,
    cluster_running,
    _run,
    prepare_server_dir,
    start_cluster,
    write_server_options,
)
from geo.errors import DatabaseSetupError
from geo.ospackages import apt_install
from geo.settings import Settings, get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Standby:
    """One standby of the embedded cluster (or, after :func:`promote`, a new primary)."""

    name: str
    data_dir: Path
    port: int
    promoted: bool = False


# --- standbys of the embedded cluster -------------------------------------------------------

def _registry(settings: Settings) -> Path:
    return settings.state_dir / "replicas.json"


def list_standbys(settings: Settings | None = None) -> list[Standby]:
    """The standbys :func:`start_standby` made for this state folder (running or not)."""
    settings = settings or get_settings()
    path = _registry(settings)
    if not path.exists():
        return []
    return [Standby(r["name"], Path(r["data_dir"]), int(r["port"]), bool(r.get("promoted")))
            for r in json.loads(path.read_text())]


def _save_registry(settings: Settings, standbys: list[Standby]) -> None:
    path = _registry(settings)
    path.write_text(json.dumps([{"name": s.name, "data_dir": str(s.data_dir), "port": s.port,
                                 "promoted": s.promoted} for s in standbys]))
    path.chmod(0o600)


def _conninfo(info: ClusterInfo, dbname: str = "postgres") -> str:
    return psycopg.conninfo.make_conninfo(host="127.0.0.1", port=info.port, user=info.user,
                                          password=info.password, dbname=dbname)


def start_standby(settings: Settings | None = None, *, small: bool = False) -> Standby:
    """Start every standby already made (after a reboot), or make one if there is none; return the first.

    ``small`` gives the standby less memory (drills in the test suite).
    """
    settings = settings or get_settings()
    primary = start_cluster(settings)
    bin_dir = _find_bin_dir()
    existing = [s for s in list_standbys(settings) if not s.promoted]
    if existing:
        for standby in existing:
            if not _is_running(bin_dir, standby.data_dir):
                _start(bin_dir, standby, small=small)
        return existing[0]
    with _locked(settings):
        number = len(list_standbys(settings)) + 1  # a promoted one keeps its number
        name = f"replica_{number}"
        root = prepare_server_dir(settings.state_dir / f"replica-{number}")
        data_dir = root / "data"
        slot = f"diaban_{name}"
        with psycopg.connect(_conninfo(primary), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", [slot]).fetchone():
                conn.execute("SELECT pg_create_physical_replication_slot(%s)", [slot])
            # Cap what an abandoned slot may keep, so a standby left behind cannot fill the disk.
            conn.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '2GB'")
            conn.execute("SELECT pg_reload_conf()")
        _run([str(bin_dir / "pg_basebackup"), "-D", str(data_dir), "-d", _conninfo(primary),
              "-X", "stream", "-R", "-S", slot, "-c", "fast", "--no-password"])
        standby = Standby(name, data_dir, _free_port())
        _start(bin_dir, standby, small=small)
        _save_registry(settings, [*list_standbys(settings), standby])
    log.info("Started the standby %s on 127.0.0.1:%d", name, standby.port)
    return standby


def _start(bin_dir: Path, standby: Standby, *, small: bool) -> None:
    write_server_options(standby.data_dir, standby.port, small=small)
    (standby.data_dir / "postmaster.pid").unlink(missing_ok=True)
    _run([str(bin_dir / "pg_ctl"), "start", "-w", "-t", "120", "-D", str(standby.data_dir),
          "-l", str(standby.data_dir.parent / "server.log")])


def promote(standby: Standby, settings: Settings | None = None) -> Standby:
    """Promote ``standby`` to a primary (failover: the old primary must not take writes again)."""
    settings = settings or get_settings()
    bin_dir = _find_bin_dir()
    _run([str(bin_dir / "pg_ctl"), "promote", "-w", "-t", "60", "-D", str(standby.data_dir)])
    promoted = Standby(standby.name, standby.data_dir, standby.port, promoted=True)
    _save_registry(settings, [promoted if s.name == standby.name else s for s in list_standbys(settings)])
    log.info("Promoted %s (127.0.0.1:%d) to primary", standby.name, standby.port)
    return promoted


def stop_standbys(settings: Settings | None = None, *, remove: bool = False) -> int:
    """Stop the standbys (and remove their folders and slots with ``remove``); return how many ran."""
    settings = settings or get_settings()
    bin_dir = _find_bin_dir()
    stopped = 0
    for standby in list_standbys(settings):
        if bin_dir is not None and standby.data_dir.exists() and _is_running(bin_dir, standby.data_dir):
            _run([str(bin_dir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(standby.data_dir)])
            stopped += 1
    if remove:
        if cluster_running(settings):
            primary = start_cluster(settings)
            with psycopg.connect(_conninfo(primary), autocommit=True) as conn:
                for standby in list_standbys(settings):
                    conn.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                                 " WHERE slot_name = %s AND NOT active", [f"diaban_{standby.name}"])
        for standby in list_standbys(settings):
            shutil.rmtree(standby.data_dir.parent, ignore_errors=True)
        _registry(settings).unlink(missing_ok=True)
    return stopped


# --- PgBouncer ------------------------------------------------------------------------------

def start_pgbouncer(app_url: str, settings: Settings | None = None, *, pool_size: int = 40) -> int:
    """Start PgBouncer in transaction mode before the primary and every standby; return its port.

    ``app_url`` is the app role's URL on the primary: PgBouncer authenticates the app with
    that password (SCRAM) and logs in to the servers with it.
    """
    settings = settings or get_settings()
    running = pgbouncer_port(settings)
    if running is not None:
        return running
    apt_install(["pgbouncer"])
    root = prepare_server_dir(_bouncer_dir(settings))
    url = make_url(app_url)
    port = _free_port()
    databases = [f"{settings.database_name} = host=127.0.0.1 port={url.port} dbname={url.database}"]
    for i, standby in enumerate([s for s in list_standbys(settings) if not s.promoted], start=1):
        databases.append(f"{settings.database_name}_ro{i} = host=127.0.0.1 port={standby.port} dbname={url.database}")
    (root / "pgbouncer.ini").write_text(
        "[databases]\n" + "\n".join(databases) + "\n\n[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = scram-sha-256\nauth_file = {root / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {pool_size}\nmax_client_conn = 1000\nmax_db_connections = 150\n"
        # psycopg sends `options` only for jit=off, which the embedded servers set themselves.
        "ignore_startup_parameters = extra_float_digits,options\n"
        "server_reset_query =\n"
        f"logfile = {root / 'pgbouncer.log'}\npidfile = {root / 'pgbouncer.pid'}\n"
    )
    (root / "userlist.txt").write_text(f'"{url.username}" "{url.password}"\n')
    for name in ("pgbouncer.ini", "userlist.txt"):
        (root / name).chmod(0o600)
        _chown_to_server_user(root / name)
    (root / "pgbouncer.pid").unlink(missing_ok=True)
    (root / "pgbouncer.json").write_text(json.dumps({"port": port}))
    _run(["pgbouncer", "-d", str(root / "pgbouncer.ini")])
    deadline = time.monotonic() + 10
    while pgbouncer_port(settings) is None:
        if time.monotonic() > deadline:
            raise DatabaseSetupError(f"PgBouncer did not start: see {root / 'pgbouncer.log'}")
        time.sleep(0.1)
    log.info("PgBouncer (transaction pooling) on 127.0.0.1:%d", port)
    return port


def stop_pgbouncer(settings: Settings | None = None) -> bool:
    """Stop this state folder's PgBouncer; return False when it was not running."""
    settings = settings or get_settings()
    if pgbouncer_port(settings) is None:
        return False
    pid = int((_bouncer_dir(settings) / "pgbouncer.pid").read_text().strip())
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while pgbouncer_port(settings) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    (_bouncer_dir(settings) / "pgbouncer.json").unlink(missing_ok=True)
    return True


# --- where the app connects -----------------------------------------------------------------

def standby_urls(app_url: str, settings: Settings | None = None) -> list[str]:
    """App-role URLs of the standbys to read from (the setting, else the embedded standbys)."""
    settings = settings or get_settings()
    if settings.read_database_urls:
        return [_with_driver(u.strip()) for u in settings.read_database_urls.split(",") if u.strip()]
    if settings.database_url:
        return []
    url = make_url(app_url)
    port = pgbouncer_port(settings)
    standbys = [s for s in list_standbys(settings) if not s.promoted]
    if port is not None:
        return [url.set(host="127.0.0.1", port=port, database=f"{settings.database_name}_ro{i}")
                .render_as_string(hide_password=False) for i in range(1, len(standbys) + 1)]
    return [url.set(host="127.0.0.1", port=s.port).render_as_string(hide_password=False) for s in standbys]


def lsn_to_int(lsn: str | None) -> int:
    """``'16/B374D848'`` → a byte position (0 for None)."""
    if not lsn:
        return 0
    high, low = str(lsn).split("/")
    return (int(high, 16) << 32) + int(low, 16)


class Router:
    """Reads on caught-up standbys, writes on the primary, for one process.

    Remembers, per session token (hashed; at most ``remember`` of them), the primary's WAL
    position after that user's last write. A read goes to the next standby that has replayed
    past it; a standby that is behind is polled for at most ``max_wait_ms``, one that does not
    answer is skipped for ``retry_s``; when none will do, the read goes to the primary.
    """

    def __init__(self, primary: Engine, standbys: list[Engine], *, max_wait_ms: int = 300,
                 remember: int = 100_000, retry_s: float = 10.0):
        self.primary = primary
        self.standbys = list(standbys)
        self.max_wait_s = max_wait_ms / 1000
        self.retry_s = retry_s
        self._remember = remember
        self._written: OrderedDict[bytes, int] = OrderedDict()
        self._replayed = [0] * len(self.standbys)
        self._down_until = [0.0] * len(self.standbys)
        self._next = 0
        self._lock = threading.Lock()
        self.reads = {"standby": 0, "primary": 0}

    @staticmethod
    def _key(token: str | None) -> bytes:
        return sha256((token or "").encode()).digest()

    def note_write(self, token: str | None, lsn: int | None = None) -> int:
        """Remember that ``token``'s user wrote up to now on the primary; return the position."""
        if lsn is None:
            with self.primary.connect() as conn:
                lsn = lsn_to_int(conn.execute(sa.text("SELECT pg_current_wal_lsn()::text")).scalar_one())
        with self._lock:
            key = self._key(token)
            self._written[key] = max(lsn, self._written.get(key, 0))
            self._written.move_to_end(key)
            while len(self._written) > self._remember:
                self._written.popitem(last=False)
        return lsn

    def _caught_up(self, i: int, needed: int) -> bool:
        if self._replayed[i] >= needed:
            return True
        deadline = time.monotonic() + self.max_wait_s
        while True:
            with self.standbys[i].connect() as conn:
                replayed = lsn_to_int(conn.execute(sa.text("SELECT pg_last_wal_replay_lsn()::text")).scalar_one())
            with self._lock:
                self._replayed[i] = max(self._replayed[i], replayed)
            if replayed >= needed:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def pick(self, token: str | None) -> Engine:
        """The engine a read for ``token`` should use now."""
        needed = self._written.get(self._key(token), 0)
        n = len(self.standbys)
        with self._lock:
            start = self._next
            self._next = (self._next + 1) % max(n, 1)
        for k in range(n):
            i = (start + k) % n
            if self._down_until[i] > time.monotonic():
                continue
            try:
                if self._caught_up(i, needed):
                    self.reads["standby"] += 1
                    return self.standbys[i]
            except (sa.exc.DBAPIError, DatabaseUnavailableError, OSError) as exc:
                log.warning("Standby %d does not answer (%s); reading from the primary for %.0f s",
                            i + 1, type(exc).__name__, self.retry_s)
                self._down_until[i] = time.monotonic() + self.retry_s
        self.reads["primary"] += 1
        return self.primary

    @contextmanager
    def read(self, token: str | None) -> Iterator[Connection]:
        """A read-only scoped connection for ``token`` on a caught-up standby, or the primary."""
        with scoped_connection(self.pick(token), token) as conn:
            yield conn


_routers: dict[tuple, Router] = {}
_routers_lock = threading.Lock()


def router(settings: Settings | None = None) -> Router:
    """The process's router for the app role (standbys read from the settings / embedded registry)."""
    settings = settings or get_settings()
    primary = app_engine(settings)
    urls = tuple(standby_urls(primary.url.render_as_string(hide_password=False), settings))
    key = (id(primary), urls, settings.replica_max_wait_ms)
    with _routers_lock:
        if key not in _routers:
            engines = [get_engine(u, pool_size=settings.app_pool_size, max_overflow=settings.app_max_overflow)
                       for u in urls]
            for engine in engines:
                try:
                    check_app_role(engine)
                except sa.exc.DBAPIError:
                    pass  # a standby that is down now is skipped by the router until it answers
            _routers[key] = Router(primary, engines, max_wait_ms=settings.replica_max_wait_ms)
        return _routers[key]


@contextmanager
def read_connection(token: str | None, settings: Settings | None = None) -> Iterator[Connection]:
    """Where a page reads for the user of ``token`` (see :class:`Router`)."""
    with router(settings).read(token) as conn:
        yield conn


def note_write(token: str | None, settings: Settings | None = None) -> None:
    """Call after a write the user must see on the next page (sign-in, import)."""
    r = router(settings)
    if r.standbys:
        r.note_write(token)


# --- lag, for the admin page ----------------------------------------------------------------

def replica_lag(primary: Engine, standbys: list[Engine]) -> pd.DataFrame:
    """One row per standby: whether it answers, bytes of WAL it has still to replay, and seconds
    since the last replayed transaction when it is behind (0 when it has replayed everything)."""
    rows = []
    with primary.connect() as conn:
        head = lsn_to_int(conn.execute(sa.text("SELECT pg_current_wal_lsn()::text")).scalar_one())
    for i, engine in enumerate(standbys, start=1):
        try:
            with engine.connect() as conn:
                r = conn.execute(sa.text(
                    "SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS lsn,"
                    " extract(epoch FROM now() - pg_last_xact_replay_timestamp()) AS since")).one()
        except sa.exc.DBAPIError:
            rows.append({"standby": i, "answers": False, "bytes_behind": None, "seconds_behind": None})
            continue
        behind = max(head - lsn_to_int(r.lsn), 0) if r.standby else 0
        rows.append({"standby": i, "answers": True, "bytes_behind": behind,
                     "seconds_behind": float(r.since or 0) if behind else 0.0})
    return pd.DataFrame(rows, columns=["standby", "answers", "bytes_behind", "seconds_behind"])


def server_user() -> str:
    """The OS user the servers run as (for messages)."""
    return _SERVER_OS_USER if os.geteuid() == 0 else os.environ.get("USER", "")
