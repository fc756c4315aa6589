"""Search index: per-person row, name words with phonetic keys, addresses, foreign identifiers; backfilled.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BACKFILL_BATCH = 5000


def _search_text() -> sa.types.TypeEngine:
    return sa.String(120).with_variant(sa.String(120, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "soek_person",
        sa.Column("person_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("foedselsdato", sa.String(8)),
        sa.Column("foedselsaar", sa.Integer),
        sa.Column("kjoenn", sa.String(10)),
        sa.Column("doed", sa.Boolean, nullable=False),
    )
    op.create_index("ix_soek_person_foedselsdato", "soek_person", ["foedselsdato"])
    op.create_index("ix_soek_person_foedselsaar", "soek_person", ["foedselsaar"])
    op.create_table(
        "soek_navn",
        sa.Column("person_id", sa.Integer, nullable=False),
        sa.Column("navn_nr", sa.Integer, nullable=False),
        sa.Column("gjeldende", sa.Boolean, nullable=False),
        sa.Column("ledd", sa.String(1), nullable=False),
        sa.Column("ord", _search_text(), nullable=False),
        sa.Column("fonetisk", _search_text(), nullable=False),
    )
    op.create_index("ix_soek_navn_ord", "soek_navn", ["ord", "person_id"])
    op.create_index("ix_soek_navn_fonetisk", "soek_navn", ["fonetisk", "person_id"])
    op.create_index("ix_soek_navn_person_id", "soek_navn", ["person_id"])
    op.create_table(
        "soek_adresse",
        sa.Column("person_id", sa.Integer, nullable=False),
        sa.Column("adressetype", sa.String(8), nullable=False),
        sa.Column("gjeldende", sa.Boolean, nullable=False),
        sa.Column("adressegradering", sa.String(20), nullable=False),
        sa.Column("adressenavn", _search_text()),
        sa.Column("husnummer", sa.String(5)),
        sa.Column("husbokstav", sa.String(2)),
        sa.Column("postnummer", sa.String(4)),
        sa.Column("kommunenummer", sa.String(4)),
        sa.Column("fylkesnummer", sa.String(2)),
        sa.Column("foedselsaar", sa.Integer),
        sa.Column("doed", sa.Boolean, nullable=False),
    )
    op.create_index("ix_soek_adresse_person_id", "soek_adresse", ["person_id"])
    op.create_index("ix_soek_adresse_adressenavn", "soek_adresse", ["adressenavn"])
    op.create_index("ix_soek_adresse_husnummer", "soek_adresse", ["husnummer", "adressenavn"])
    op.create_index("ix_soek_adresse_postnummer", "soek_adresse", ["postnummer"])
    op.create_index(
        "ix_soek_adresse_omraade", "soek_adresse", ["fylkesnummer", "kommunenummer", "foedselsaar"]
    )
    op.create_table(
        "soek_identifikasjon",
        sa.Column("person_id", sa.Integer, nullable=False),
        sa.Column("art", sa.String(12), nullable=False),
        sa.Column("verdi", sa.String(50), nullable=False),
    )
    op.create_index("ix_soek_identifikasjon_verdi", "soek_identifikasjon", ["verdi", "art"])
    op.create_index("ix_soek_identifikasjon_person_id", "soek_identifikasjon", ["person_id"])
    _backfill()


def _backfill() -> None:
    """Index the persons already stored (a register seeded before this revision)."""
    from fiks_folkeregister.register.search.lagring import write_index

    connection = op.get_bind()
    query = sa.text(
        "SELECT p.id, a.dokument FROM person p"
        " JOIN person_arkiv a ON a.dokumentidentifikator = p.dokumentidentifikator WHERE p.id > :after"
        " ORDER BY p.id LIMIT :size"
    )
    after = 0
    while True:
        rows = connection.execute(query, {"after": after, "size": BACKFILL_BATCH}).all()
        if not rows:
            return
        write_index(connection, ((int(person_id), orjson.loads(dokument)) for person_id, dokument in rows))
        after = int(rows[-1][0])


def downgrade() -> None:
    for table in ("soek_identifikasjon", "soek_adresse", "soek_navn", "soek_person"):
        op.drop_table(table)
