"""The portal's server-side sessions and the embedded ID-porten stand-in's authorization codes.

Revision ID: g0006
Revises: g0005
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "g0006"
down_revision = "g0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_sesjon",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("opprettet", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sist_brukt", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_portal_sesjon_sist_brukt", "portal_sesjon", ["sist_brukt"])
    op.create_table(
        "idporten_kode",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("utloeper", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idporten_kode")
    op.drop_index("ix_portal_sesjon_sist_brukt", table_name="portal_sesjon")
    op.drop_table("portal_sesjon")
