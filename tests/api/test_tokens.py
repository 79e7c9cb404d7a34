"""Bearer tokens: issued, listed, expired and revoked; no token, a wrong, expired or revoked one gets 401 only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geo.access import AccessDeniedError, scoped_connection
from geo.accounts import open_session
from geo.tokens import expire_token, issue_token, list_tokens, revoke_token
from tests.api.conftest import client

DATA_PATHS = ["/", "/collections", "/collections/cases/items", "/collections/cases/items/X", "/analytics/counts",
              "/batches/1/quarantine"]


def _only_refusal(answer) -> None:
    body = answer.json()
    assert answer.status_code == 401 and set(body) == {"status", "code", "vi", "en", "detail"}
    assert body["code"] == "api.unauthorized" and "Bearer" in body["en"]
    assert answer.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz",
                                    "Bearer dbn_" + "0" * 64, "Bearer dbn_" + "'; DROP TABLE api_token; --"])
def test_no_token_or_a_wrong_one_gets_401_and_nothing_else(api_url, demo_loaded, header):
    import httpx

    for path in DATA_PATHS:
        answer = httpx.get(api_url + path, headers={"Authorization": header} if header else {}, timeout=60)
        _only_refusal(answer)


def test_a_sign_in_session_is_not_an_api_token(api_url, engine, tokens):
    username = tokens.account(role="viewer", kind="central", code=None, clearance="toi_mat")
    with engine.begin() as conn:
        session = open_session(conn, username)
    with client(api_url, session) as http:  # a session token has another form: refused before the database
        _only_refusal(http.get("/collections"))


def test_revoked_and_expired_tokens_get_401_at_once(api_url, engine, tokens, demo_loaded):
    for end in ("revoke", "expire"):
        token_id, secret = tokens.issue(kind="province", code="01", clearance="mat", fresh=True)
        with client(api_url, secret) as http:
            assert http.get("/collections/cases/items", params={"limit": 2}).status_code == 200
            with engine.begin() as conn:
                assert (revoke_token(conn, token_id) if end == "revoke" else expire_token(conn, token_id))
            _only_refusal(http.get("/collections/cases/items", params={"limit": 2}))
        with engine.connect() as conn:
            listed = list_tokens(conn).set_index("id")
        assert listed.at[token_id, "status"] == ("revoked" if end == "revoke" else "expired")
        assert "token" not in listed.columns and not any(str(v).startswith("dbn_") and len(str(v)) > 20
                                                          for v in listed.to_numpy().ravel())


def test_tokens_are_stored_as_hashes_and_their_changes_audited(engine, tokens):
    token_id, secret = tokens.issue(kind="central", clearance="thuong", fresh=True)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM app_session WHERE token_hash = sha256(convert_to(:s, 'UTF8'))"
                                      " AND via = 'api'"), {"s": secret}).scalar_one()
        plain = conn.execute(sa.text("SELECT count(*) FROM api_token t WHERE t::text LIKE '%' || :s || '%'"),
                             {"s": secret[4:]}).scalar_one()
        audited = conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE event = 'account_change'"
                                       " AND details ->> 'api_token' = :i AND details ->> 'action' = 'issue'"),
                               {"i": str(token_id)}).scalar_one()
    assert (stored, plain, audited) == (1, 0, 1)


def test_only_an_administrator_manages_tokens(app_engine, users, tokens):
    editor = users.token(kind="province", code="01", clearance="mat", role="editor")
    with pytest.raises(AccessDeniedError, match="administrator"):
        with scoped_connection(app_engine, editor) as conn:
            issue_token(conn, username="t-editor-province-01-mat", name="mine", access="write")
    admin = users.token(kind="central", code=None, clearance="toi_mat", role="admin")
    with scoped_connection(app_engine, admin) as conn:
        issued = issue_token(conn, username="t-editor-province-01-mat", name="by admin", access="write", days=5)
        assert issued.token_id in set(list_tokens(conn)["id"])
        assert revoke_token(conn, issued.token_id) and not revoke_token(conn, issued.token_id)


def test_a_read_only_token_cannot_write_even_through_sql(app_engine, tokens, demo_loaded):
    secret = tokens.get(kind="province", code="01", clearance="mat", role="editor", access="read")
    with pytest.raises((AccessDeniedError, sa.exc.DBAPIError), match="row-level security|Not allowed"):
        with scoped_connection(app_engine, secret) as conn:
            conn.execute(sa.text("INSERT INTO import_batch (record_type, file_name, sha256)"
                                 " VALUES ('case', 'x', repeat('0', 64))"))
    with scoped_connection(app_engine, secret) as conn:
        assert conn.execute(sa.text("UPDATE case_record SET status = status")).rowcount == 0
    write = tokens.get(kind="province", code="01", clearance="mat", role="editor", access="write")
    with scoped_connection(app_engine, write) as conn:
        assert conn.execute(sa.text("UPDATE case_record SET status = status WHERE province_code = '01'")).rowcount > 0


def test_the_command_line_issues_lists_and_revokes(engine, db_url, tokens, monkeypatch, capsys):
    from geo.__main__ import main
    from geo.settings import get_settings

    username = tokens.account(role="viewer", kind="province", code="79", clearance="thuong")
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    try:
        assert main(["tokens", "issue", username, "--name", "GIS desktop", "--days", "7"]) == 0
        out = capsys.readouterr().out
        secret = next(w for w in out.split() if w.startswith("dbn_"))
        token_id = int(out.split("#")[1].split()[0])
        assert main(["tokens", "list"]) == 0
        assert "GIS desktop" in capsys.readouterr().out
        assert main(["tokens", "revoke", str(token_id)]) == 0
    finally:
        get_settings.cache_clear()
    with engine.connect() as conn:
        status = list_tokens(conn).set_index("id").at[token_id, "status"]
        live = conn.execute(sa.text("SELECT count(*) FROM app_session WHERE token_hash = sha256(convert_to(:s, 'UTF8'))"
                                    " AND ended_at IS NULL"), {"s": secret}).scalar_one()
    assert (status, live) == ("revoked", 0)
