"""Row-level security, the app role, sign-in, sessions and the audit log, against the real PostGIS."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geo.access import AccessDeniedError, current_user, scoped_connection
from geo.accounts import SignInError, save_account, sign_in, sign_out, touch, unlock_account
from geo.audit import read_audit, record_event
from geo.errors import InvalidArgumentError

PROTECTED = ("case_record", "petition", "discipline", "target", "quarantine")


def _count(conn, table: str) -> int:
    return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_the_app_role_owns_nothing_and_cannot_bypass_the_policies(app_engine):
    with app_engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,"
            " (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) AS owned"
            " FROM pg_roles r WHERE r.rolname = current_user")).one()
        owner = conn.execute(sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'case_record'")).scalar_one()
        me = conn.execute(sa.text("SELECT current_user")).scalar_one()
    assert tuple(row) == (False, False, False, False, 0)
    assert owner != me


def test_without_a_session_every_protected_table_looks_empty(app_engine, engine, demo_loaded):
    with engine.connect() as owner:
        assert all(_count(owner, t) > 0 for t in PROTECTED if t != "quarantine")
    with scoped_connection(app_engine, None) as conn:
        assert [_count(conn, t) for t in PROTECTED] == [0] * 5
    with scoped_connection(app_engine, "f" * 64) as conn:  # a forged token
        assert [_count(conn, t) for t in PROTECTED] == [0] * 5
        assert current_user(conn) is None


_INSERT = ("INSERT INTO case_record (source_id, kind, acting_level, subject_type, decision_date, status, located_by,"
           " province_code, source_file, source_row, source_sha256, batch_id, content_hash)"
           " SELECT 'FORGED-1', 'KT_DHVP', 'tinh', 'to_chuc', '2024-01-01', 'dong', 'code', '01', 'x', 2,"
           " repeat('0', 64), max(id), repeat('0', 32) FROM import_batch")


@pytest.mark.parametrize("statement", [
    "SELECT * FROM app_session",
    "SELECT password_hash FROM account",
    _INSERT,
    "DELETE FROM case_record",
    "DELETE FROM audit_log",
    "UPDATE audit_log SET actor = 'someone else'",
    "INSERT INTO audit_log (actor, event) VALUES ('forged', 'sign_in')",
    "ALTER TABLE case_record DISABLE ROW LEVEL SECURITY",
    "SET ROLE diaban",
    "SELECT diaban_open_session(1, 'owner')",
    "CREATE TABLE public.mine (x int)",
])
def test_the_app_role_is_refused_what_it_must_not_do(app_engine, users, demo_loaded, statement):
    token = users.token(kind="central", code=None, clearance="toi_mat", role="viewer")
    with pytest.raises((sa.exc.DBAPIError, AccessDeniedError)) as info:
        with scoped_connection(app_engine, token) as conn:
            conn.execute(sa.text(statement))
    assert isinstance(info.value, AccessDeniedError) or "permission denied" in str(info.value) \
        or "must be owner" in str(info.value)


def test_a_viewer_changes_nothing_and_an_editor_only_inside_their_scope(app_engine, users, demo_loaded):
    viewer = users.token(kind="central", code=None, clearance="toi_mat", role="viewer")
    with scoped_connection(app_engine, viewer) as conn:
        assert conn.execute(sa.text("UPDATE case_record SET status = status")).rowcount == 0
    editor = users.token(kind="province", code="01", clearance="mat", role="editor")
    with scoped_connection(app_engine, editor) as conn:
        touched = conn.execute(sa.text("UPDATE case_record SET status = status RETURNING province_code,"
                                       " classification")).all()
    assert touched and {p for p, _ in touched} == {"01"} and {c for _, c in touched} <= {"thuong", "mat"}
    with pytest.raises(AccessDeniedError, match="row-level security"):
        with scoped_connection(app_engine, editor) as conn:
            conn.execute(sa.text(_INSERT.replace("'01'", "'79'")))


def test_a_record_not_located_to_a_unit_is_visible_only_to_central_scope(app_engine, engine, users, demo_loaded):
    with engine.begin() as owner:
        owner.execute(sa.text("""
            INSERT INTO case_record (source_id, kind, acting_level, subject_type, decision_date, status, located_by,
                                     classification, source_file, source_row, source_sha256, batch_id, content_hash)
            SELECT 'UNLOCATED-1', 'KT_DHVP', 'tinh', 'to_chuc', '2024-01-01', 'dong', 'code', 'thuong', 't', 2,
                   repeat('0', 64), min(id), repeat('0', 32) FROM import_batch"""))
    try:
        seen = {}
        for kind, code in (("central", None), ("regional", "VIII"), ("province", "01"), ("commune", "00070")):
            with scoped_connection(app_engine, users.token(kind=kind, code=code, clearance="toi_mat")) as conn:
                seen[kind] = conn.execute(sa.text(
                    "SELECT count(*) FROM case_record WHERE source_id = 'UNLOCATED-1'")).scalar_one()
        assert seen == {"central": 1, "regional": 0, "province": 0, "commune": 0}
    finally:
        with engine.begin() as owner:
            owner.execute(sa.text("DELETE FROM case_record WHERE source_id = 'UNLOCATED-1'"))


def test_an_expired_or_ended_session_sees_nothing(app_engine, engine, users, demo_loaded):
    with engine.begin() as owner:
        save_account(owner, username="t-expiry", role="viewer", scope_kind="central", scope_code=None,
                     clearance="toi_mat", password="a long password 1")
    session = sign_in(app_engine, "t-expiry", "a long password 1")
    with scoped_connection(app_engine, session.token) as conn:
        assert _count(conn, "case_record") > 0
    with engine.begin() as owner:
        owner.execute(sa.text("UPDATE app_session SET idle_until = now() - interval '1 second'"
                              " WHERE account_id = :a"), {"a": session.user.account_id})
    assert touch(app_engine, session.token) is None
    with scoped_connection(app_engine, session.token) as conn:
        assert _count(conn, "case_record") == 0
    fresh = sign_in(app_engine, "t-expiry", "a long password 1")
    assert touch(app_engine, fresh.token) is not None
    sign_out(app_engine, fresh.token)
    with scoped_connection(app_engine, fresh.token) as conn:
        assert _count(conn, "case_record") == 0


def test_repeated_wrong_passwords_lock_the_account_and_each_attempt_is_audited(app_engine, engine, boundaries_loaded):
    with engine.begin() as owner:
        owner.execute(sa.text("UPDATE access_config SET max_failures = 3"))
        save_account(owner, username="t-lockout", role="viewer", scope_kind="province", scope_code="01",
                     clearance="thuong", password="correct horse 42")
    try:
        for _ in range(2):
            with pytest.raises(SignInError, match="Wrong user name or password"):
                sign_in(app_engine, "t-lockout", "wrong password!")
        with pytest.raises(SignInError, match="locked"):
            sign_in(app_engine, "t-lockout", "wrong password!")
        with pytest.raises(SignInError, match="locked"):  # even the right password, while locked
            sign_in(app_engine, "t-lockout", "correct horse 42")
        with engine.begin() as owner:
            events = owner.execute(sa.text("SELECT event FROM audit_log WHERE actor = 't-lockout' ORDER BY id")).scalars().all()
            assert events == ["sign_in_failed", "sign_in_failed", "sign_in_failed", "sign_in_locked"]
            assert unlock_account(owner, "t-lockout")
        assert sign_in(app_engine, "T-Lockout ", "correct horse 42").user.username == "t-lockout"
    finally:
        with engine.begin() as owner:
            owner.execute(sa.text("UPDATE access_config SET max_failures = 5"))


def test_unknown_users_and_hostile_input_at_sign_in_are_refused_alike(app_engine, boundaries_loaded):
    for username, password in [("nobody", "whatever123"), ("' OR 1=1 --", "' OR '1'='1"), ("x" * 100_000, "y" * 10_000),
                               ("quantri\x00", "p\x00ss"), ("", "")]:
        with pytest.raises(SignInError, match="Wrong user name or password"):
            sign_in(app_engine, username, password)


def test_passwords_are_stored_as_salted_bcrypt_hashes(engine, boundaries_loaded):
    with engine.begin() as owner:
        for name in ("t-hash-a", "t-hash-b"):
            save_account(owner, username=name, role="viewer", scope_kind="central", scope_code=None,
                         clearance="thuong", password="the same password")
        hashes = owner.execute(sa.text("SELECT password_hash FROM account WHERE username LIKE 't-hash-%'")).scalars().all()
    assert all(h.startswith("$2a$") for h in hashes) and hashes[0] != hashes[1]
    assert "the same password" not in "".join(hashes)


def test_only_an_administrator_manages_accounts_and_reads_the_audit_log(app_engine, users, boundaries_loaded):
    viewer = users.token(kind="province", code="01", clearance="toi_mat", role="editor")
    with scoped_connection(app_engine, viewer) as conn:
        with pytest.raises(AccessDeniedError, match="administrator"):
            save_account(conn, username="t-escalate", role="admin", scope_kind="central", scope_code=None,
                         clearance="toi_mat", password="let me in please")
    with scoped_connection(app_engine, viewer) as conn:
        assert read_audit(conn).empty
        assert conn.execute(sa.text("SELECT count(*) FROM account")).scalar_one() == 1  # only one's own
    admin = users.token(kind="central", code=None, clearance="toi_mat", role="admin")
    with scoped_connection(app_engine, admin) as conn:
        save_account(conn, username="t-made-by-admin", role="viewer", scope_kind="regional", scope_code="VIII",
                     clearance="mat", password="a fine password")
        with pytest.raises(InvalidArgumentError, match="does not exist"):
            save_account(conn, username="t-nowhere", role="viewer", scope_kind="province", scope_code="99",
                         clearance="mat")
        log = read_audit(conn, events=["account_change"])
    assert "t-made-by-admin" in " ".join(log["details"])


def test_audit_rows_take_the_actor_from_the_session_and_keep_the_area(app_engine, users, boundaries_loaded):
    token = users.token(kind="commune", code="00070", clearance="thuong")
    with scoped_connection(app_engine, token) as conn:
        me = current_user(conn)
        record_event(conn, "area_query", details={"kind": "radius", "radius_m": 2000}, rows=17,
                     geometry="POINT(105.8523 21.0287)")
        record_event(conn, "export", details={"what": "records"}, rows=17)
    admin = users.token(kind="central", code=None, clearance="toi_mat", role="admin")
    with scoped_connection(app_engine, admin) as conn:
        log = read_audit(conn, actor=me.username)
    assert log["event"].tolist()[:2] == ["export", "area_query"]
    assert log["geometry_wkt"].iloc[1] == "POINT(105.8523 21.0287)" and log["row_count"].iloc[0] == 17
    with pytest.raises(AccessDeniedError, match="session has expired"), scoped_connection(app_engine, None) as conn:
        record_event(conn, "export", rows=1)


def test_an_editor_imports_only_inside_their_scope_and_clearance_and_the_import_is_audited(app_engine, engine, users,
                                                                                          demo_loaded):
    from datetime import date

    from etl.importer import import_bytes

    editor = users.token(kind="province", code="01", clearance="mat", role="editor")
    with engine.connect() as owner:
        foreign = owner.execute(sa.text("SELECT source_id FROM case_record WHERE province_code = '79' LIMIT 1")).scalar_one()
    header = "ma,loai,cap,doi_tuong,ngay,trang_thai,ma_xa,do_mat\n"
    body = ("SC-1,KT_DHVP,tinh,to_chuc,2024-05-01,dong,00070,mat\n"       # Hà Nội, mật: loaded
            "SC-2,KT_DHVP,tinh,to_chuc,2024-05-01,dong,26743,thuong\n"    # Hồ Chí Minh City: outside scope
            "SC-3,KT_DHVP,tinh,to_chuc,2024-05-01,dong,00070,toi_mat\n"   # above clearance
            "SC-4,KT_DHVP,tinh,to_chuc,2024-05-01,dong,99999,thuong\n")   # unknown commune
    result = import_bytes(app_engine, (header + body).encode(), file_name="scope.csv", today=date(2026, 11, 24),
                          session_token=editor)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (4, 1, 3)
    assert result.quarantine["reason_code"].tolist() == ["outside_scope", "outside_scope", "unknown_code"]
    with pytest.raises(AccessDeniedError, match="outside your scope"):  # reusing the id of a record one cannot see
        import_bytes(app_engine, (header + f"{foreign},KT_DHVP,tinh,to_chuc,2024-05-01,dong,00070,thuong\n").encode(),
                     file_name="takeover.csv", today=date(2026, 11, 24), session_token=editor)
    viewer = users.token(kind="central", code=None, clearance="toi_mat", role="viewer")
    with pytest.raises(AccessDeniedError, match="may not import"):
        import_bytes(app_engine, (header + body).encode(), file_name="v.csv", session_token=viewer)
    with engine.connect() as owner:
        assert owner.execute(sa.text("SELECT province_code FROM case_record WHERE source_id = :s"),
                             {"s": foreign}).scalar_one() == "79"
        assert owner.execute(sa.text("SELECT count(*) FROM case_record WHERE source_id LIKE 'SC-%'")).scalar_one() == 1
        logged = owner.execute(sa.text("SELECT actor, row_count, details->>'batch_id' FROM audit_log"
                                       " WHERE event = 'import' ORDER BY id DESC LIMIT 1")).one()
    assert logged[1:] == (4, str(result.batch_id)) and logged[0].startswith("t-editor-province-01")


def test_external_sign_in_works_only_when_enabled_and_only_for_a_linked_account(app_engine, engine, boundaries_loaded):
    from geo.accounts import sign_in_external

    with engine.begin() as owner:
        save_account(owner, username="t-oidc", role="viewer", scope_kind="province", scope_code="48",
                     clearance="thuong", external_subject="can.bo@example.vn")
    with pytest.raises(AccessDeniedError, match="not enabled"):
        sign_in_external(app_engine, "can.bo@example.vn")
    with engine.begin() as owner:
        owner.execute(sa.text("UPDATE access_config SET oidc_enabled = true"))
    try:
        session = sign_in_external(app_engine, "can.bo@example.vn")
        assert (session.user.username, session.user.provinces) == ("t-oidc", ("48",))
        with pytest.raises(SignInError, match="No account is linked"):
            sign_in_external(app_engine, "someone.else@example.vn")
    finally:
        with engine.begin() as owner:
            owner.execute(sa.text("UPDATE access_config SET oidc_enabled = false"))
