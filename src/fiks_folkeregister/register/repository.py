"""Reading and writing person documents in the register's database (SQLAlchemy Core, both engines)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Engine, bindparam, func, insert, select, text

from fiks_folkeregister.register.tables import (
    eksempelperson,
    person,
    person_arkiv,
    person_identifikator,
    populasjon,
)


@dataclass(frozen=True, slots=True)
class StoredPerson:
    """A person's current document as stored, found by one of its identity numbers."""

    requested: str
    foedsels_eller_d_nummer: str
    identifier_is_current: bool
    dokument: bytes


def current_identifier(document: Mapping[str, Any]) -> str:
    """The identity number in use: the current `identifikasjonsnummer` entry."""
    for entry in document.get("identifikasjonsnummer", ()):
        if entry.get("erGjeldende"):
            return str(entry["foedselsEllerDNummer"])
    raise ValueError("a person document needs a current identifikasjonsnummer")


def all_identifiers(document: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """Every identity number the person has had, with whether it is the current one."""
    return [
        (str(entry["foedselsEllerDNummer"]), bool(entry.get("erGjeldende")))
        for entry in document.get("identifikasjonsnummer", ())
    ]


_CURRENT_BY_IDENTIFIERS = (
    select(
        person_identifikator.c.identifikator,
        person_identifikator.c.gjeldende,
        person.c.foedsels_eller_d_nummer,
        person_arkiv.c.dokument,
    )
    .join(person, person.c.id == person_identifikator.c.person_id)
    .join(person_arkiv, person_arkiv.c.dokumentidentifikator == person.c.dokumentidentifikator)
    .where(person_identifikator.c.identifikator.in_(bindparam("ids", expanding=True)))
)

_ARCHIVED = select(person_arkiv.c.dokumentidentifikator, person_arkiv.c.dokument).where(
    person_arkiv.c.dokumentidentifikator.in_(bindparam("ids", expanding=True))
)


class PersonRepository:
    """The register's storage: current documents, archived versions, identifiers, seed facts."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine

    def current_documents(self, identifiers: Iterable[str]) -> dict[str, StoredPerson]:
        """Current documents of the persons who have (or had) these identity numbers."""
        wanted = list(dict.fromkeys(identifiers))
        if not wanted:
            return {}
        with self._engine.connect() as connection:
            rows = connection.execute(_CURRENT_BY_IDENTIFIERS, {"ids": wanted}).all()
        return {
            row[0]: StoredPerson(
                requested=row[0], identifier_is_current=row[1], foedsels_eller_d_nummer=row[2], dokument=row[3]
            )
            for row in rows
        }

    def archived_documents(self, dokumentidentifikatorer: Iterable[str]) -> dict[str, bytes]:
        """Archived versions by their dokumentidentifikator."""
        wanted = list(dict.fromkeys(dokumentidentifikatorer))
        if not wanted:
            return {}
        with self._engine.connect() as connection:
            rows = connection.execute(_ARCHIVED, {"ids": wanted}).all()
        return {row[0]: row[1] for row in rows}

    def count_persons(self) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(person)).scalar_one())

    def add_persons(self, documents: Sequence[Mapping[str, Any]], dokumentidentifikatorer: Sequence[str]) -> None:
        """Store new persons, each with its first archived version, in one transaction."""
        if len(documents) != len(dokumentidentifikatorer):
            raise ValueError("one dokumentidentifikator per document")
        now = datetime.now(UTC)
        with self._engine.begin() as connection:
            first_id = int(connection.execute(select(func.coalesce(func.max(person.c.id), 0))).scalar_one()) + 1
            persons, archive, identifiers = [], [], []
            for offset, (document, dokid) in enumerate(zip(documents, dokumentidentifikatorer, strict=True)):
                person_id = first_id + offset
                persons.append(
                    {"id": person_id, "foedsels_eller_d_nummer": current_identifier(document),
                     "dokumentidentifikator": dokid}
                )
                archive.append(
                    {"dokumentidentifikator": dokid, "person_id": person_id, "opprettet": now,
                     "dokument": orjson.dumps(document)}
                )
                identifiers.extend(
                    {"identifikator": number, "person_id": person_id, "gjeldende": is_current}
                    for number, is_current in all_identifiers(document)
                )
            connection.execute(insert(person), persons)
            connection.execute(insert(person_arkiv), archive)
            connection.execute(insert(person_identifikator), identifiers)
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence('person', 'id'), (SELECT max(id) FROM person))")
                )

    def delete_population(self) -> None:
        """Remove every person, version, identifier, example and fact (a fresh start before seeding)."""
        with self._engine.begin() as connection:
            for table in (eksempelperson, populasjon, person_identifikator, person_arkiv, person):
                connection.execute(table.delete())

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
