"""The sign-in gate and the admin page, run headless with AppTest as the app role."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from geo.accounts import save_account
from geo.settings import PROJECT_ROOT, get_settings
from pages.session import SESSION_KEY


@pytest.fixture()
def admin_page(db_url, app_url, boundaries_loaded, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DIABAN_APP_DATABASE_URL", app_url)
    get_settings.cache_clear()
    yield AppTest.from_file(str(PROJECT_ROOT / "pages" / "admin.py"), default_timeout=60)
    get_settings.cache_clear()


def test_nothing_is_shown_before_sign_in(admin_page):
    admin_page.run()
    assert not admin_page.exception
    assert admin_page.title[0].value == "Địa bàn"
    assert [t.label for t in admin_page.text_input] == ["Tên đăng nhập / user name", "Mật khẩu / password"]
    assert not admin_page.dataframe and not admin_page.tabs


def test_an_administrator_signs_in_through_the_form_and_sees_accounts_and_the_log(admin_page, engine):
    with engine.begin() as owner:
        save_account(owner, username="t-page-admin", role="admin", scope_kind="central", scope_code=None,
                     clearance="toi_mat", password="page admin pass")
    admin_page.run()
    admin_page.text_input[0].input("t-page-admin")
    admin_page.text_input[1].input("wrong password")
    admin_page.button(key="signin_submit").click().run()
    assert "Wrong user name or password" in admin_page.error[0].value and not admin_page.dataframe
    admin_page.text_input[1].input("page admin pass")
    admin_page.button(key="signin_submit").click().run()
    assert not admin_page.exception
    assert admin_page.title[0].value == "Quản trị / administration"
    accounts = admin_page.dataframe[0].value
    assert "t-page-admin" in accounts["username"].tolist()
    log = admin_page.dataframe[1].value
    assert {"sign_in", "sign_in_failed"} <= set(log["event"])


def test_a_viewer_is_refused_the_admin_page(admin_page, users):
    admin_page.session_state[SESSION_KEY] = users.token(kind="province", code="01", clearance="mat")
    admin_page.run()
    assert not admin_page.exception
    assert "administrators" in admin_page.error[0].value
    assert not admin_page.dataframe


def test_an_administrator_creates_an_account_on_the_page(admin_page, users, engine):
    admin_page.session_state[SESSION_KEY] = users.token(kind="central", code=None, clearance="toi_mat", role="admin")
    admin_page.run()
    admin_page.text_input(key="acc_user").input("t-made-on-page")
    admin_page.selectbox(key="acc_scope").set_value("province")
    admin_page.text_input(key="acc_code").input("79")
    admin_page.checkbox(key="acc_password").check()
    admin_page.button(key="acc_submit").click().run()
    assert not admin_page.exception
    assert "password (shown once)" in admin_page.success[0].value
    with engine.connect() as c:
        row = c.execute(sa.text("SELECT scope_kind, scope_code, password_hash IS NOT NULL FROM account"
                                " WHERE username = 't-made-on-page'")).one()
    assert tuple(row) == ("province", "79", True)
