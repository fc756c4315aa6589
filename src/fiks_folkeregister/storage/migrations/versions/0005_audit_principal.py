"""The lookup log names its principal (an integration, or a person in the portal) and the case reference.

Existing records are integrations' records without a case reference; their chain hashes are unchanged
(audit/kjede.py encodes the new fields only when they are set).

Revision ID: g0005
Revises: g0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "g0005"
down_revision = "g0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oppslagslogg") as batch:
        batch.add_column(sa.Column("prinsipal", sa.String(12), nullable=False, server_default="integrasjon"))
        batch.add_column(sa.Column("person_foedselsnummer", sa.String(11), nullable=True))
        batch.add_column(sa.Column("person_navn", sa.String(200), nullable=True))
        batch.add_column(sa.Column("saksnummer", sa.String(100), nullable=True))
        batch.add_column(sa.Column("formaal", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oppslagslogg") as batch:
        batch.drop_column("formaal")
        batch.drop_column("saksnummer")
        batch.drop_column("person_navn")
        batch.drop_column("person_foedselsnummer")
        batch.drop_column("prinsipal")
