"""A B-tree on the cases' stored H3 cell: radius counts read cells wholly inside the circle as id ranges.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_case_record_h3 ON case_record (h3_9)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_case_record_h3")
