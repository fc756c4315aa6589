"""Change events (the feed, with a sequence counter) and asynchronous extract jobs with their batches.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hendelse_teller",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("siste", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO hendelse_teller (id, siste) VALUES (1, 0)")
    op.create_table(
        "hendelse",
        sa.Column("sekvensnummer", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hendelsesidentifikator", sa.String(36), nullable=False, unique=True),
        sa.Column("person_id", sa.Integer, nullable=False),
        sa.Column("folkeregisteridentifikator", sa.String(11), nullable=False),
        sa.Column("hendelsestype", sa.String(60), nullable=False),
        sa.Column("persondokument", sa.String(36), nullable=False),
        sa.Column("forrige_persondokument", sa.String(36)),
        sa.Column("ajourholdstidspunkt", sa.String(20), nullable=False),
        sa.Column("aapen", sa.Boolean, nullable=False),
        sa.Column("egenskapshendelse", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_hendelse_person", "hendelse", ["person_id", "sekvensnummer"])
    op.create_index("ix_hendelse_aapen", "hendelse", ["aapen", "sekvensnummer"])
    op.create_table(
        "uttrekk_jobb",
        sa.Column("jobbid", sa.String(36), primary_key=True),
        sa.Column("bestiller", sa.String(20), nullable=False),
        sa.Column("rettighetspakke", sa.String(30), nullable=False),
        sa.Column("art", sa.String(12), nullable=False),
        sa.Column("kriterier", sa.LargeBinary, nullable=False),
        sa.Column("feedsekvensnr", sa.BigInteger),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("opprettet", sa.DateTime(timezone=True), nullable=False),
        sa.Column("oppdatert", sa.DateTime(timezone=True), nullable=False),
        sa.Column("antall_batcher", sa.Integer),
        sa.Column("feilmelding", sa.String(500)),
    )
    op.create_index("ix_uttrekk_jobb_bestiller", "uttrekk_jobb", ["bestiller", "status"])
    op.create_index("ix_uttrekk_jobb_status", "uttrekk_jobb", ["status", "oppdatert"])
    op.create_table(
        "uttrekk_batch",
        sa.Column("jobbid", sa.String(36), primary_key=True),
        sa.Column("batchnr", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("innhold", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for table in ("uttrekk_batch", "uttrekk_jobb", "hendelse", "hendelse_teller"):
        op.drop_table(table)
