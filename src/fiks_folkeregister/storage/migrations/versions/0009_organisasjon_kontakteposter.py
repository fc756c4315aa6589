"""An organisation's Folkeregister configuration as KS's Konfigurasjon API holds it: its contact e-mail
addresses (`kontakteposter`).

Existing organisations have none yet (NULL: not configured); nothing else changes.

Revision ID: g0009
Revises: g0008
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "g0009"
down_revision = "g0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisasjon") as batch:
        batch.add_column(sa.Column("kontakteposter", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisasjon") as batch:
        batch.drop_column("kontakteposter")
