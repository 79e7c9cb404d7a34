"""Sign-in gate: nothing of the app is shown before a user has signed in.

``app.py`` calls :func:`require_user` before ``st.navigation(...).run()``. Local accounts sign
in with a password checked inside the database; with ``DIABAN_OIDC_ENABLED`` the identity
provider configured for Streamlit's ``st.login`` is offered too.
"""

from __future__ import annotations

import streamlit as st

from geo.access import DatabaseUnavailableError, User, app_engine
from geo.accounts import sign_in, sign_in_external, sign_out, touch
from geo.errors import DiabanError
from geo.replica import note_write
from geo.settings import get_settings
from pages.session import LOST_KEY, SESSION_KEY, USER_KEY
from pages.shared import show_error

_SCOPES = {"central": "Trung ương", "regional": "Vụ Địa bàn", "province": "Tỉnh, thành phố", "commune": "Xã, phường"}
_CLEARANCES = {"thuong": "thường", "mat": "mật", "toi_mat": "tối mật"}


def _forget() -> None:
    for key in (SESSION_KEY, USER_KEY):
        st.session_state.pop(key, None)


def _sign_out() -> None:
    token = st.session_state.get(SESSION_KEY)
    _forget()
    if token:
        try:
            sign_out(app_engine(), token)
        except DiabanError:
            pass  # the session expires on its own
    if get_settings().oidc_enabled and getattr(st.user, "is_logged_in", False):
        st.logout()


def _sidebar(user: User) -> None:
    scope = _SCOPES[user.scope_kind] + (f" {user.scope_code}" if user.scope_code else "")
    st.sidebar.caption(f"👤 **{user.username}** · {scope} · độ mật: {_CLEARANCES[user.clearance]}")
    st.sidebar.button("Đăng xuất / sign out", on_click=_sign_out, key="signout")


def _signed_in() -> User | None:
    """The user of the stored token after extending it, or None (and say why)."""
    token = st.session_state.get(SESSION_KEY)
    if not token:
        return None
    try:
        user = touch(app_engine(), token)
    except DatabaseUnavailableError as exc:
        st.session_state[LOST_KEY] = True
        show_error(exc)
        st.stop()
    if user is None:
        _forget()
        st.info("Phiên làm việc đã hết hạn; hãy đăng nhập lại. / The session has expired: sign in again.")
        return None
    if st.session_state.pop(LOST_KEY, False):
        st.toast("Đã kết nối lại cơ sở dữ liệu. / Reconnected to the database.", icon="✅")
    return user


def _form() -> None:
    settings = get_settings()
    st.title("Địa bàn")
    st.caption("Đăng nhập để tiếp tục. / Sign in to continue.")
    if settings.oidc_enabled:
        if getattr(st.user, "is_logged_in", False):
            try:
                session = sign_in_external(app_engine(), str(st.user.get("email") or st.user.get("sub")))
            except DiabanError as exc:
                show_error(exc)
            else:
                note_write(session.token)  # the session row must be on the standby that serves the next page
                st.session_state[SESSION_KEY] = session.token
                st.rerun()
        else:
            st.button("Đăng nhập qua hệ thống định danh / sign in with the identity provider", on_click=st.login)
    with st.form("signin", clear_on_submit=False):
        username = st.text_input("Tên đăng nhập / user name", max_chars=64, key="signin_user")
        password = st.text_input("Mật khẩu / password", type="password", max_chars=72, key="signin_password")
        submitted = st.form_submit_button("Đăng nhập / sign in", type="primary", key="signin_submit")
    if submitted:
        try:
            session = sign_in(app_engine(), username, password)
        except DatabaseUnavailableError as exc:
            st.session_state[LOST_KEY] = True
            show_error(exc)
        except DiabanError as exc:
            st.error(str(exc))
        else:
            note_write(session.token)  # the session row must be on the standby that serves the next page
            st.session_state[SESSION_KEY] = session.token
            st.session_state[USER_KEY] = session.user
            st.rerun()


def require_user() -> User:
    """Return the signed-in user; otherwise show the sign-in form and stop this run of the script."""
    user = _signed_in()
    if user is None:
        _form()
        st.stop()
    st.session_state[USER_KEY] = user
    _sidebar(user)
    return user


def require_admin() -> User:
    """Return the signed-in administrator, or stop with a refusal (the session is checked again here,
    so the page is safe even when run without ``app.py``'s gate)."""
    user = _signed_in()
    if user is None:
        _form()
        st.stop()
    st.session_state[USER_KEY] = user
    if not user.is_admin:
        st.error("Trang này dành cho quản trị viên. / This page is for administrators.")
        st.stop()
    return user
