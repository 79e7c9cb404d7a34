"""Access control in the database: accounts, sessions, audit log, row-level security.

The tables belong to the migration owner. The app connects as ``diaban_app``, a role that owns
nothing, reads, writes only what an import writes (inside its user's scope), and sees case records, petitions, discipline, targets and quarantine
rows through row-level security policies. A policy reads the per-transaction setting
``diaban.session`` (a random token the app got at sign-in) and looks the session up with
``diaban_me()``, a SECURITY DEFINER function: the app role cannot read the session or
account tables, so a bug (even injected SQL) cannot claim another user's scope without that
user's token. No setting, an unknown token or an expired session: no rows.

Passwords are checked inside the database (bcrypt through pgcrypto) by ``diaban_sign_in``,
which also counts failures, locks the account and writes the audit row; the app never sees a
password hash. Writes to the audit log go through ``diaban_audit``, which takes the actor from
the session, so the app cannot forge who did what; the app role cannot update or delete it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APP_ROLE = "diaban_app"
RECORD_TABLES = ("case_record", "petition", "discipline", "target")
IMPORT_TABLES = ("case_record", "petition", "discipline", "party_org")  # what etl.importer writes
EVENTS = ("sign_in", "sign_in_failed", "sign_in_locked", "sign_out", "area_query", "record_view", "export",
          "import", "account_change", "config_change")
APP_EVENTS = ("area_query", "record_view", "export", "import")

# One InitPlan per sub-select: diaban_me() runs once per statement, not once per row, and
# ``province_code = ANY(...)`` can use the (province_code, date) indexes.
_SCOPE = """(SELECT m.see_all FROM diaban_me() m)
           OR province_code = ANY (CAST((SELECT m.provinces FROM diaban_me() m) AS text[]))
           OR commune_code = (SELECT m.commune FROM diaban_me() m)"""
_CLEARED = "classification = ANY (CAST((SELECT m.classes FROM diaban_me() m) AS text[]))"
_ADMIN = "(SELECT m.role FROM diaban_me() m) = 'admin'"
_EDITOR = "(SELECT m.role FROM diaban_me() m) IN ('admin', 'editor')"

_ROLE = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'Cần vai trò {APP_ROLE}: nhờ quản trị CSDL chạy CREATE ROLE {APP_ROLE} NOLOGIN; '
                    '/ The role {APP_ROLE} is missing and this user cannot create it: ask the DBA to run '
                    'CREATE ROLE {APP_ROLE} NOLOGIN; then migrate again.';
END
$$;
"""

_TABLES = f"""
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE access_config (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    max_failures integer NOT NULL DEFAULT 5 CHECK (max_failures BETWEEN 1 AND 100),
    lockout_minutes integer NOT NULL DEFAULT 15 CHECK (lockout_minutes BETWEEN 1 AND 10080),
    session_minutes integer NOT NULL DEFAULT 480 CHECK (session_minutes BETWEEN 1 AND 10080),
    idle_minutes integer NOT NULL DEFAULT 60 CHECK (idle_minutes BETWEEN 1 AND 10080),
    bcrypt_cost integer NOT NULL DEFAULT 12 CHECK (bcrypt_cost BETWEEN 4 AND 16),
    oidc_enabled boolean NOT NULL DEFAULT false
);
INSERT INTO access_config DEFAULT VALUES;

CREATE TABLE account (
    id serial PRIMARY KEY,
    username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{{2,63}}$'),
    display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
    role text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    scope_kind text NOT NULL CHECK (scope_kind IN ('central', 'regional', 'province', 'commune')),
    scope_code text,
    clearance text NOT NULL CHECK (clearance IN ('thuong', 'mat', 'toi_mat')),
    password_hash text,
    external_subject text UNIQUE,
    failed_count integer NOT NULL DEFAULT 0,
    locked_until timestamptz,
    last_sign_in timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz,
    CONSTRAINT ck_account_scope_code CHECK ((scope_kind = 'central') = (scope_code IS NULL))
);

CREATE TABLE app_session (
    id bigserial PRIMARY KEY,
    account_id integer NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    via text NOT NULL CHECK (via IN ('password', 'oidc', 'owner')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    idle_until timestamptz NOT NULL,
    ended_at timestamptz
);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor text NOT NULL,
    account_id integer,
    session_id bigint,
    event text NOT NULL CHECK (event IN {EVENTS!r}),
    details jsonb NOT NULL DEFAULT '{{}}' CHECK (octet_length(details::text) <= 65536),
    row_count bigint,
    geom geometry(Geometry, 4326)
);
CREATE INDEX ix_audit_log_at ON audit_log (at);

ALTER TABLE quarantine ADD COLUMN classification text NOT NULL DEFAULT 'toi_mat'
    CHECK (classification IN ('thuong', 'mat', 'toi_mat'));
COMMENT ON COLUMN quarantine.classification IS
    'As the row gave it when readable; toi_mat (most restricted) when unknown.';
"""

