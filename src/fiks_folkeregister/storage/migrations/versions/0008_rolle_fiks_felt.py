"""A role gains the Fiks role model's fields: `tjeneste_omrade` (the service area it serves), `lovhjemmel` (its
legal basis: text and links, from the catalogue of its service area), `aktiv` and `tagger`.

Existing roles keep working as before: they become active (`aktiv` true), without tags (`tagger` []), without a
legal basis (`lovhjemmel` NULL: none chosen yet) and serve the service area `STOTTE` (support functions; the
area a role gets when none is named, `domain/tjenesteomrade.DEFAULT_TJENESTEOMRADE`). No role's elements,
rights package or grants change, so every request that succeeded before still does.

Revision ID: g0008
Revises: g0007
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "g0008"
down_revision = "g0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rolle") as batch:
        batch.add_column(sa.Column("tjeneste_omrade", sa.String(30), nullable=False, server_default="STOTTE"))
        batch.add_column(sa.Column("lovhjemmel", sa.JSON(none_as_null=True), nullable=True))
        batch.add_column(sa.Column("aktiv", sa.Boolean, nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("tagger", sa.JSON, nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("rolle") as batch:
        batch.drop_column("tagger")
        batch.drop_column("aktiv")
        batch.drop_column("lovhjemmel")
        batch.drop_column("tjeneste_omrade")
