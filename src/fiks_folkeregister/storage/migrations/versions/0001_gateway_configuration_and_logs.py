"""Organisations, roles, integrations, grants, administrators, the change log and the lookup log.

Revision ID: g0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "g0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "organisasjon",
        sa.Column("orgnr", sa.String(9), primary_key=True),
        sa.Column("navn", sa.String(200), nullable=False),
        sa.Column("kommunenummer", sa.String(4), nullable=True),
        sa.Column("fylkesnummer", sa.String(2), nullable=True),
        sa.Column("opprettet", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rolle",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("orgnr", sa.String(9), sa.ForeignKey("organisasjon.orgnr"), nullable=False),
        sa.Column("navn", sa.String(200), nullable=False),
        sa.Column("beskrivelse", sa.Text, nullable=False),
        sa.Column("rettighetspakke", sa.String(40), nullable=False),
        sa.Column("bruksomraader", sa.JSON, nullable=False),
        sa.Column("deler", sa.JSON, nullable=False),
        sa.Column("elementer", sa.JSON, nullable=False),
        sa.Column("historikk", sa.Boolean, nullable=False),
        sa.Column("opprettet", sa.DateTime(timezone=True), nullable=False),
        sa.Column("endret", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("orgnr", "navn", name="uq_rolle_orgnr_navn"),
    )
    op.create_table(
        "integrasjon",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("orgnr", sa.String(9), sa.ForeignKey("organisasjon.orgnr"), nullable=False),
        sa.Column("navn", sa.String(200), nullable=False),
        sa.Column("beskrivelse", sa.Text, nullable=False),
        sa.Column("autorisert_orgnr", sa.String(9), nullable=False),
        sa.Column("passord_hash", sa.String(200), nullable=False),
        sa.Column("passord_endret", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opprettet", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_integrasjon_orgnr", "integrasjon", ["orgnr"])
    op.create_table(
        "tildeling",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("integrasjon_id", sa.Uuid, sa.ForeignKey("integrasjon.id"), nullable=False),
        sa.Column("rolle_id", sa.Uuid, sa.ForeignKey("rolle.id"), nullable=False),
        sa.Column("opprettet", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opprettet_av", sa.String(200), nullable=False),
        sa.Column("tilbakekalt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tilbakekalt_av", sa.String(200), nullable=True),
    )
    op.create_index("ix_tildeling_integrasjon_rolle", "tildeling", ["integrasjon_id", "rolle_id"])
    op.create_index("ix_tildeling_rolle", "tildeling", ["rolle_id"])
    op.create_index(
        "uq_tildeling_aktiv",
        "tildeling",
        ["integrasjon_id", "rolle_id"],
        unique=True,
        sqlite_where=sa.text("tilbakekalt IS NULL"),
        postgresql_where=sa.text("tilbakekalt IS NULL"),
    )
    op.create_table(
        "administrator",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("navn", sa.String(200), nullable=False),
        sa.Column("orgnr", sa.String(9), sa.ForeignKey("organisasjon.orgnr"), nullable=True),
        sa.Column("noekkel_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("opprettet", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deaktivert", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "endringslogg",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tidspunkt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utfoert_av", sa.String(200), nullable=False),
        sa.Column("orgnr", sa.String(9), nullable=True),
        sa.Column("handling", sa.String(60), nullable=False),
        sa.Column("objekttype", sa.String(40), nullable=False),
        sa.Column("objekt_id", sa.String(100), nullable=False),
        sa.Column("foer", sa.JSON, nullable=True),
        sa.Column("etter", sa.JSON, nullable=True),
    )
    op.create_index("ix_endringslogg_orgnr_tidspunkt", "endringslogg", ["orgnr", "tidspunkt"])
    op.create_table(
        "oppslagslogg",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tidspunkt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(100), nullable=False),
        sa.Column("orgnr", sa.String(9), nullable=True),
        sa.Column("rolle_id", sa.Uuid, nullable=True),
        sa.Column("integrasjon_id", sa.Uuid, nullable=True),
        sa.Column("klient_orgnr", sa.String(9), nullable=True),
        sa.Column("ressurs", sa.String(200), nullable=False),
        sa.Column("parametre", sa.JSON, nullable=False),
        sa.Column("utfall", sa.String(10), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("feilkode", sa.String(60), nullable=True),
    )
    op.create_index("ix_oppslagslogg_orgnr_tidspunkt", "oppslagslogg", ["orgnr", "tidspunkt"])
    op.create_table(
        "oppslagslogg_person",
        sa.Column("oppslag_id", BigId, sa.ForeignKey("oppslagslogg.id"), primary_key=True),
        sa.Column("posisjon", sa.Integer, primary_key=True),
        sa.Column("identifikator", sa.String(11), nullable=False),
    )
    op.create_index("ix_oppslagslogg_person_identifikator", "oppslagslogg_person", ["identifikator"])


def downgrade() -> None:
    for table in (
        "oppslagslogg_person",
        "oppslagslogg",
        "endringslogg",
        "administrator",
        "tildeling",
        "integrasjon",
        "rolle",
        "organisasjon",
    ):
        op.drop_table(table)
