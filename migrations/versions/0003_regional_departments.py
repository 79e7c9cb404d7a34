"""Regional departments (Vụ Địa bàn I–IX) of the Central Inspection Commission: an editable table.

The mapping of provinces to departments is not fully published, so it is data, not code: the
migration seeds a provisional mapping by region (Vụ Địa bàn VIII = the published Mekong delta
set) that an administrator replaces with ``python -m boundaries departments load FILE``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SEED = {
    "I": ("Vụ Địa bàn I", ["11", "12", "14", "15", "25"]),
    "II": ("Vụ Địa bàn II", ["01", "24"]),
    "III": ("Vụ Địa bàn III", ["22", "31", "33", "37"]),
    "IV": ("Vụ Địa bàn IV", ["38", "40", "42"]),
    "V": ("Vụ Địa bàn V", ["44", "46", "48", "51"]),
    "VI": ("Vụ Địa bàn VI", ["52", "56", "66", "68"]),
    "VII": ("Vụ Địa bàn VII", ["75", "79", "80"]),
    "VIII": ("Vụ Địa bàn VIII", ["82", "86", "91", "92", "96"]),
    "IX": ("Vụ Địa bàn IX", ["04", "08", "19", "20"]),
}


def upgrade() -> None:
    op.create_table(
        "regional_department",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "regional_department_province",
        sa.Column("department_code", sa.Text,
                  sa.ForeignKey("regional_department.code", ondelete="CASCADE"), nullable=False),
        sa.Column("province_code", sa.Text, primary_key=True),
        sa.CheckConstraint("province_code ~ '^[0-9]{2}$'", name="ck_rdp_province_code"),
    )
    departments = sa.table("regional_department", sa.column("code"), sa.column("name"), sa.column("note"))
    members = sa.table("regional_department_province", sa.column("department_code"), sa.column("province_code"))
    note = "tạm xếp theo vùng, cần quản trị viên xác nhận / provisional, by region: confirm"
    op.bulk_insert(departments, [{"code": c, "name": n, "note": note} for c, (n, _) in SEED.items()])
    op.bulk_insert(members, [{"department_code": c, "province_code": p}
                             for c, (_, provinces) in SEED.items() for p in provinces])


def downgrade() -> None:
    op.drop_table("regional_department_province")
    op.drop_table("regional_department")
