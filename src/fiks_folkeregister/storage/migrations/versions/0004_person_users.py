"""People as principals: person users (`bruker`), grants to them, each role's `gyldighet`, and person
administrators (an administrator known by identity number, who logs in through ID-porten, has no API key).

Existing roles keep working where they did: their `gyldighet` becomes `["api"]`.

Revision ID: g0004
Revises: g0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "g0004"
down_revision = "g0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bruker",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("orgnr", sa.String(9), sa.ForeignKey("organisasjon.orgnr"), nullable=False),
        sa.Column("foedselsnummer", sa.String(11), nullable=False),
        sa.Column("navn", sa.String(200), nullable=False),
        sa.Column("aktiv", sa.Boolean, nullable=False),
        sa.Column("opprettet", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("orgnr", "foedselsnummer", name="uq_bruker_orgnr_foedselsnummer"),
    )
    op.create_index("ix_bruker_foedselsnummer", "bruker", ["foedselsnummer"])

    with op.batch_alter_table("rolle") as batch:
        batch.add_column(sa.Column("gyldighet", sa.JSON, nullable=True))
    rolle = sa.table("rolle", sa.column("gyldighet", sa.JSON))
    op.get_bind().execute(rolle.update().values(gyldighet=["api"]))
    with op.batch_alter_table("rolle") as batch:
        batch.alter_column("gyldighet", existing_type=sa.JSON, nullable=False)

    with op.batch_alter_table("tildeling") as batch:
        batch.add_column(sa.Column("bruker_id", sa.Uuid, nullable=True))
        batch.alter_column("integrasjon_id", existing_type=sa.Uuid, nullable=True)
        batch.create_foreign_key("fk_tildeling_bruker", "bruker", ["bruker_id"], ["id"])
        batch.create_check_constraint(
            "ck_tildeling_integrasjon_eller_bruker", "(integrasjon_id IS NULL) <> (bruker_id IS NULL)"
        )
    op.create_index("ix_tildeling_bruker_rolle", "tildeling", ["bruker_id", "rolle_id"])
    op.create_index(
        "uq_tildeling_bruker_aktiv",
        "tildeling",
        ["bruker_id", "rolle_id"],
        unique=True,
        sqlite_where=sa.text("tilbakekalt IS NULL AND bruker_id IS NOT NULL"),
        postgresql_where=sa.text("tilbakekalt IS NULL AND bruker_id IS NOT NULL"),
    )

    with op.batch_alter_table("administrator") as batch:
        batch.add_column(sa.Column("foedselsnummer", sa.String(11), nullable=True))
        batch.alter_column("noekkel_hash", existing_type=sa.String(64), nullable=True)
        batch.create_check_constraint(
            "ck_administrator_noekkel_eller_person", "(noekkel_hash IS NULL) <> (foedselsnummer IS NULL)"
        )
    op.create_index("ix_administrator_foedselsnummer", "administrator", ["foedselsnummer"])


def downgrade() -> None:
    op.drop_index("ix_administrator_foedselsnummer", "administrator")
    op.execute("DELETE FROM administrator WHERE noekkel_hash IS NULL")
    with op.batch_alter_table("administrator") as batch:
        batch.drop_constraint("ck_administrator_noekkel_eller_person", type_="check")
        batch.alter_column("noekkel_hash", existing_type=sa.String(64), nullable=False)
        batch.drop_column("foedselsnummer")
    op.drop_index("uq_tildeling_bruker_aktiv", "tildeling")
    op.drop_index("ix_tildeling_bruker_rolle", "tildeling")
    op.execute("DELETE FROM tildeling WHERE bruker_id IS NOT NULL")
    with op.batch_alter_table("tildeling") as batch:
        batch.drop_constraint("ck_tildeling_integrasjon_eller_bruker", type_="check")
        batch.drop_constraint("fk_tildeling_bruker", type_="foreignkey")
        batch.alter_column("integrasjon_id", existing_type=sa.Uuid, nullable=False)
        batch.drop_column("bruker_id")
    with op.batch_alter_table("rolle") as batch:
        batch.drop_column("gyldighet")
    op.drop_index("ix_bruker_foedselsnummer", "bruker")
    op.drop_table("bruker")
