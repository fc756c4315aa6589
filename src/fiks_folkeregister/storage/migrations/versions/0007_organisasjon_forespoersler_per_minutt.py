"""An organisation may set its integrations' request rate (`forespoersler_per_minutt`); none: the default.

Revision ID: g0007
Revises: g0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "g0007"
down_revision = "g0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisasjon") as batch:
        batch.add_column(sa.Column("forespoersler_per_minutt", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisasjon") as batch:
        batch.drop_column("forespoersler_per_minutt")
