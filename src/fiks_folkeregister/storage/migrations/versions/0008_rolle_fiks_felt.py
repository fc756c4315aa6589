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
    # Plain ALTER TABLE … ADD COLUMN, not batch mode: on SQLite a batch with these defaults rebuilds the table
    # (copy, DROP TABLE rolle, rename), and with foreign keys on, as the gateway's engine has them, dropping a
    # table that grants and audit records refer to fails. Adding a column with a constant default needs no
    # rebuild on either database.
    op.add_column(
        "rolle", sa.Column("tjeneste_omrade", sa.String(30), nullable=False, server_default="STOTTE")
    )
    op.add_column("rolle", sa.Column("lovhjemmel", sa.JSON(none_as_null=True), nullable=True))
    op.add_column("rolle", sa.Column("aktiv", sa.Boolean, nullable=False, server_default=sa.true()))
    op.add_column("rolle", sa.Column("tagger", sa.JSON, nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 and newer), for the same reason: no rebuild of a referenced table.
    for column in ("tagger", "aktiv", "lovhjemmel", "tjeneste_omrade"):
        op.drop_column("rolle", column)
