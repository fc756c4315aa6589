"""An organisation's Folkeregister configuration as KS's Konfigurasjon API holds it (its contact e-mail
addresses, `kontakteposter`), and the catalogue of legal bases (`lovhjemmel`) the platform operator keeps.

Existing organisations have no configuration yet (NULL: not configured). The catalogue starts as the fixed
catalogue the gateway had until now (`domain/tjenesteomrade.STANDARD_LOVHJEMLER`), so every legal basis a
role could choose is still there; roles keep the legal basis they chose (its text and links) either way.

Revision ID: g0009
Revises: g0008
Create Date: 2026-11-29
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from fiks_folkeregister.domain.tjenesteomrade import STANDARD_LOVHJEMLER

revision = "g0009"
down_revision = "g0008"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("organisasjon") as batch:
        batch.add_column(sa.Column("kontakteposter", sa.JSON(none_as_null=True), nullable=True))
    table = op.create_table(
        "lovhjemmel",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("beskrivelse", sa.String(300), nullable=False),
        sa.Column("omrader", sa.JSON, nullable=False),
        sa.Column("urler", sa.JSON, nullable=False),
        sa.Column("opprettet", sa.DateTime(timezone=True), nullable=False),
        sa.Column("endret", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("beskrivelse", name="uq_lovhjemmel_beskrivelse"),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        table,
        [
            {
                "beskrivelse": lov.beskrivelse,
                "omrader": [area.value for area in lov.omrader],
                "urler": list(lov.urler),
                "opprettet": now,
                "endret": now,
            }
            for lov in STANDARD_LOVHJEMLER
        ],
    )


def downgrade() -> None:
    op.drop_table("lovhjemmel")
    with op.batch_alter_table("organisasjon") as batch:
        batch.drop_column("kontakteposter")
