"""Indexes for the lookup log's filters on the administration pages (measured with EXPLAIN on PostgreSQL).

Without them, a filter that matches few of an organisation's records (one integration, one case worker, the
refused and failed lookups) walks every record of the organisation in time order. The person and refusal
indexes are partial, so the writer maintains them only for the rows they hold.

Revision ID: g0011
Revises: g0009
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "g0011"
down_revision = "g0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_oppslagslogg_orgnr_integrasjon_tidspunkt",
        "oppslagslogg",
        ["orgnr", "integrasjon_id", "tidspunkt"],
    )
    op.create_index(
        "ix_oppslagslogg_orgnr_person_tidspunkt",
        "oppslagslogg",
        ["orgnr", "person_foedselsnummer", "tidspunkt"],
        sqlite_where=sa.text("person_foedselsnummer IS NOT NULL"),
        postgresql_where=sa.text("person_foedselsnummer IS NOT NULL"),
    )
    op.create_index(
        "ix_oppslagslogg_orgnr_ikke_ok_tidspunkt",
        "oppslagslogg",
        ["orgnr", "tidspunkt"],
        sqlite_where=sa.text("utfall <> 'ok'"),
        postgresql_where=sa.text("utfall <> 'ok'"),
    )


def downgrade() -> None:
    op.drop_index("ix_oppslagslogg_orgnr_ikke_ok_tidspunkt", "oppslagslogg")
    op.drop_index("ix_oppslagslogg_orgnr_person_tidspunkt", "oppslagslogg")
    op.drop_index("ix_oppslagslogg_orgnr_integrasjon_tidspunkt", "oppslagslogg")