_FUNCTIONS = f"""
CREATE FUNCTION diaban_session_hash() RETURNS bytea
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT sha256(convert_to(nullif(current_setting('diaban.session', true), ''), 'UTF8'))
$$;

CREATE FUNCTION diaban_me()
RETURNS TABLE (account_id integer, session_id bigint, username text, role text, scope_kind text,
               scope_code text, clearance text, see_all boolean, provinces text[], commune text, classes text[])
LANGUAGE sql STABLE SECURITY DEFINER ROWS 1 SET search_path = public, pg_temp AS $$
    SELECT a.id, s.id, a.username, a.role, a.scope_kind, a.scope_code, a.clearance,
           a.scope_kind = 'central',
           CASE a.scope_kind
               WHEN 'province' THEN ARRAY[a.scope_code]
               WHEN 'regional' THEN (SELECT coalesce(array_agg(r.province_code), '{{}}')
                                     FROM regional_department_province r WHERE r.department_code = a.scope_code)
           END,
           CASE WHEN a.scope_kind = 'commune' THEN a.scope_code END,
           CASE a.clearance WHEN 'thuong' THEN ARRAY['thuong']
                            WHEN 'mat' THEN ARRAY['thuong', 'mat']
                            ELSE ARRAY['thuong', 'mat', 'toi_mat'] END
    FROM app_session s JOIN account a ON a.id = s.account_id
    WHERE s.token_hash = diaban_session_hash()
      AND s.ended_at IS NULL AND s.expires_at > now() AND s.idle_until > now()
      AND a.disabled_at IS NULL
$$;

CREATE FUNCTION diaban_is_owner() RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    -- The caller's login is the owner of the schema's tables (the command line), or a superuser.
    SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = session_user
                   AND (r.rolsuper OR r.oid = (SELECT relowner FROM pg_class WHERE oid = 'account'::regclass)))
$$;

-- Under row-level security PostgreSQL evaluates a query's own conditions after the policy's, and
-- will not use an index for a condition whose functions are not LEAKPROOF: a radius search then
-- scans the whole table (1 s instead of 20 ms). The three functions a radius or polygon search
-- puts on the geography index cannot leak a hidden row (every stored point has SRID 4326, so
-- they raise no data-dependent error), so they are marked LEAKPROOF. Only a superuser may do
-- that; extension functions keep the mark through restarts but not through a dump and restore,
-- so ``python -m etl prepare`` calls this again at every start.
CREATE FUNCTION diaban_mark_leakproof() RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE NOTICE 'Not a superuser: ask the DBA to run ALTER FUNCTION ... LEAKPROOF on geography(geometry), '
                     'geography_overlaps(geography, geography), st_dwithin(geography, geography, float8, boolean)';
        RETURN false;
    END IF;
    ALTER FUNCTION geography(geometry) LEAKPROOF;
    ALTER FUNCTION geography_overlaps(geography, geography) LEAKPROOF;
    ALTER FUNCTION st_dwithin(geography, geography, double precision, boolean) LEAKPROOF;
    RETURN true;
END
$$;
SELECT diaban_mark_leakproof();

CREATE FUNCTION diaban_open_session(p_account_id integer, p_via text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    cfg access_config;
    token text := encode(gen_random_bytes(32), 'hex');
BEGIN
    SELECT * INTO cfg FROM access_config;
    DELETE FROM app_session WHERE expires_at < now() - interval '30 days';  -- the audit log keeps the history
    INSERT INTO app_session (account_id, token_hash, via, expires_at, idle_until)
    VALUES (p_account_id, sha256(convert_to(token, 'UTF8')), p_via,
            now() + make_interval(mins => cfg.session_minutes),
            now() + make_interval(mins => least(cfg.idle_minutes, cfg.session_minutes)));
    UPDATE account SET failed_count = 0, locked_until = NULL, last_sign_in = now() WHERE id = p_account_id;
    RETURN token;
END
$$;

CREATE FUNCTION diaban_sign_in(p_username text, p_password text)
RETURNS TABLE (status text, token text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    cfg access_config;
    a account;
    v_name text := lower(left(coalesce(p_username, ''), 64));
    failures integer;
BEGIN
    SELECT * INTO cfg FROM access_config;
    IF p_password IS NULL OR octet_length(p_password) > 72 THEN
        p_password := '';
    END IF;
    SELECT * INTO a FROM account WHERE username = v_name FOR UPDATE;
    IF NOT FOUND OR a.password_hash IS NULL THEN
        PERFORM crypt(p_password, gen_salt('bf', cfg.bcrypt_cost));  -- same time as a real check
        INSERT INTO audit_log (actor, event, details)
        VALUES (v_name, 'sign_in_failed', jsonb_build_object('reason', 'unknown_account'));
        RETURN QUERY SELECT 'bad'::text, NULL::text;
        RETURN;
    END IF;
    IF a.disabled_at IS NOT NULL THEN
        INSERT INTO audit_log (actor, account_id, event, details)
        VALUES (v_name, a.id, 'sign_in_failed', jsonb_build_object('reason', 'disabled'));
        RETURN QUERY SELECT 'disabled'::text, NULL::text;
        RETURN;
    END IF;
    IF a.locked_until > now() THEN
        INSERT INTO audit_log (actor, account_id, event, details)
        VALUES (v_name, a.id, 'sign_in_locked', jsonb_build_object('locked_until', a.locked_until));
        RETURN QUERY SELECT 'locked'::text, NULL::text;
        RETURN;
    END IF;
    IF crypt(p_password, a.password_hash) IS DISTINCT FROM a.password_hash THEN
        failures := CASE WHEN a.locked_until IS NOT NULL THEN 1 ELSE a.failed_count + 1 END;
        UPDATE account SET failed_count = failures,
               locked_until = CASE WHEN failures >= cfg.max_failures
                                   THEN now() + make_interval(mins => cfg.lockout_minutes) END
        WHERE id = a.id;
        INSERT INTO audit_log (actor, account_id, event, details)
        VALUES (v_name, a.id, 'sign_in_failed',
                jsonb_build_object('reason', 'password', 'failures', failures,
                                   'locked', failures >= cfg.max_failures));
        RETURN QUERY SELECT CASE WHEN failures >= cfg.max_failures THEN 'locked' ELSE 'bad' END, NULL::text;
        RETURN;
    END IF;
    token := diaban_open_session(a.id, 'password');
    INSERT INTO audit_log (actor, account_id, session_id, event, details)
    VALUES (v_name, a.id, currval('app_session_id_seq'), 'sign_in', jsonb_build_object('via', 'password'));
    status := 'ok';
    RETURN NEXT;
END
$$;

CREATE FUNCTION diaban_sign_in_external(p_subject text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    a account;
    token text;
BEGIN
    IF NOT (SELECT oidc_enabled FROM access_config) THEN
        RAISE EXCEPTION 'Đăng nhập qua nhà cung cấp định danh chưa được bật. / External sign-in is not enabled.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO a FROM account WHERE external_subject = p_subject AND disabled_at IS NULL;
    IF NOT FOUND THEN
        INSERT INTO audit_log (actor, event, details)
        VALUES (left(coalesce(p_subject, ''), 200), 'sign_in_failed', jsonb_build_object('reason', 'unknown_subject'));
        RETURN NULL;
    END IF;
    token := diaban_open_session(a.id, 'oidc');
    INSERT INTO audit_log (actor, account_id, session_id, event, details)
    VALUES (a.username, a.id, currval('app_session_id_seq'), 'sign_in', jsonb_build_object('via', 'oidc'));
    RETURN token;
END
$$;

CREATE FUNCTION diaban_touch() RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE app_session s
    SET idle_until = least(s.expires_at, now() + make_interval(mins => (SELECT idle_minutes FROM access_config)))
    WHERE s.id = (SELECT m.session_id FROM diaban_me() m);
    RETURN FOUND;
END
$$;

CREATE FUNCTION diaban_sign_out() RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me record;
BEGIN
    SELECT * INTO me FROM diaban_me();
    IF FOUND THEN
        UPDATE app_session SET ended_at = now() WHERE id = me.session_id;
        INSERT INTO audit_log (actor, account_id, session_id, event) VALUES (me.username, me.account_id, me.session_id, 'sign_out');
    END IF;
END
$$;

CREATE FUNCTION diaban_audit(p_event text, p_details jsonb, p_rows bigint, p_geom_wkt text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_account integer;
    v_session bigint;
    v_actor text;
    new_id bigint;
BEGIN
    IF p_event <> ALL (ARRAY{list(APP_EVENTS)!r}) THEN
        RAISE EXCEPTION 'unknown audit event %', p_event USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT m.account_id, m.session_id, m.username INTO v_account, v_session, v_actor FROM diaban_me() m;
    IF v_actor IS NULL THEN
        IF NOT diaban_is_owner() THEN
            RAISE EXCEPTION 'Phiên đăng nhập đã hết hạn. / The session has expired.' USING ERRCODE = 'insufficient_privilege';
        END IF;
        v_actor := session_user::text;  -- the command line, as the schema owner
    END IF;
    INSERT INTO audit_log (actor, account_id, session_id, event, details, row_count, geom)
    VALUES (v_actor, v_account, v_session, p_event, coalesce(p_details, '{{}}'), p_rows,
            CASE WHEN p_geom_wkt IS NULL THEN NULL ELSE ST_GeomFromText(p_geom_wkt, 4326) END)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;

CREATE FUNCTION diaban_account_save(p_username text, p_role text, p_scope_kind text, p_scope_code text,
                                    p_clearance text, p_display_name text DEFAULT NULL,
                                    p_password text DEFAULT NULL, p_disabled boolean DEFAULT NULL,
                                    p_external_subject text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me record;
    actor text;
    cost integer := (SELECT bcrypt_cost FROM access_config);
    new_id integer;
    known boolean;
BEGIN
    SELECT * INTO me FROM diaban_me();
    IF coalesce(me.role, '') <> 'admin' AND NOT diaban_is_owner() THEN
        RAISE EXCEPTION 'Chỉ quản trị viên được sửa tài khoản. / Only an administrator may change accounts.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    actor := coalesce(me.username, session_user::text);
    known := CASE p_scope_kind
        WHEN 'central' THEN p_scope_code IS NULL
        WHEN 'regional' THEN EXISTS (SELECT 1 FROM regional_department WHERE code = p_scope_code)
        WHEN 'province' THEN EXISTS (SELECT 1 FROM admin_unit WHERE level = 'province' AND valid_to IS NULL AND code = p_scope_code)
        WHEN 'commune' THEN EXISTS (SELECT 1 FROM admin_unit WHERE level = 'commune' AND valid_to IS NULL AND code = p_scope_code)
        ELSE false END;
    IF NOT known THEN
        RAISE EXCEPTION 'Phạm vi % % không tồn tại. / The scope % % does not exist.',
            p_scope_kind, p_scope_code, p_scope_kind, p_scope_code USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_password IS NOT NULL AND octet_length(p_password) NOT BETWEEN 10 AND 72 THEN
        RAISE EXCEPTION 'Mật khẩu phải dài 10 – 72 byte. / The password must be 10 – 72 bytes long.'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO account AS a (username, display_name, role, scope_kind, scope_code, clearance, password_hash,
                              external_subject, disabled_at)
    VALUES (lower(p_username), coalesce(p_display_name, ''), p_role, p_scope_kind, p_scope_code, p_clearance,
            CASE WHEN p_password IS NULL THEN NULL ELSE crypt(p_password, gen_salt('bf', cost)) END,
            p_external_subject, CASE WHEN p_disabled THEN now() END)
    ON CONFLICT (username) DO UPDATE SET
        display_name = coalesce(p_display_name, a.display_name), role = EXCLUDED.role,
        scope_kind = EXCLUDED.scope_kind, scope_code = EXCLUDED.scope_code, clearance = EXCLUDED.clearance,
        password_hash = coalesce(EXCLUDED.password_hash, a.password_hash),
        external_subject = coalesce(EXCLUDED.external_subject, a.external_subject),
        disabled_at = CASE WHEN p_disabled IS NULL THEN a.disabled_at WHEN p_disabled THEN coalesce(a.disabled_at, now()) END,
        failed_count = CASE WHEN p_password IS NULL THEN a.failed_count ELSE 0 END,
        locked_until = CASE WHEN p_password IS NULL THEN a.locked_until END,
        updated_at = now()
    RETURNING id INTO new_id;
    IF p_disabled THEN
        UPDATE app_session SET ended_at = now() WHERE account_id = new_id AND ended_at IS NULL;
    END IF;
    INSERT INTO audit_log (actor, account_id, session_id, event, details)
    VALUES (actor, me.account_id, me.session_id, 'account_change',
            jsonb_build_object('username', lower(p_username), 'role', p_role, 'scope_kind', p_scope_kind,
                               'scope_code', p_scope_code, 'clearance', p_clearance,
                               'password_changed', p_password IS NOT NULL, 'disabled', p_disabled));
    RETURN new_id;
END
$$;

CREATE FUNCTION diaban_account_unlock(p_username text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me record;
BEGIN
    SELECT * INTO me FROM diaban_me();
    IF coalesce(me.role, '') <> 'admin' AND NOT diaban_is_owner() THEN
        RAISE EXCEPTION 'Chỉ quản trị viên được mở khoá tài khoản. / Only an administrator may unlock accounts.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE account SET failed_count = 0, locked_until = NULL, updated_at = now() WHERE username = lower(p_username);
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO audit_log (actor, account_id, session_id, event, details)
    VALUES (coalesce(me.username, session_user::text), me.account_id, me.session_id, 'account_change',
            jsonb_build_object('username', lower(p_username), 'unlocked', true));
    RETURN true;
END
$$;
"""

