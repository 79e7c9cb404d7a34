"""API tokens: bearer tokens per account that stand for a session of that account.

Another system (or a GIS desktop) reaches the platform through the API with a bearer token an
administrator issued for one account. The token is a session token: issuing it opens an
``app_session`` row (``via = 'api'``) whose hash is the token's SHA-256, so the API sets it as
``diaban.session`` exactly as the app does after a sign-in, and ``diaban_me()``, the row-level
policies, clearance and the audit log apply unchanged. Its ``expires_at`` is the token's expiry
and it has no idle limit; revoking the token ends the session at once.

``api_token`` (name, access, expiry, revocation, last use) belongs to the owner; the app role
reads it only through the SECURITY DEFINER functions below. A read-only token may not write even
when its account is an editor: restrictive policies on every imported table check
``diaban_may_write()`` in the database, not only in the API.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-01
"""

from alembic import op

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None

APP_ROLE = "diaban_app"
WRITE_TABLES = ("case_record", "petition", "discipline", "party_org", "import_batch", "quarantine")

_TABLES = """
ALTER TABLE app_session DROP CONSTRAINT IF EXISTS app_session_via_check;
ALTER TABLE app_session ADD CONSTRAINT app_session_via_check CHECK (via IN ('password', 'oidc', 'owner', 'api'));

CREATE TABLE api_token (
    id serial PRIMARY KEY,
    account_id integer NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    session_id bigint UNIQUE REFERENCES app_session (id) ON DELETE SET NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    access text NOT NULL CHECK (access IN ('read', 'write')),
    prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    last_used_at timestamptz
);
COMMENT ON TABLE api_token IS 'Bearer tokens of the API; the secret is only in app_session.token_hash (SHA-256).';
"""

_FUNCTIONS = """
CREATE FUNCTION diaban_require_admin()
RETURNS TABLE (account_id integer, session_id bigint, username text, role text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me record;
BEGIN
    SELECT m.account_id, m.session_id, m.username, m.role INTO me FROM diaban_me() m;
    IF coalesce(me.role, '') <> 'admin' AND NOT diaban_is_owner() THEN
        RAISE EXCEPTION 'Chỉ quản trị viên được quản lý mã truy cập API. / Only an administrator may manage API tokens.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY SELECT me.account_id, me.session_id, me.username, me.role;
END
$$;

CREATE FUNCTION diaban_api_token_issue(p_username text, p_name text, p_access text, p_days integer)
RETURNS TABLE (token_id integer, token text, expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me record;
    a account;
    secret text := 'dbn_' || encode(gen_random_bytes(32), 'hex');
    v_session bigint;
    v_expires timestamptz;
    v_id integer;
BEGIN
    SELECT * INTO me FROM diaban_require_admin();
    IF p_access IS NULL OR p_access NOT IN ('read', 'write') THEN
        RAISE EXCEPTION 'Quyền của mã phải là read hoặc write. / The access must be read or write.'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_days IS NULL OR p_days NOT BETWEEN 1 AND 730 THEN
        RAISE EXCEPTION 'Thời hạn phải từ 1 đến 730 ngày. / The validity must be 1 – 730 days.'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_name IS NULL OR length(trim(p_name)) NOT BETWEEN 1 AND 100 THEN
        RAISE EXCEPTION 'Tên mã phải dài 1 – 100 ký tự. / The token name must be 1 – 100 characters long.'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO a FROM account WHERE username = lower(p_username) AND disabled_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Không có tài khoản đang hoạt động %. / No active account %.', p_username, p_username
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_expires := now() + make_interval(days => p_days);
    INSERT INTO app_session (account_id, token_hash, via, expires_at, idle_until)
    VALUES (a.id, sha256(convert_to(secret, 'UTF8')), 'api', v_expires, v_expires)
    RETURNING id INTO v_session;
    INSERT INTO api_token (account_id, session_id, name, access, prefix, created_by, expires_at)
    VALUES (a.id, v_session, trim(p_name), p_access, left(secret, 10), coalesce(me.username, session_user::text), v_expires)
    RETURNING id INTO v_id;
    INSERT INTO audit_log (actor, account_id, session_id, event, details)
    VALUES (coalesce(me.username, session_user::text), me.account_id, me.session_id, 'account_change',
            jsonb_build_object('api_token', v_id, 'action', 'issue', 'username', a.username, 'access', p_access,
                               'expires_at', v_expires));
    RETURN QUERY SELECT v_id, secret, v_expires;
END
$$;

CREATE FUNCTION diaban_api_tokens()
RETURNS TABLE (id integer, username text, name text, access text, prefix text, created_at timestamptz,
               created_by text, expires_at timestamptz, revoked_at timestamptz, last_used_at timestamptz, status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM diaban_require_admin();
    RETURN QUERY
    SELECT t.id, a.username, t.name, t.access, t.prefix, t.created_at, t.created_by, t.expires_at, t.revoked_at,
           t.last_used_at,
           CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked' WHEN t.expires_at <= now() THEN 'expired'
                WHEN a.disabled_at IS NOT NULL THEN 'disabled' ELSE 'active' END
    FROM api_token t JOIN account a ON a.id = t.account_id
    ORDER BY t.id;
END
$$;

-- Revoke (p_at NULL: now, and for good) or move the expiry (p_at: a new end, at most the old one's
-- 730 days); both end or shorten the session the token stands for, so the next request gets 401.
CREATE FUNCTION diaban_api_token_end(p_id integer, p_revoke boolean, p_at timestamptz DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me record;
    t api_token;
    v_at timestamptz := coalesce(p_at, now());
BEGIN
    SELECT * INTO me FROM diaban_require_admin();
    SELECT * INTO t FROM api_token WHERE id = p_id FOR UPDATE;
    IF NOT FOUND OR t.revoked_at IS NOT NULL THEN
        RETURN false;
    END IF;
    IF p_revoke THEN
        UPDATE api_token SET revoked_at = now() WHERE id = p_id;
        UPDATE app_session SET ended_at = now() WHERE id = t.session_id;
    ELSE
        IF v_at > t.created_at + interval '730 days' THEN
            RAISE EXCEPTION 'Thời hạn tối đa 730 ngày. / The validity is at most 730 days.'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        UPDATE api_token SET expires_at = v_at WHERE id = p_id;
        UPDATE app_session SET expires_at = v_at, idle_until = v_at WHERE id = t.session_id;
    END IF;
    INSERT INTO audit_log (actor, account_id, session_id, event, details)
    VALUES (coalesce(me.username, session_user::text), me.account_id, me.session_id, 'account_change',
            jsonb_build_object('api_token', p_id, 'action', CASE WHEN p_revoke THEN 'revoke' ELSE 'expire' END,
                               'at', v_at));
    RETURN true;
END
$$;

-- What the API asks at every request: is the session of this transaction an API token's, and
-- may it write? No row: not an API token (or expired, revoked, account disabled): 401.
CREATE FUNCTION diaban_api_me()
RETURNS TABLE (token_id integer, access text, username text, role text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me record;
BEGIN
    SELECT m.session_id, m.username, m.role INTO me FROM diaban_me() m;
    IF me.session_id IS NULL THEN
        RETURN;
    END IF;
    -- last use to the minute: one small write a minute per token, not one per request
    UPDATE api_token t SET last_used_at = now()
    WHERE t.session_id = me.session_id AND t.revoked_at IS NULL
      AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute');
    RETURN QUERY SELECT t.id, t.access, me.username, me.role FROM api_token t
                 WHERE t.session_id = me.session_id AND t.revoked_at IS NULL AND t.expires_at > now();
END
$$;

-- False only for the session of a read-only API token: the restrictive write policies use it.
CREATE FUNCTION diaban_may_write() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT NOT EXISTS (SELECT 1 FROM api_token t
                       WHERE t.session_id = (SELECT m.session_id FROM diaban_me() m) AND t.access = 'read')
$$;
"""

