"""Administrative units, lineage old -> new, and the load log.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "load_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.CHAR(64), nullable=False),
        sa.Column("loader_version", sa.Text, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("now()")),
        sa.Column("rows_in", sa.Integer, nullable=False),
        sa.Column("rows_inserted", sa.Integer, nullable=False),
        sa.Column("rows_unchanged", sa.Integer, nullable=False),
        sa.Column("rows_closed", sa.Integer, nullable=False),
        sa.Column("details", postgresql.JSONB, nullable=False, server_default="{}"),
    )
    op.create_index("ix_load_log_dataset_sha", "load_log", ["dataset", "sha256"])

    op.create_table(
        "admin_unit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("short_name", sa.Text, nullable=False),
        sa.Column("unit_type", sa.Text, nullable=False),
        sa.Column("parent_code", sa.Text),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date),
        sa.Column("population", sa.BigInteger),
        sa.Column("area_km2", sa.Float),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
        sa.Column("geom_detail", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
        sa.Column("geom_overview", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
        sa.Column("content_hash", sa.CHAR(32), nullable=False),
        sa.Column("load_id", sa.Integer, sa.ForeignKey("load_log.id"), nullable=False),
        sa.CheckConstraint("level IN ('province', 'district', 'commune')", name="ck_admin_unit_level"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="ck_admin_unit_period"),
        sa.CheckConstraint(
            "(level = 'province' AND code ~ '^[0-9]{2}$') OR (level = 'district' AND code ~ '^[0-9]{3}$')"
            " OR (level = 'commune' AND code ~ '^[0-9]{5}$')",
            name="ck_admin_unit_code_form",
        ),
        sa.UniqueConstraint("level", "code", "valid_from", name="uq_admin_unit_version"),
    )
    # Validity is half-open [valid_from, valid_to); "current" rows have no end.
    op.execute("CREATE INDEX ix_admin_unit_geom ON admin_unit USING gist (geom)")
    op.execute(
        "CREATE INDEX ix_admin_unit_current ON admin_unit (level, code) WHERE valid_to IS NULL"
    )
    op.execute("CREATE INDEX ix_admin_unit_parent ON admin_unit (level, parent_code)")

    op.create_table(
        "unit_lineage",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("old_level", sa.Text, nullable=False),
        sa.Column("old_code", sa.Text, nullable=False),
        sa.Column("new_level", sa.Text, nullable=False),
        sa.Column("new_code", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("weight_method", sa.Text, nullable=False),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("load_id", sa.Integer, sa.ForeignKey("load_log.id"), nullable=False),
        sa.CheckConstraint("kind IN ('whole', 'part', 'unchanged')", name="ck_lineage_kind"),
        sa.CheckConstraint("weight > 0 AND weight <= 1", name="ck_lineage_weight"),
        sa.CheckConstraint("weight_method IN ('whole', 'area', 'equal')", name="ck_lineage_method"),
        sa.UniqueConstraint("old_level", "old_code", "new_level", "new_code", "effective", name="uq_lineage"),
    )
    op.execute("CREATE INDEX ix_unit_lineage_new ON unit_lineage (new_level, new_code)")


def downgrade() -> None:
    op.drop_table("unit_lineage")
    op.drop_table("admin_unit")
    op.drop_table("load_log")