_APP_FUNCTIONS = ("diaban_me()", "diaban_sign_in(text, text)", "diaban_sign_in_external(text)", "diaban_touch()",
                  "diaban_sign_out()", "diaban_audit(text, jsonb, bigint, text)",
                  "diaban_account_save(text, text, text, text, text, text, text, boolean, text)",
                  "diaban_account_unlock(text)")
_OWNER_FUNCTIONS = ("diaban_open_session(integer, text)", "diaban_mark_leakproof()")
_READABLE = ("admin_unit", "unit_lineage", "load_log", "regional_department", "regional_department_province",
             "party_org", "import_batch", "access_config", *RECORD_TABLES, "quarantine",
             "audit_log")
_ACCOUNT_COLUMNS = ("id, username, display_name, role, scope_kind, scope_code, clearance, external_subject,"
                    " failed_count, locked_until, last_sign_in, created_at, updated_at, disabled_at")


def _grants() -> str:
    statements = [f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}",
                  f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"]
    statements += [f"GRANT SELECT ON {table} TO {APP_ROLE}" for table in _READABLE]
    statements.append(f"GRANT SELECT ({_ACCOUNT_COLUMNS}) ON account TO {APP_ROLE}")
    # Imports from the app run as the app role, inside the policies below.
    statements += [f"GRANT INSERT, UPDATE ON {table} TO {APP_ROLE}" for table in IMPORT_TABLES + ("import_batch",)]
    statements.append(f"GRANT INSERT ON quarantine TO {APP_ROLE}")
    statements += [f"GRANT USAGE ON SEQUENCE {table}_id_seq TO {APP_ROLE}"
                   for table in IMPORT_TABLES + ("import_batch", "quarantine")]
    for function in _APP_FUNCTIONS + _OWNER_FUNCTIONS:
        statements.append(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    statements += [f"GRANT EXECUTE ON FUNCTION {function} TO {APP_ROLE}" for function in _APP_FUNCTIONS]
    return ";\n".join(statements) + ";"


def _policies() -> str:
    statements = []
    for table in RECORD_TABLES:
        statements += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY scope_read ON {table} FOR SELECT TO {APP_ROLE} USING (({_SCOPE}) AND {_CLEARED})",
        ]
    # Writes (imports by editors and administrators): only rows inside one's scope and clearance,
    # and only over rows one may see; party organisations are public to read.
    statements += ["ALTER TABLE party_org ENABLE ROW LEVEL SECURITY",
                   f"CREATE POLICY everyone_read ON party_org FOR SELECT TO {APP_ROLE} USING (true)"]
    for table in IMPORT_TABLES:
        statements += [
            f"CREATE POLICY scope_insert ON {table} FOR INSERT TO {APP_ROLE}"
            f" WITH CHECK ({_EDITOR} AND ({_SCOPE}) AND {_CLEARED})",
            f"CREATE POLICY scope_update ON {table} FOR UPDATE TO {APP_ROLE}"
            f" USING ({_EDITOR} AND ({_SCOPE}) AND {_CLEARED}) WITH CHECK ({_EDITOR} AND ({_SCOPE}) AND {_CLEARED})",
        ]
    statements += [
        f"CREATE POLICY editor_insert ON quarantine FOR INSERT TO {APP_ROLE} WITH CHECK ({_EDITOR})",
        "ALTER TABLE import_batch ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY everyone_read ON import_batch FOR SELECT TO {APP_ROLE} USING (true)",
        f"CREATE POLICY editor_insert ON import_batch FOR INSERT TO {APP_ROLE} WITH CHECK ({_EDITOR})",
        # a finished batch is history: the app may only complete its own open one
        f"CREATE POLICY open_update ON import_batch FOR UPDATE TO {APP_ROLE} USING ({_EDITOR} AND finished_at IS NULL)"
        f" WITH CHECK ({_EDITOR})",
    ]
    # Quarantined rows are for those who import (editors, administrators) of the province; their
    # classification is the file's when readable, else the most restricted.
    statements += [
        "ALTER TABLE quarantine ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY scope_read ON quarantine FOR SELECT TO {APP_ROLE} USING ("
        f"(SELECT m.role FROM diaban_me() m) IN ('admin', 'editor')"
        f" AND ((SELECT m.see_all FROM diaban_me() m) OR province_code = ANY (CAST((SELECT m.provinces FROM diaban_me() m) AS text[])))"
        f" AND {_CLEARED})",
        "ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY admin_read ON audit_log FOR SELECT TO {APP_ROLE} USING ({_ADMIN})",
        "ALTER TABLE account ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY admin_read ON account FOR SELECT TO {APP_ROLE} USING ({_ADMIN} OR id = (SELECT m.account_id FROM diaban_me() m))",
        "ALTER TABLE app_session ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE access_config ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY everyone_read ON access_config FOR SELECT TO {APP_ROLE} USING (true)",
    ]
    return ";\n".join(statements) + ";"


def upgrade() -> None:
    op.execute(_ROLE)
    op.execute(_TABLES)
    op.execute(_FUNCTIONS)
    op.execute(_grants())
    op.execute(_policies())


def downgrade() -> None:
    for table in (*RECORD_TABLES, "quarantine", "party_org", "import_batch"):
        for policy in ("scope_read", "scope_insert", "scope_update", "everyone_read", "editor_insert", "open_update"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP TABLE IF EXISTS audit_log, app_session, account, access_config")
    for function in _APP_FUNCTIONS + _OWNER_FUNCTIONS + ("diaban_is_owner()", "diaban_session_hash()"):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute("ALTER TABLE quarantine DROP COLUMN IF EXISTS classification")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