_APP_FUNCTIONS = ("diaban_api_token_issue(text, text, text, integer)", "diaban_api_tokens()",
                  "diaban_api_token_end(integer, boolean, timestamptz)", "diaban_api_me()", "diaban_may_write()")
_OWNER_FUNCTIONS = ("diaban_require_admin()",)


def _grants() -> str:
    statements = [f"REVOKE ALL ON api_token FROM {APP_ROLE}", "ALTER TABLE api_token ENABLE ROW LEVEL SECURITY"]
    for function in _APP_FUNCTIONS + _OWNER_FUNCTIONS:
        statements.append(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    statements += [f"GRANT EXECUTE ON FUNCTION {function} TO {APP_ROLE}" for function in _APP_FUNCTIONS]
    # Restrictive: ANDed with the permissive scope policies of 0005 (one InitPlan per statement).
    for table in WRITE_TABLES:
        statements.append(f"CREATE POLICY token_writes ON {table} AS RESTRICTIVE FOR INSERT TO {APP_ROLE}"
                          " WITH CHECK ((SELECT diaban_may_write()))")
        if table != "quarantine":
            statements.append(f"CREATE POLICY token_updates ON {table} AS RESTRICTIVE FOR UPDATE TO {APP_ROLE}"
                              " USING ((SELECT diaban_may_write()))")
    return ";\n".join(statements) + ";"


def upgrade() -> None:
    op.execute(_TABLES)
    op.execute(_FUNCTIONS)
    op.execute(_grants())


def downgrade() -> None:
    for table in WRITE_TABLES:
        op.execute(f"DROP POLICY IF EXISTS token_writes ON {table}")
        op.execute(f"DROP POLICY IF EXISTS token_updates ON {table}")
    for function in _APP_FUNCTIONS + _OWNER_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute("DELETE FROM app_session WHERE via = 'api'")
    op.execute("DROP TABLE IF EXISTS api_token")
    op.execute("ALTER TABLE app_session DROP CONSTRAINT IF EXISTS app_session_via_check")
    op.execute("ALTER TABLE app_session ADD CONSTRAINT app_session_via_check"
               " CHECK (via IN ('password', 'oidc', 'owner'))")
