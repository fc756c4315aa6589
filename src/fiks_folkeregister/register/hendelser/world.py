"""The simulator's `World` inside one writing transaction of the event log, with the batch's changes laid over it.

The simulator (pure) asks the world for persons; this one reads them from the register's tables through the
writing transaction's cursor, once each, and keeps what the batch changed so later events in the batch see it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from fiks_folkeregister.register.simulator import Document, Endring

_BY_ID = (
    "SELECT p.id, p.dokumentidentifikator, a.dokument FROM person p"
    " JOIN person_arkiv a ON a.dokumentidentifikator = p.dokumentidentifikator WHERE p.id = ?"
)
_BY_IDENTIFIER = (
    "SELECT p.id, p.dokumentidentifikator, a.dokument FROM person_identifikator i JOIN person p ON p.id = i.person_id"
    " JOIN person_arkiv a ON a.dokumentidentifikator = p.dokumentidentifikator WHERE i.identifikator = ?"
)


class DatabaseWorld:
    """The simulator's `World` inside one writing transaction, with this batch's changes laid over it."""

    def __init__(self, cursor: Any, sql: Callable[[str], str]) -> None:
        self._cursor = cursor
        self._sql = sql
        cursor.execute(sql("SELECT coalesce(max(id), 0) FROM person"))
        self._size = int(cursor.fetchone()[0])
        self._documents: dict[int, Document] = {}
        self._ids: dict[str, int] = {}
        self.versions: dict[int, str] = {}
        """The dokumentidentifikator of each loaded person's stored current version."""
        self.stored: dict[int, Document] = {}
        """Each loaded person's stored current version (this batch's changes lie over it, never in it)."""
        self.changed: dict[int, Document] = {}
        """The newest version of each person this batch changed or created."""

    def _load(self, row: Any) -> Document:
        person_id = int(row[0])
        document = self._documents.get(person_id)
        if document is None:
            document = orjson.loads(bytes(row[2]))
            self.versions[person_id] = row[1]
            self.stored[person_id] = document
            self._keep(person_id, document)
        return document

    def _keep(self, person_id: int, document: Document) -> None:
        self._documents[person_id] = document
        for entry in document.get("identifikasjonsnummer", ()):
            self._ids[entry["foedselsEllerDNummer"]] = person_id

    def size(self) -> int:
        return self._size

    def person_at(self, index: int) -> Document | None:
        person_id = index + 1
        if person_id in self._documents:
            return self._documents[person_id]
        self._cursor.execute(self._sql(_BY_ID), [person_id])
        row = self._cursor.fetchone()
        return None if row is None else self._load(row)

    def person(self, identifier: str) -> Document | None:
        person_id = self._ids.get(identifier)
        if person_id is not None:
            return self._documents[person_id]
        self._cursor.execute(self._sql(_BY_IDENTIFIER), [identifier])
        row = self._cursor.fetchone()
        return None if row is None else self._load(row)

    def identifier_taken(self, identifier: str) -> bool:
        if identifier in self._ids:
            return True
        self._cursor.execute(
            self._sql("SELECT 1 FROM person_identifikator WHERE identifikator = ?"), [identifier]
        )
        return self._cursor.fetchone() is not None

    def apply(self, changes: Sequence[Endring]) -> list[tuple[int, Document | None, Endring]]:
        """Lay the changes over the world; returns (person id, version before or None, change) for each."""
        applied = []
        for change in changes:
            person_id = self._ids.get(change.foedsels_eller_d_nummer)
            if person_id is None or change.ny:
                self._size += 1
                person_id, before = self._size, None
            else:
                before = self._documents[person_id]
            self._keep(person_id, change.dokument)
            self.changed[person_id] = change.dokument
            applied.append((person_id, before, change))
        return applied
