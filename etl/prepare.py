"""Bring a database from nothing to ready: server, schema, boundaries (and demo data when empty).

This is what the README's run command does before starting the app; every step is a no-op
when already done, so it is safe to run at every start.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from boundaries.load import load_boundaries
from etl.demo import generate_demo
from geo.access import app_database_url
from geo.accounts import apply_access_config, create_demo_accounts
from geo.database import database_url, get_engine, migrate
from geo.errors import ConfigurationError
from geo.settings import Settings, get_settings

log = logging.getLogger(__name__)


def prepare_database(settings: Settings | None = None, *, show_progress: bool = True) -> Engine:
    """Start or reach the database, migrate it, load boundaries if needed; return its engine."""
    settings = settings or get_settings()
    url = database_url(settings)
    migrate(url)
    engine = get_engine(url)
    load_boundaries(engine, data_dir=settings.data_dir, cache_dir=settings.cache_dir,
                    reports_dir=settings.reports_dir, show_progress=show_progress)
    with engine.connect() as conn:
        empty = conn.execute(sa.text("SELECT NOT EXISTS (SELECT 1 FROM case_record)")).scalar_one()
    if empty and settings.demo_scale > 0:
        log.info("Cơ sở dữ liệu chưa có hồ sơ: tạo dữ liệu mẫu (scale %s) / loading demo data", settings.demo_scale)
        generate_demo(engine, scale=settings.demo_scale, truth_dir=settings.reports_dir, show_progress=show_progress)
    _prepare_access(engine, settings)
    return engine


def _check_no_leakproof(conn: sa.Connection) -> None:
    """Warn when a function outside ``pg_catalog`` is marked LEAKPROOF (a restored old dump, a DBA's change).

    Under row-level security the planner runs a LEAKPROOF condition before the policy; one that
    can raise an error depending on its input answers questions about hidden rows (SECURITY.md).
    """
    marked = conn.execute(sa.text(
        "SELECT p.oid::regprocedure::text FROM pg_proc p"
        " WHERE p.proleakproof AND p.pronamespace <> 'pg_catalog'::regnamespace ORDER BY 1")).scalars().all()
    if marked:
        log.warning("Hàm ngoài pg_catalog bị đánh dấu LEAKPROOF, hãy chạy ALTER FUNCTION … NOT LEAKPROOF: %s "
                    "/ functions outside pg_catalog are marked LEAKPROOF (a hole: see SECURITY.md): %s",
                    ", ".join(marked), ", ".join(marked))


def _prepare_access(engine: Engine, settings: Settings) -> None:
    """Sign-in settings into the database, the app's login (embedded cluster), demo accounts once."""
    with engine.begin() as conn:
        _check_no_leakproof(conn)
        apply_access_config(conn, settings)
        created = create_demo_accounts(conn) if settings.demo_scale > 0 else []
        no_accounts = not conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM account)")).scalar_one()
    try:
        app_database_url(settings)  # gives diaban_app its login now, not at the first page view
    except ConfigurationError as exc:
        log.warning("%s", exc)  # the command line works as the owner; the app will refuse to start and say why
    if created:
        width = max(len(u) for u, _, _ in created)
        lines = [f"  {u:<{width}}  {p}   {d}" for u, p, d in created]
        print("Tài khoản mẫu (mật khẩu chỉ hiện một lần, hãy ghi lại) / demo accounts (passwords shown once):\n"
              + "\n".join(lines), flush=True)
    elif no_accounts:
        log.warning("Chưa có tài khoản: tạo bằng 'python -m geo accounts add …' / no accounts yet: create one with "
                    "'python -m geo accounts add USER --role admin --scope central --clearance toi_mat'")
