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

# ---------------------------------------------------------------- search indexes (derived from documents)
# `person_id` points at person.id without a foreign key: the rows are derived data, written in the same
# transaction as the document, and the checks would cost seeding speed for nothing.

#: Text compared by prefix: byte order (collation "C") on PostgreSQL so a B-tree serves `>=`/`<` ranges;
#: SQLite compares text bytewise already.
SearchText = String(120).with_variant(String(120, collation="C"), "postgresql")

soek_person = Table(
    "soek_person",
    metadata,
    Column("person_id", Integer, primary_key=True, autoincrement=False),
    Column("foedselsdato", String(8)),
    Column("foedselsaar", Integer),
    Column("kjoenn", String(10)),
    Column("doed", Boolean, nullable=False),
    Index("ix_soek_person_foedselsdato", "foedselsdato"),
    Index("ix_soek_person_foedselsaar", "foedselsaar"),
)
"""One row per person: the current birth date, birth year, kjoenn and whether the person is dead."""

soek_navn = Table(
    "soek_navn",
    metadata,
    Column("person_id", Integer, nullable=False),
    Column("navn_nr", Integer, nullable=False),
    Column("gjeldende", Boolean, nullable=False),
    Column("ledd", String(1), nullable=False),
    Column("ord", SearchText, nullable=False),
    Column("fonetisk", SearchText, nullable=False),
    Index("ix_soek_navn_ord", "ord", "person_id"),
    Index("ix_soek_navn_fonetisk", "fonetisk", "person_id"),
    Index("ix_soek_navn_person_id", "person_id"),
)
"""One row per word of each name entry: folded word, phonetic key, `ledd` F/M/E (fornavn/mellom/etter)."""

soek_adresse = Table(
    "soek_adresse",
    metadata,
    Column("person_id", Integer, nullable=False),
    Column("adressetype", String(8), nullable=False),
    Column("gjeldende", Boolean, nullable=False),
    Column("adressegradering", String(20), nullable=False),
    Column("adressenavn", SearchText),
    Column("husnummer", String(5)),
    Column("husbokstav", String(2)),
    Column("postnummer", String(4)),
    Column("kommunenummer", String(4)),
    Column("fylkesnummer", String(2)),
    Column("foedselsaar", Integer),
    Column("doed", Boolean, nullable=False),
    Index("ix_soek_adresse_person_id", "person_id"),
    Index("ix_soek_adresse_adressenavn", "adressenavn"),
    Index("ix_soek_adresse_husnummer", "husnummer", "adressenavn"),
    Index("ix_soek_adresse_postnummer", "postnummer"),
    Index("ix_soek_adresse_omraade", "fylkesnummer", "kommunenummer", "foedselsaar"),
)
"""One row per bostedsadresse/oppholdsadresse entry, birth year and death copied in (area+age = one range)."""

soek_identifikasjon = Table(
    "soek_identifikasjon",
    metadata,
    Column("person_id", Integer, nullable=False),
    Column("art", String(12), nullable=False),
    Column("verdi", String(50), nullable=False),
    Index("ix_soek_identifikasjon_verdi", "verdi", "art"),
    Index("ix_soek_identifikasjon_person_id", "person_id"),
)
"""Current foreign ids, identity documents and DUF numbers (country-prefixed, upper case, no separators)."""

SEARCH_TABLES = (soek_person, soek_navn, soek_adresse, soek_identifikasjon)
