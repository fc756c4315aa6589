"""The embedded register's tables: person documents, their archived versions, and identifiers."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

person = Table(
    "person",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("foedsels_eller_d_nummer", String(11), nullable=False, unique=True),
    Column("dokumentidentifikator", String(36), nullable=False, unique=True),
)
"""One row per person: the current identity number and the archived version that is current."""

person_arkiv = Table(
    "person_arkiv",
    metadata,
    Column("dokumentidentifikator", String(36), primary_key=True),
    Column("person_id", Integer, ForeignKey("person.id"), nullable=False),
    Column("opprettet", DateTime(timezone=True), nullable=False),
    Column("dokument", LargeBinary, nullable=False),
    Index("ix_person_arkiv_person_id", "person_id"),
)
"""Every version of every person document, as JSON (UTF-8); the current one included."""

person_identifikator = Table(
    "person_identifikator",
    metadata,
    Column("identifikator", String(11), primary_key=True),
    Column("person_id", Integer, ForeignKey("person.id"), nullable=False),
    Column("gjeldende", Boolean, nullable=False),
    Index("ix_person_identifikator_person_id", "person_id"),
)
"""Every identity number a person has had (current and historic), pointing at the person."""

eksempelperson = Table(
    "eksempelperson",
    metadata,
    Column("kategori", String(40), primary_key=True),
    Column("foedsels_eller_d_nummer", String(11), primary_key=True),
)
"""Test persons by category, chosen at seed time, so demos and tests never hard-code ids."""

populasjon = Table(
    "populasjon",
    metadata,
    Column("noekkel", String(40), primary_key=True),
    Column("verdi", String(200), nullable=False),
)
"""Facts about the seeded population (seed, size, reference date)."""
