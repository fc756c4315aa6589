"""Every organisation gets its id in Fiks (`fiks_org_id`, a UUID), as the deprecated Oppvekst path names it.

Existing organisations get a new random UUID each.

Revision ID: g0002
Revises: g0001
Create Date: 2026-11-29
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "g0002"
down_revision = "g0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisasjon") as batch:
        batch.add_column(sa.Column("fiks_org_id", sa.Uuid, nullable=True))
    organisasjon = sa.table("organisasjon", sa.column("orgnr", sa.String), sa.column("fiks_org_id", sa.Uuid))
    connection = op.get_bind()
    for orgnr in connection.execute(sa.select(organisasjon.c.orgnr)).scalars().all():
        connection.execute(
            organisasjon.update().where(organisasjon.c.orgnr == orgnr).values(fiks_org_id=uuid.uuid4())
        )
    with op.batch_alter_table("organisasjon") as batch:
        batch.alter_column("fiks_org_id", existing_type=sa.Uuid, nullable=False)
        batch.create_index("uq_organisasjon_fiks_org_id", ["fiks_org_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("organisasjon") as batch:
        batch.drop_index("uq_organisasjon_fiks_org_id")
        batch.drop_column("fiks_org_id")
