"""No LEAKPROOF marks: radius and polygon searches stay indexed through the stored H3 cells.

Migration 0005 marked ``geography(geometry)``, ``geography_overlaps`` and ``st_dwithin(geography,
…)`` LEAKPROOF so that the planner would use the geography index under row-level security. But
``geography(geometry)`` raises an error for an SRID other than 4326, and the SRID can be chosen
from row data (``geography(CASE WHEN province_code = '79' THEN 'SRID=3857;POINT(0 0)'::geometry
ELSE geom END)``): the planner evaluated that "leakproof" condition before the policy, and the
error answered a yes/no question about a hidden row. This revision takes the marks away (when
run by a superuser; otherwise it says what the DBA must run) and drops ``diaban_mark_leakproof``.

Searches stay indexed without them: the records' stored H3 resolution-9 cells are ``bigint``,
whose comparison operators PostgreSQL itself marks leakproof, so a circle or polygon covered by
ranges of cell ids (``geo.h3cells``) is a B-tree range scan under the policies; only the cells
its edge crosses need the (not leakproof) exact test, which then runs after the policy.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

MARKED = ("geography(geometry)", "geography_overlaps(geography, geography)",
          "st_dwithin(geography, geography, double precision, boolean)")

_UNMARK = f"""
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        {' '.join(f'ALTER FUNCTION {f} NOT LEAKPROOF;' for f in MARKED)}
    ELSIF EXISTS (SELECT 1 FROM pg_proc WHERE proleakproof AND pronamespace <> 'pg_catalog'::regnamespace) THEN
        RAISE WARNING 'Functions outside pg_catalog are marked LEAKPROOF: ask the DBA to run ALTER FUNCTION ... '
                      'NOT LEAKPROOF on %', (SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_proc p
                                             WHERE p.proleakproof AND p.pronamespace <> 'pg_catalog'::regnamespace);
    END IF;
END
$$;
DROP FUNCTION IF EXISTS diaban_mark_leakproof();
"""


def upgrade() -> None:
    op.execute(_UNMARK)


def downgrade() -> None:
    pass  # the marks are not put back: they were a hole
