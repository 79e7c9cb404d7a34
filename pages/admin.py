"""Quản trị: accounts (add, change, disable, unlock) and the audit log with a CSV export."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import streamlit as st

from geo.access import CLEARANCES, ROLES, SCOPE_KINDS
from geo.accounts import generate_password, list_accounts, save_account, unlock_account
from geo.audit import EVENTS, audit_csv, read_audit
from geo.errors import DiabanError
from pages.i18n import t
from pages.session import audit
from pages.shared import connect, show_error
from pages.signin import require_admin

require_admin()
st.title("Quản trị / administration")
accounts_tab, log_tab, tokens_tab = st.tabs(["Tài khoản / accounts", "Nhật ký / audit log", t("tokens.title")])

with accounts_tab:
    try:
        with connect() as conn:
            accounts = list_accounts(conn)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence
        show_error(exc)
        st.stop()
    st.dataframe(accounts, hide_index=True, use_container_width=True)
    with st.form("account"):
        st.subheader("Thêm hoặc sửa tài khoản / add or change an account")
        cols = st.columns(3)
        username = cols[0].text_input("Tên đăng nhập / user name", max_chars=64, key="acc_user")
        role = cols[1].selectbox("Vai trò / role", ROLES, index=2, key="acc_role")
        clearance = cols[2].selectbox("Độ mật / clearance", CLEARANCES, key="acc_clearance")
        scope_kind = cols[0].selectbox("Phạm vi / scope", SCOPE_KINDS, key="acc_scope")
        scope_code = cols[1].text_input("Mã đơn vị (Vụ I–IX, tỉnh 2 số, xã 5 số) / unit code", max_chars=8,
                                        key="acc_code")
        display_name = cols[2].text_input("Họ tên / display name", max_chars=200, key="acc_name")
        new_password = st.checkbox("Tạo mật khẩu mới / generate a new password", key="acc_password")
        state = st.radio("Trạng thái / state", ["giữ nguyên / keep", "vô hiệu / disable", "kích hoạt / enable"],
                         horizontal=True, key="acc_state")
        submitted = st.form_submit_button("Lưu / save", type="primary", key="acc_submit")
    if submitted:
        password = generate_password() if new_password else None
        disabled = {"vô hiệu / disable": True, "kích hoạt / enable": False}.get(state)
        try:
            with connect(write=True) as conn:
                save_account(conn, username=username.strip().lower(), role=role, scope_kind=scope_kind,
                             scope_code=scope_code.strip() or None, clearance=clearance,
                             display_name=display_name or None, password=password, disabled=disabled)
        except DiabanError as exc:
            show_error(exc)
        else:
            st.success(f"Đã lưu {username}. / Saved." + (f" Mật khẩu (chỉ hiện một lần) / password (shown once): "
                                                          f"`{password}`" if password else ""))
    locked = accounts.loc[accounts["locked_until"].notna(), "username"].tolist()
    if locked:
        who = st.selectbox("Mở khoá / unlock", locked, key="unlock_user")
        if st.button("Mở khoá / unlock", key="unlock"):
            with connect(write=True) as conn:
                unlock_account(conn, who)
            st.rerun()

with log_tab:
    cols = st.columns(3)
    since = cols[0].date_input("Từ ngày / from", value=date.today() - timedelta(days=7), key="log_from")
    until = cols[1].date_input("Đến ngày / to", value=date.today(), key="log_to")
    events = cols[2].multiselect("Sự kiện / events", EVENTS, key="log_events")
    try:
        with connect() as conn:
            log = read_audit(conn, start=datetime.combine(since, time()),
                             end=datetime.combine(until + timedelta(days=1), time()), events=events or None)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
        st.stop()
    st.caption(f"{len(log):,} dòng / rows".replace(",", "."))
    st.dataframe(log, hide_index=True, use_container_width=True)
    if st.download_button("Tải CSV / download CSV", audit_csv(log), file_name=f"nhat-ky-{since}-{until}.csv",
                          mime="text/csv", key="log_csv"):
        audit("export", details={"what": "audit_log", "from": str(since), "to": str(until)}, rows=len(log))


def _replica_section() -> None:
    """Replica lag: how far each standby the app reads from is behind the primary."""
    from geo.replica import replica_lag, router

    st.subheader(t("rep.title"))
    route = router()
    if not route.standbys:
        st.caption(t("rep.none"))
        return
    try:
        lag = replica_lag(route.primary, route.standbys)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
        return
    st.dataframe(lag.rename(columns={c: t(f"rep.col.{c}") for c in lag.columns}), hide_index=True)
    st.caption(t("rep.reads", **route.reads))


_replica_section()

with tokens_tab:  # API bearer tokens (geo.tokens): each stands for one account, under its scope and clearance
    from geo.tokens import MAX_DAYS, expire_token, issue_token, list_tokens, revoke_token

    st.caption(t("tokens.caption"))
    try:
        with connect() as conn:
            token_list = list_tokens(conn)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
        st.stop()
    if token_list.empty:
        st.info(t("tokens.none"))
    else:
        st.dataframe(token_list, hide_index=True, use_container_width=True, key="token_list")
    with st.form("token_issue"):
        cols = st.columns(4)
        owner = cols[0].selectbox(t("tokens.account"), accounts["username"].tolist(), key="tok_user")
        name = cols[1].text_input(t("tokens.name"), max_chars=100, key="tok_name")
        access = cols[2].selectbox(t("tokens.access"), ("read", "write"), key="tok_access",
                                   format_func=lambda a: t(f"tokens.access_{a}"))
        days = cols[3].number_input(t("tokens.days"), min_value=1, max_value=MAX_DAYS, value=90, key="tok_days")
        issue = st.form_submit_button(t("tokens.issue"), type="primary", key="tok_issue")
    if issue:
        try:
            with connect(write=True) as conn:
                issued = issue_token(conn, username=owner, name=name, access=access, days=int(days))
        except DiabanError as exc:
            show_error(exc)
        else:
            st.success(t("tokens.issued", id=issued.token_id, expires=f"{issued.expires_at:%Y-%m-%d %H:%M}"))
            st.code(issued.secret, language=None)
    live = token_list[token_list["status"] == "active"] if len(token_list) else token_list
    if len(live):
        cols = st.columns([2, 1, 1])
        which = cols[0].selectbox(t("tokens.which"), live["id"].tolist(), key="tok_which",
                                  format_func=lambda i: f"#{i} {live.set_index('id').at[i, 'name']} "
                                                        f"({live.set_index('id').at[i, 'username']})")
        if cols[1].button(t("tokens.revoke"), key="tok_revoke"):
            with connect(write=True) as conn:
                revoke_token(conn, int(which))
            st.success(t("tokens.revoked", id=which))
            st.rerun()
        if cols[2].button(t("tokens.expire"), key="tok_expire"):
            with connect(write=True) as conn:
                expire_token(conn, int(which))
            st.success(t("tokens.expired", id=which))
            st.rerun()
