"""Reading and writing person documents in the register's database (SQLAlchemy Core, both engines)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, func, insert, select, text

from fiks_folkeregister.domain.dokument import current_identifier, is_current
from fiks_folkeregister.domain.soekeparametre import Soekekriterier
from fiks_folkeregister.register.hendelser.tables import EVENT_TABLES, hendelse_teller
from fiks_folkeregister.register.raw_sql import marks, read_rows
from fiks_folkeregister.register.search.lagring import replace_index, write_index
from fiks_folkeregister.register.search.soek import find_identifiers
from fiks_folkeregister.register.tables import (
    SEARCH_TABLES,
    eksempelperson,
    person,
    person_arkiv,
    person_identifikator,
    populasjon,
)
from fiks_folkeregister.register.uttrekk.tables import EXTRACT_TABLES


@dataclass(frozen=True, slots=True)
class StoredPerson:
    """A person's current document as stored, found by one of its identity numbers."""

    requested: str
    foedsels_eller_d_nummer: str
    identifier_is_current: bool
    dokument: bytes


def all_identifiers(document: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """Every identity number the person has had, with whether it is the current one."""
    return [
        (str(entry["foedselsEllerDNummer"]), is_current(entry))
        for entry in document.get("identifikasjonsnummer", ())
    ]


_CURRENT_BY_IDENTIFIERS = (
    "SELECT i.identifikator, i.gjeldende, p.foedsels_eller_d_nummer, a.dokument"
    " FROM person_identifikator i"
    " JOIN person p ON p.id = i.person_id"
    " JOIN person_arkiv a ON a.dokumentidentifikator = p.dokumentidentifikator"
    " WHERE i.identifikator IN ({})"
)
_ARCHIVED = (
    "SELECT a.dokumentidentifikator, a.dokument, c.dokument FROM person_arkiv a"
    " JOIN person p ON p.id = a.person_id"
    " JOIN person_arkiv c ON c.dokumentidentifikator = p.dokumentidentifikator"
    " WHERE a.dokumentidentifikator IN ({})"
)


@dataclass(frozen=True, slots=True)
class ArchivedVersion:
    """An archived version of a person's document, with the person's current version (which governs it)."""

    dokument: bytes
    gjeldende: bytes


class PersonRepository:
    """The register's storage: current documents, archived versions, identifiers, seed facts."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine

    def _read(self, sql: str, values: list[str]) -> list[Any]:
        """The hot read path: a pooled DBAPI connection, skipping SQLAlchemy's result machinery (~4x faster)."""
        return read_rows(self._engine, sql.format(marks(len(values))), values)

    def current_documents(self, identifiers: Iterable[str]) -> dict[str, StoredPerson]:
        """Current documents of the persons who have (or had) these identity numbers."""
        wanted = list(dict.fromkeys(identifiers))
        if not wanted:
            return {}
        rows = self._read(_CURRENT_BY_IDENTIFIERS, wanted)
        return {
            row[0]: StoredPerson(
                requested=row[0],
                identifier_is_current=bool(row[1]),
                foedsels_eller_d_nummer=row[2],
                dokument=bytes(row[3]),
            )
            for row in rows
        }

    def archived_documents(self, dokumentidentifikatorer: Iterable[str]) -> dict[str, ArchivedVersion]:
        """Archived versions by their dokumentidentifikator, each with its person's current version."""
        wanted = list(dict.fromkeys(dokumentidentifikatorer))
        if not wanted:
            return {}
        return {
            row[0]: ArchivedVersion(bytes(row[1]), bytes(row[2])) for row in self._read(_ARCHIVED, wanted)
        }

    def find_persons(self, criteria: Soekekriterier, gradings: Iterable[str], limit: int) -> list[str]:
        """Current identity numbers of at most `limit` matching persons (via `gradings` addresses only)."""
        with self._engine.connect() as connection:
            return find_identifiers(connection, criteria, frozenset(gradings), limit)

    def count_persons(self) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(person)).scalar_one())

    def add_persons(
        self, documents: Sequence[Mapping[str, Any]], dokumentidentifikatorer: Sequence[str]
    ) -> None:
        """Store new persons, each with its first archived version, in one transaction."""
        if len(documents) != len(dokumentidentifikatorer):
            raise ValueError("one dokumentidentifikator per document")
        now = datetime.now(UTC)
        with self._engine.begin() as connection:
            first_id = (
                int(connection.execute(select(func.coalesce(func.max(person.c.id), 0))).scalar_one()) + 1
            )
            persons, archive, identifiers = [], [], []
            for offset, (document, dokid) in enumerate(zip(documents, dokumentidentifikatorer, strict=True)):
                person_id = first_id + offset
                persons.append(
                    {
                        "id": person_id,
                        "foedsels_eller_d_nummer": current_identifier(document),
                        "dokumentidentifikator": dokid,
                    }
                )
                archive.append(
                    {
                        "dokumentidentifikator": dokid,
                        "person_id": person_id,
                        "opprettet": now,
                        "dokument": orjson.dumps(document),
                    }
                )
                identifiers.extend(
                    {"identifikator": number, "person_id": person_id, "gjeldende": is_current}
                    for number, is_current in all_identifiers(document)
                )
            connection.execute(insert(person), persons)
            connection.execute(insert(person_arkiv), archive)
            connection.execute(insert(person_identifikator), identifiers)
            write_index(connection, ((first_id + offset, doc) for offset, doc in enumerate(documents)))
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence('person', 'id'), (SELECT max(id) FROM person))"
                    )
                )

    def reindex_person(
        self, person_id: int, document: Mapping[str, Any], connection: Connection | None = None
    ) -> None:
        """Make the person's search index match `document`, its new current version.

        Pass the connection of the transaction that stores the new version, so document and index never
        disagree; without one, a transaction of its own is used.
        """
        if connection is not None:
            replace_index(connection, person_id, document)
            return
        with self._engine.begin() as own:
            replace_index(own, person_id, document)

    def delete_population(self) -> None:
        """Remove every person, version, identifier, example and fact (a fresh start before seeding)."""
        with self._engine.begin() as connection:
            tables = (*SEARCH_TABLES, eksempelperson, populasjon, person_identifikator, person_arkiv, person)
            for table in (*EVENT_TABLES, *EXTRACT_TABLES, *tables):
                connection.execute(table.delete())
            connection.execute(hendelse_teller.update().values(siste=0))

    def set_examples(self, examples: Mapping[str, Sequence[str]]) -> None:
        with self._engine.begin() as connection:
            connection.execute(eksempelperson.delete())
            rows = [
                {"kategori": category, "foedsels_eller_d_nummer": number}
                for category, numbers in examples.items()
                for number in numbers
            ]
            if rows:
                connection.execute(insert(eksempelperson), rows)

    def examples(self) -> dict[str, list[str]]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(eksempelperson.c.kategori, eksempelperson.c.foedsels_eller_d_nummer).order_by(
                    eksempelperson.c.kategori, eksempelperson.c.foedsels_eller_d_nummer
                )
            ).all()
        result: dict[str, list[str]] = {}
        for category, number in rows:
            result.setdefault(category, []).append(number)
        return result

    def set_population_facts(self, facts: Mapping[str, str]) -> None:
        with self._engine.begin() as connection:
            connection.execute(populasjon.delete())
            connection.execute(insert(populasjon), [{"noekkel": k, "verdi": v} for k, v in facts.items()])

    def population_facts(self) -> dict[str, str]:
        with self._engine.connect() as connection:
            return dict(connection.execute(select(populasjon.c.noekkel, populasjon.c.verdi)).all())


def new_dokumentidentifikator() -> str:
    return str(uuid.uuid4())
