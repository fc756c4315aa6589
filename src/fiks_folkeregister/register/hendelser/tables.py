"""The embedded register's tables for change events: the sequence counter and the feed."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
)

from fiks_folkeregister.register.tables import metadata

hendelse_teller = Table(
    "hendelse_teller",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("siste", BigInteger, nullable=False),
)
"""One row: the newest sequence number. Writers lock it first, so numbers are committed in order, gap-free."""

hendelse = Table(
    "hendelse",
    metadata,
    Column("sekvensnummer", BigInteger, primary_key=True, autoincrement=False),
    Column("hendelsesidentifikator", String(36), nullable=False, unique=True),
    Column("person_id", Integer, nullable=False),
    Column("folkeregisteridentifikator", String(11), nullable=False),
    Column("hendelsestype", String(60), nullable=False),
    Column("persondokument", String(36), nullable=False),
    Column("forrige_persondokument", String(36)),
    Column("ajourholdstidspunkt", String(20), nullable=False),
    Column("aapen", Boolean, nullable=False),
    Column("egenskapshendelse", LargeBinary, nullable=False),
    Index("ix_hendelse_person", "person_id", "sekvensnummer"),
    Index("ix_hendelse_aapen", "aapen", "sekvensnummer"),
)
"""The event feed: one row per event, pointing at the archived version it produced (and the one before).

`aapen`: offentlig-uten-hjemmel may see the event (domain.hendelse.open_to_uten_hjemmel);
`egenskapshendelse`: the event document's entries as JSON.
"""

EVENT_TABLES = (hendelse,)
"""Tables emptied with the population (the counter is reset, not emptied)."""
