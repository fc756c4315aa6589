"""Person documents, archived versions, identifiers, example persons and population facts.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("foedsels_eller_d_nummer", sa.String(11), nullable=False, unique=True),
        sa.Column("dokumentidentifikator", sa.String(36), nullable=False, unique=True),
    )
    op.create_table(
        "person_arkiv",
        sa.Column("dokumentidentifikator", sa.String(36), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("opprettet", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dokument", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_person_arkiv_person_id", "person_arkiv", ["person_id"])
    op.create_table(
        "person_identifikator",
        sa.Column("identifikator", sa.String(11), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("gjeldende", sa.Boolean, nullable=False),
    )
    op.create_index("ix_person_identifikator_person_id", "person_identifikator", ["person_id"])
    op.create_table(
        "eksempelperson",
        sa.Column("kategori", sa.String(40), primary_key=True),
        sa.Column("foedsels_eller_d_nummer", sa.String(11), primary_key=True),
    )
    op.create_table(
        "populasjon",
        sa.Column("noekkel", sa.String(40), primary_key=True),
        sa.Column("verdi", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    for table in ("populasjon", "eksempelperson", "person_identifikator", "person_arkiv", "person"):
        op.drop_table(table)
