"""Command line for administrators: accounts and the audit log, as the data owner.

    python -m geo accounts list
    python -m geo accounts add USER --role viewer --scope province --code 01 --clearance mat [--name "…"]
    python -m geo accounts set USER [--role …] [--scope … --code …] [--clearance …] [--password] [--disable|--enable]
    python -m geo accounts unlock USER
    python -m geo audit export FILE.csv [--since 2026-11-01]
    python -m geo tokens issue USER --name "GIS desktop" [--access read|write] [--days 90]
    python -m geo tokens list
    python -m geo tokens revoke ID | expire ID

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
    _add_token_commands(sub)
    args = parser.parse_args(argv)
    try:
        if args.command == "tokens":
            return _tokens(args)
        return _accounts(args) if args.command == "accounts" else _audit(args)
    except DiabanError as exc:
        print(f"Lỗi / error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
