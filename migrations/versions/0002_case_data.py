"""Case data: party organisations, cases, discipline, petitions, targets; import batches and quarantine.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LOCATED_BY = "('point', 'snapped', 'code', 'old_code', 'estimated', 'name')"
CLASSIFICATION = "('thuong', 'mat', 'toi_mat')"


def _located_columns() -> list[sa.Column]:
    """Columns every located record carries: where it is, how it was located, where it came from."""
    return [
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False)),
        sa.Column("commune_code", sa.Text),
        sa.Column("province_code", sa.Text),
        sa.Column("old_commune_code", sa.Text),
        sa.Column("h3_9", sa.BigInteger),
        sa.Column("located_by", sa.Text, nullable=False),
        sa.Column("classification", sa.Text, nullable=False, server_default="thuong"),
        sa.Column("source_file", sa.Text, nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
        sa.Column("source_sha256", sa.CHAR(64), nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batch.id"), nullable=False),
        sa.Column("content_hash", sa.CHAR(32), nullable=False),
    ]


def _located_indexes(table: str, date_column: str | None) -> None:
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_located_by CHECK (located_by IN {LOCATED_BY})")
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_classification CHECK (classification IN {CLASSIFICATION})")
    # One spatial index, on geography: radius and polygon queries are answered on the ellipsoid.
    # Every index costs import speed (a GiST index is ~40 % of a bulk insert), so no more than
    # the read side needs: counts by unit and period come from the code and date indexes.
    op.execute(f"CREATE INDEX ix_{table}_geog ON {table} USING gist ((geom::geography))")
    op.execute(f"CREATE INDEX ix_{table}_commune ON {table} (commune_code)")
    if date_column:
        op.execute(f"CREATE INDEX ix_{table}_province_date ON {table} (province_code, {date_column})")


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_type", sa.Text, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.CHAR(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("rows_in", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_loaded", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_quarantined", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_inserted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_updated", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_unchanged", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("rows_in = rows_loaded + rows_quarantined", name="ck_import_batch_accounting"),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batch.id", ondelete="CASCADE"), nullable=False),
        sa.Column("record_type", sa.Text, nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
        sa.Column("source_id", sa.Text),
        sa.Column("province_code", sa.Text),
        sa.Column("reason_code", sa.Text, nullable=False),
        sa.Column("reason_vi", sa.Text, nullable=False),
        sa.Column("reason_en", sa.Text, nullable=False),
        sa.Column("raw", postgresql.JSONB, nullable=False),
    )
    op.create_index("ix_quarantine_batch", "quarantine", ["batch_id", "source_row"])

    op.create_table(
        "party_org",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("source_id", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("org_type", sa.Text, nullable=False),
        sa.Column("parent_source_id", sa.Text),
        sa.Column("members", sa.Integer, nullable=False),
        sa.Column("founded_on", sa.Date),
        sa.Column("dissolved_on", sa.Date),
        *_located_columns(),
        sa.CheckConstraint("members >= 0", name="ck_party_org_members"),
    )
    _located_indexes("party_org", None)

    op.create_table(
        "case_record",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("source_id", sa.Text, nullable=False, unique=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("acting_level", sa.Text, nullable=False),
        sa.Column("subject_type", sa.Text, nullable=False),
        sa.Column("subject_level", sa.Text),
        sa.Column("subject_ref", sa.Text),  # pseudonymised subject (member or organisation)
        sa.Column("org_source_id", sa.Text),
        sa.Column("sector", sa.Text),
        sa.Column("categories", postgresql.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("decision_no", sa.Text),
        sa.Column("decision_date", sa.Date, nullable=False),
        sa.Column("planned_end", sa.Date),
        sa.Column("actual_end", sa.Date),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("conclusion", sa.Text),
        *_located_columns(),
    )
    _located_indexes("case_record", "decision_date")

    op.create_table(
        "discipline",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("source_id", sa.Text, nullable=False, unique=True),
        sa.Column("subject_type", sa.Text, nullable=False),
        sa.Column("subject_ref", sa.Text),
        sa.Column("form", sa.Text, nullable=False),
        sa.Column("deciding_level", sa.Text, nullable=False),
        sa.Column("decision_date", sa.Date, nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("case_source_id", sa.Text),
        sa.Column("appealed", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("rehabilitated", sa.Boolean, nullable=False, server_default="false"),
        *_located_columns(),
    )
    _located_indexes("discipline", "decision_date")

    op.create_table(
        "petition",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("source_id", sa.Text, nullable=False, unique=True),
        sa.Column("petition_type", sa.Text, nullable=False),
        sa.Column("received_date", sa.Date, nullable=False),
        sa.Column("competent_level", sa.Text, nullable=False),
        sa.Column("eligible", sa.Boolean, nullable=False, server_default="true"),
        sa.Column("due_date", sa.Date),
        sa.Column("resolved_date", sa.Date),
        sa.Column("result", sa.Text),
        sa.Column("case_source_id", sa.Text),
        *_located_columns(),
    )
    _located_indexes("petition", "received_date")

    op.create_table(
        "target",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("source_id", sa.Text, nullable=False, unique=True),
        sa.Column("unit_level", sa.Text, nullable=False),
        sa.Column("unit_code", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("subject_type", sa.Text, nullable=False),
        sa.Column("sector", sa.Text),
        sa.Column("planned", sa.Integer, nullable=False),
        sa.Column("province_code", sa.Text, nullable=False),
        sa.Column("commune_code", sa.Text),
        sa.Column("classification", sa.Text, nullable=False, server_default="thuong"),
        sa.Column("source_file", sa.Text, nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
        sa.Column("source_sha256", sa.CHAR(64), nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batch.id"), nullable=False),
        sa.Column("content_hash", sa.CHAR(32), nullable=False),
        sa.CheckConstraint("planned >= 0", name="ck_target_planned"),
        sa.CheckConstraint("unit_level IN ('province', 'commune')", name="ck_target_level"),
    )
    op.create_index("ix_target_unit", "target", ["unit_level", "unit_code", "year"])


def downgrade() -> None:
    for table in ("target", "petition", "discipline", "case_record", "party_org", "quarantine", "import_batch"):
        op.drop_table(table)
