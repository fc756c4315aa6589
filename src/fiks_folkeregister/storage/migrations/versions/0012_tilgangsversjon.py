"""The access version (`tilgangsversjon`): one counter that every change to what the access read reads moves
on, so a gateway may keep that read and still learn of a change before an answer built on it leaves.

Every INSERT, UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) of `organisasjon`, `integrasjon`, `rolle`
and `tildeling` adds one, in the changing transaction, by trigger: whichever program makes the change (the
admin API, the command line, a migration, an operator's SQL), it counts. The audit writer reads the counter
in the transaction that stores a lookup's record, and a record whose access was read at another version is
not stored: its request is checked again with a fresh read (`AccessControl.look_up_ahead`, `AuditLog`).

SQLite drops a table's triggers when Alembic's batch mode rebuilds the table: a later migration that
rebuilds one of these four tables must create its triggers again (`create_triggers` below).
`tests/admin/test_tilgangsversjon.py` checks every one at the head revision.

Revision ID: g0012
Revises: g0011
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "g0012"
down_revision = "g0011"
branch_labels = None
depends_on = None

#: The tables the access read (admin/access.py `_LOOKUP`) reads.
WATCHED = ("organisasjon", "integrasjon", "rolle", "tildeling")
_BUMP = "UPDATE tilgangsversjon SET versjon = versjon + 1 WHERE id = 1"


def upgrade() -> None:
    table = op.create_table(
        "tilgangsversjon",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("versjon", sa.BigInteger, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_tilgangsversjon_en_rad"),
    )
    op.bulk_insert(table, [{"id": 1, "versjon": 0}])
    create_triggers()


def create_triggers(tables: tuple[str, ...] = WATCHED) -> None:
    """The triggers that move the access version on at every change of `tables`."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION tilgangsversjon_endret() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {_BUMP}; RETURN NULL; END $$"
        )
        for name in tables:
            op.execute(
                f"CREATE TRIGGER {name}_tilgangsversjon AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {name} FOR EACH STATEMENT EXECUTE FUNCTION tilgangsversjon_endret()"
            )
        return
    for name in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {name}_tilgangsversjon_{event.lower()} AFTER {event} ON {name} "
                f"BEGIN {_BUMP}; END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in WATCHED:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {name}_tilgangsversjon ON {name}")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_tilgangsversjon_{event}")
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS tilgangsversjon_endret()")
    op.drop_table("tilgangsversjon")
