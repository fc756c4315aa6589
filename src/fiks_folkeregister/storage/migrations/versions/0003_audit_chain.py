"""The lookup log's hash chain, signed checkpoints and channel; existing records are chained in id order.

Revision ID: g0003
Revises: g0002
Create Date: 2026-11-29
"""

from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from fiks_folkeregister.audit import kjede

revision = "g0003"
down_revision = "g0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")

_log = sa.table(
    "oppslagslogg",
    sa.column("id", BigId),
    sa.column("tidspunkt", sa.DateTime(timezone=True)),
    sa.column("request_id", sa.String),
    sa.column("orgnr", sa.String),
    sa.column("rolle_id", sa.Uuid),
    sa.column("integrasjon_id", sa.Uuid),
    sa.column("klient_orgnr", sa.String),
    sa.column("ressurs", sa.String),
    sa.column("parametre", sa.JSON),
    sa.column("utfall", sa.String),
    sa.column("status", sa.Integer),
    sa.column("feilkode", sa.String),
    sa.column("kanal", sa.String),
    sa.column("kjede", sa.String),
    sa.column("sekvens", sa.BigInteger),
    sa.column("hash", sa.String),
)
_persons = sa.table(
    "oppslagslogg_person",
    sa.column("oppslag_id", BigId),
    sa.column("posisjon", sa.Integer),
    sa.column("identifikator", sa.String),
)
_heads = sa.table(
    "oppslagslogg_kjede",
    sa.column("kjede", sa.String),
    sa.column("sekvens", sa.BigInteger),
    sa.column("hash", sa.String),
    sa.column("sjekkpunkt_sekvens", sa.BigInteger),
    sa.column("sjekkpunkt_tidspunkt", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("oppslagslogg") as batch:
        batch.add_column(sa.Column("kanal", sa.String(10), nullable=False, server_default="api"))
        batch.add_column(sa.Column("kjede", sa.String(9), nullable=True))
        batch.add_column(sa.Column("sekvens", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    op.create_index("uq_oppslagslogg_kjede_sekvens", "oppslagslogg", ["kjede", "sekvens"], unique=True)
    op.create_table(
        "oppslagslogg_kjede",
        sa.Column("kjede", sa.String(9), primary_key=True),
        sa.Column("sekvens", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("sjekkpunkt_sekvens", sa.BigInteger, nullable=False),
        sa.Column("sjekkpunkt_tidspunkt", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "oppslagslogg_sjekkpunkt",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kjede", sa.String(9), nullable=False),
        sa.Column("sekvens", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("tidspunkt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("art", sa.String(10), nullable=False),
        sa.Column("noekkel_id", sa.String(64), nullable=False),
        sa.Column("signatur", sa.String(100), nullable=False),
    )
    op.create_index(
        "ix_oppslagslogg_sjekkpunkt_kjede_sekvens", "oppslagslogg_sjekkpunkt", ["kjede", "sekvens"]
    )
    _chain_existing_records(op.get_bind())


def _chain_existing_records(connection: sa.Connection) -> None:
    """Records written before the chain join it in id order (the order they were committed in)."""
    heads: dict[str, tuple[int, bytes]] = {}
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(_log).where(_log.c.id > last_id).order_by(_log.c.id).limit(1000)
        ).all()
        if not rows:
            break
        persons: dict[int, list[str]] = defaultdict(list)
        found = connection.execute(
            sa.select(_persons.c.oppslag_id, _persons.c.identifikator)
            .where(_persons.c.oppslag_id.in_([row.id for row in rows]))
            .order_by(_persons.c.oppslag_id, _persons.c.posisjon)
        )
        for oppslag_id, identifikator in found:
            persons[oppslag_id].append(identifikator)
        updates = []
        for row in rows:
            chain = row.orgnr or ""
            sekvens, previous = heads.get(chain, (0, kjede.GENESIS))
            tidspunkt = row.tidspunkt if row.tidspunkt.tzinfo else row.tidspunkt.replace(tzinfo=UTC)
            fields = kjede.record_fields(
                kjede=chain,
                sekvens=sekvens + 1,
                tidspunkt=tidspunkt,
                request_id=row.request_id,
                orgnr=row.orgnr,
                rolle_id=row.rolle_id,
                integrasjon_id=row.integrasjon_id,
                klient_orgnr=row.klient_orgnr,
                ressurs=row.ressurs,
                parametre=row.parametre,
                personer=persons.get(row.id, []),
                utfall=row.utfall,
                status=row.status,
                feilkode=row.feilkode,
                kanal=row.kanal,
            )
            value = kjede.link(previous, kjede.content_hash(fields))
            heads[chain] = (sekvens + 1, value)
            updates.append({"row_id": row.id, "kjede": chain, "sekvens": sekvens + 1, "hash": value.hex()})
        connection.execute(
            _log.update()
            .where(_log.c.id == sa.bindparam("row_id"))
            .values(kjede=sa.bindparam("kjede"), sekvens=sa.bindparam("sekvens"), hash=sa.bindparam("hash")),
            updates,
        )
        last_id = rows[-1].id
    now = datetime.now(UTC)
    if heads:
        connection.execute(
            sa.insert(_heads),
            [
                {
                    "kjede": chain,
                    "sekvens": sekvens,
                    "hash": value.hex(),
                    "sjekkpunkt_sekvens": 0,
                    "sjekkpunkt_tidspunkt": now,
                }
                for chain, (sekvens, value) in heads.items()
            ],
        )


def downgrade() -> None:
    op.drop_table("oppslagslogg_sjekkpunkt")
    op.drop_table("oppslagslogg_kjede")
    op.drop_index("uq_oppslagslogg_kjede_sekvens", "oppslagslogg")
    with op.batch_alter_table("oppslagslogg") as batch:
        batch.drop_column("hash")
        batch.drop_column("sekvens")
        batch.drop_column("kjede")
        batch.drop_column("kanal")
