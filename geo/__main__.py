"""Command line for administrators: accounts and the audit log, as the data owner.

    python -m geo accounts list
    python -m geo accounts add USER --role viewer --scope province --code 01 --clearance mat [--name "…"]
    python -m geo accounts set USER [--role …] [--scope … --code …] [--clearance …] [--password] [--disable|--enable]
    python -m geo accounts unlock USER
    python -m geo audit export FILE.csv [--since 2026-11-01]
    python -m geo tokens issue USER --name "GIS desktop" [--access read|write] [--days 90]
    python -m geo tokens list
    python -m geo tokens revoke ID | expire ID
    python -m geo backup [--keep 7] [--every HOURS]      WAL archiving on, then a base backup (repeated)
    python -m geo restore --to "2026-12-01 14:05" [--into DIR] [--port P]   point-in-time copy, started
    python -m geo replica start|status|promote|stop      hot standby + PgBouncer of the embedded cluster

A new password is generated and printed once (``add``, ``set --password``); it is stored only
as a bcrypt hash. Every change is written to the audit log with the owner's login as actor.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from geo.access import CLEARANCES, ROLES, SCOPE_KINDS
from geo.errors import DiabanError


def _owner_engine():
    from geo.database import database_url, get_engine

    return get_engine(database_url())


def _accounts(args) -> int:
    import sqlalchemy as sa

    from geo.accounts import generate_password, list_accounts, save_account, unlock_account

    engine = _owner_engine()
    if args.action == "list":
        with engine.connect() as conn:
            frame = list_accounts(conn)
        print(frame.to_string(index=False) if len(frame) else "Chưa có tài khoản. / No accounts yet.")
        return 0
    if args.action == "unlock":
        with engine.begin() as conn:
            done = unlock_account(conn, args.username)
        print("Đã mở khoá. / Unlocked." if done else f"Không có tài khoản {args.username}. / No such account.")
        return 0 if done else 1
    with engine.begin() as conn:
        current = conn.execute(sa.text(
            "SELECT role, scope_kind, scope_code, clearance FROM account WHERE username = :u"),
            {"u": args.username.lower()}).one_or_none()
        if args.action == "add" and current is not None:
            print(f"Tài khoản {args.username} đã có; dùng 'set'. / The account exists: use 'set'.", file=sys.stderr)
            return 1
        if args.action == "set" and current is None:
            print(f"Không có tài khoản {args.username}; dùng 'add'. / No such account: use 'add'.", file=sys.stderr)
            return 1
        role, kind, code, clearance = current or (None, None, None, None)
        if args.scope is not None:
            kind, code = args.scope, args.code
        password = generate_password() if args.action == "add" or args.password else None
        disabled = True if getattr(args, "disable", False) else (False if getattr(args, "enable", False) else None)
        save_account(conn, username=args.username, role=args.role or role, scope_kind=kind, scope_code=code,
                     clearance=args.clearance or clearance, display_name=args.name, password=password,
                     disabled=disabled, external_subject=args.subject)
    print(f"Đã lưu tài khoản {args.username}. / Account saved.")
    if password:
        print(f"Mật khẩu (chỉ hiện một lần) / password (shown once): {password}")
    return 0


def _audit(args) -> int:
    from geo.audit import audit_csv, read_audit

    since = datetime.fromisoformat(args.since) if args.since else None
    with _owner_engine().connect() as conn:
        frame = read_audit(conn, start=since, limit=1_000_000)
    with open(args.file, "wb") as fh:
        fh.write(audit_csv(frame))
    print(f"{len(frame):,} dòng nhật ký → {args.file} / audit rows written")
    return 0


def _backup(args) -> int:
    import time

    from geo.backup import base_backup

    while True:
        backup = base_backup(keep=args.keep)
        print(f"Đã sao lưu / base backup: {backup.path} ({backup.finished_at:%Y-%m-%d %H:%M:%S %Z})", flush=True)
        if not args.every:
            return 0
        time.sleep(args.every * 3600)


def _restore(args) -> int:
    from pathlib import Path

    from geo.backup import restore
    from geo.settings import get_settings

    info = restore(datetime.fromisoformat(args.to), into=Path(args.into) if args.into else None, port=args.port)
    print(f"Đã khôi phục / restored to {args.to}: 127.0.0.1:{info.port}, {info.data_dir}")
    print(f"  DATABASE_URL={info.url(get_settings().database_name)}")
    return 0


def _replica(args) -> int:
    from geo import replica
    from geo.access import app_database_url
    from geo.database import get_engine

    if args.action == "start":
        standby = replica.start_standby()
        port = replica.start_pgbouncer(app_database_url())
        print(f"Bản sao / standby {standby.name}: 127.0.0.1:{standby.port}; PgBouncer: 127.0.0.1:{port} "
              "(the app reads from the standby and writes to the primary through it)")
    elif args.action == "stop":
        replica.stop_pgbouncer()
        print(f"{replica.stop_standbys(remove=args.remove)} standby stopped")
    elif args.action == "promote":
        standbys = [s for s in replica.list_standbys() if not s.promoted]
        if not standbys:
            print("Không có bản sao. / No standby.", file=sys.stderr)
            return 1
        replica.stop_pgbouncer()
        promoted = replica.promote(standbys[0])
        print(f"{promoted.name} (127.0.0.1:{promoted.port}) is a primary now: point DATABASE_URL at it.")
    else:
        app = app_database_url()
        lag = replica.replica_lag(get_engine(app), [get_engine(u) for u in replica.standby_urls(app)])
        print(lag.to_string(index=False) if len(lag) else "Không có bản sao. / No standby.")
    return 0
def _tokens(args) -> int:
    from geo.tokens import expire_token, issue_token, list_tokens, revoke_token

    engine = _owner_engine()
    if args.action == "list":
        with engine.connect() as conn:
            frame = list_tokens(conn)
        print(frame.to_string(index=False) if len(frame) else "Chưa cấp mã nào. / No token issued yet.")
        return 0
    if args.action == "issue":
        with engine.begin() as conn:
            issued = issue_token(conn, username=args.username, name=args.name, access=args.access, days=args.days)
        print(f"Đã cấp mã #{issued.token_id} cho {args.username} ({args.access}, hết hạn / expires "
              f"{issued.expires_at:%Y-%m-%d %H:%M}). / Token issued.")
        print(f"Mã (chỉ hiện một lần) / token (shown once): {issued.secret}")
        return 0
    with engine.begin() as conn:
        done = revoke_token(conn, args.token_id) if args.action == "revoke" else expire_token(conn, args.token_id)
    print((f"Đã {'thu hồi' if args.action == 'revoke' else 'cho hết hạn'} mã #{args.token_id}. / Done.") if done
          else f"Không có mã #{args.token_id} còn hiệu lực. / No such active token.")
    return 0 if done else 1


def _add_token_commands(sub) -> None:
    tokens = sub.add_parser("tokens", help="API bearer tokens").add_subparsers(dest="action", required=True)
    tokens.add_parser("list")
    issue = tokens.add_parser("issue")
    issue.add_argument("username")
    issue.add_argument("--name", required=True, help="what uses the token (shown in the list)")
    issue.add_argument("--access", choices=("read", "write"), default="read")
    issue.add_argument("--days", type=int, default=90, help="validity, 1 – 730 days")
    for action in ("revoke", "expire"):
        tokens.add_parser(action).add_argument("token_id", type=int)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Tài khoản và nhật ký / accounts and audit")
    sub = parser.add_subparsers(dest="command", required=True)
    accounts = sub.add_parser("accounts").add_subparsers(dest="action", required=True)
    accounts.add_parser("list")
    unlock = accounts.add_parser("unlock")
    unlock.add_argument("username")
    for action in ("add", "set"):
        p = accounts.add_parser(action)
        p.add_argument("username")
        p.add_argument("--role", choices=ROLES, required=action == "add")
        p.add_argument("--scope", choices=SCOPE_KINDS, required=action == "add")
        p.add_argument("--code", help="department (I–IX), province (2 digits) or commune (5 digits) code")
        p.add_argument("--clearance", choices=CLEARANCES, required=action == "add")
        p.add_argument("--name", help="display name")
        p.add_argument("--subject", help="identity provider subject (e-mail) for OIDC sign-in")
        if action == "set":
            p.add_argument("--password", action="store_true", help="generate a new password")
            state = p.add_mutually_exclusive_group()
            state.add_argument("--disable", action="store_true")
            state.add_argument("--enable", action="store_true")
    audit = sub.add_parser("audit").add_subparsers(dest="action", required=True)
    export = audit.add_parser("export")
    export.add_argument("file")
    export.add_argument("--since", help="ISO date or time")
    backup = sub.add_parser("backup", help="turn WAL archiving on and take a base backup")
    backup.add_argument("--keep", type=int, help="keep only the newest N base backups")
    backup.add_argument("--every", type=float, help="repeat every N hours (stays in the foreground)")
    restore = sub.add_parser("restore", help="restore to a point in time into a new data folder")
    restore.add_argument("--to", required=True, help="ISO time, e.g. 2026-12-01T14:05:00+07:00")
    restore.add_argument("--into", help="folder for the restored cluster (default .diaban/restore-TIME)")
    restore.add_argument("--port", type=int, help="port of the restored server (default: a free one)")
    rep = sub.add_parser("replica", help="hot standby of the embedded cluster")
    rep.add_argument("action", choices=("start", "status", "promote", "stop"))
    rep.add_argument("--remove", action="store_true", help="with stop: delete the standby's folder and slot")
    _add_token_commands(sub)
    args = parser.parse_args(argv)
    commands = {"accounts": _accounts, "audit": _audit, "backup": _backup, "restore": _restore, "replica": _replica,
                "tokens": _tokens}
    try:
        return commands[args.command](args)
    except DiabanError as exc:
        print(f"Lỗi / error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
