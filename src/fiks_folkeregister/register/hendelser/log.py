"""The event log: writing simulated changes as versions + events in sequence, and reading feed rows and documents.

Sequence numbers are gap-free and become visible in order: every writer first locks the one
`hendelse_teller` row (an UPDATE), so writing transactions run one at a time and commit in number order.
A reader therefore never sees event N+1 without event N.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, text

from fiks_folkeregister.domain.beskyttelse import event_graded_as_now, event_relatives_needed
from fiks_folkeregister.domain.dokument import current_identifier, is_current
from fiks_folkeregister.domain.hendelse import egenskapshendelser, hendelsesdokument, open_to_uten_hjemmel
from fiks_folkeregister.gcpause import cyclic_gc_paused
from fiks_folkeregister.register.hendelser.world import DatabaseWorld
from fiks_folkeregister.register.raw_sql import positional, read_rows
from fiks_folkeregister.register.search.lagring import update_index
from fiks_folkeregister.register.simulator import Document, Endring, Simulator

PAGE_SIZE = 1000
BATCH_EVENTS = 2000
"""Events per writing transaction: larger batches share index pages (fewer written per event)."""

_PAGE = (
    "SELECT sekvensnummer, hendelsesidentifikator, folkeregisteridentifikator, hendelsestype, persondokument,"
    " ajourholdstidspunkt FROM hendelse WHERE sekvensnummer >= ?{open} ORDER BY sekvensnummer LIMIT ?"
)
_DOCUMENTS = (
    "SELECT h.hendelsesidentifikator, h.folkeregisteridentifikator, h.hendelsestype, h.ajourholdstidspunkt,"
    " h.egenskapshendelse, a.dokument FROM hendelse h JOIN person p ON p.id = h.person_id"
    " JOIN person_arkiv a ON a.dokumentidentifikator = p.dokumentidentifikator"
    " WHERE h.hendelsesidentifikator IN ({})"
)

_CURRENT_BY_IDENTIFIERS = (
    "SELECT i.identifikator, a.dokument FROM person_identifikator i JOIN person p ON p.id = i.person_id"
    " JOIN person_arkiv a ON a.dokumentidentifikator = p.dokumentidentifikator WHERE i.identifikator IN ({})"
)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One row of the feed (`LagretHendelseMedDokumentIdentifikatorer`)."""

    sekvensnummer: int
    hendelsesdokument: str
    folkeregisteridentifikator: str
    hendelsetype: str
    persondokument: str
    ajourholdstidspunkt: str

    def as_json(self) -> dict[str, Any]:
        return {
            "sekvensnummer": self.sekvensnummer,
            "hendelse": {
                "folkeregisteridentifikator": self.folkeregisteridentifikator,
                "hendelsetype": self.hendelsetype,
                "hendelsesdokument": self.hendelsesdokument,
                "persondokument": self.persondokument,
                "ajourholdstidspunkt": self.ajourholdstidspunkt,
            },
        }


def ordered_uuid() -> str:
    """A random UUID that sorts by creation time (the version 7 layout of RFC 9562: milliseconds first).

    New archived versions and events get these, so their unique indexes grow at one end instead of
    dirtying a random page per row; 74 random bits keep them unguessable.
    """
    random_bits = int.from_bytes(os.urandom(10))
    value = (
        (time.time_ns() // 1_000_000) << 80
        | 0x7 << 76
        | (random_bits >> 68) << 64  # 12 random bits
        | 0b10 << 62  # the RFC 4122 variant
        | random_bits & ((1 << 62) - 1)
    )
    return str(uuid.UUID(int=value))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EventLog:
    """Reads and writes the `hendelse` table (raw DBAPI on the hot paths, as the person reads do)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine

    def _sql(self, sql: str) -> str:
        return positional(sql, self._engine.dialect)

    def _read(self, sql: str, values: Sequence[Any]) -> list[Any]:
        return read_rows(self._engine, sql, values)

    # ------------------------------------------------------------ reading

    def latest(self, open_only: bool = False) -> int:
        """The newest sequence number (of the events offentlig-uten-hjemmel sees, with `open_only`); 0: none."""
        if open_only:
            rows = self._read("SELECT max(sekvensnummer) FROM hendelse WHERE aapen = ?", [True])
        else:
            rows = self._read("SELECT siste FROM hendelse_teller WHERE id = 1", [])
        return int(rows[0][0] or 0) if rows else 0

    def page(self, seq: int, open_only: bool = False, limit: int = PAGE_SIZE) -> list[FeedEntry]:
        """Up to `limit` events from sequence number `seq` on, in order."""
        sql = _PAGE.format(open=" AND aapen = ?" if open_only else "")
        values: list[Any] = [seq, True, limit] if open_only else [seq, limit]
        return [FeedEntry(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in self._read(sql, values)]

    def documents(self, ids: Iterable[str]) -> dict[str, Mapping[str, Any]]:
        """Event documents (`DokumentForHendelse`) by their id, their addresses graded by the person's
        current protection (`domain.beskyttelse`)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        rows = self._read(_DOCUMENTS.format(", ".join(["?"] * len(wanted))), wanted)
        found: dict[str, tuple[Any, Any, list[str]]] = {}
        numbers: dict[str, None] = {}
        for row in rows:
            document = hendelsesdokument(row[0], row[1], row[2], row[3], orjson.loads(bytes(row[4])))
            current = orjson.loads(bytes(row[5]))
            needed = event_relatives_needed(document, current)  # only at a place `current` no longer holds
            found[row[0]] = (document, current, needed)
            numbers.update(dict.fromkeys(needed))
        relatives = self._current_documents(list(numbers))
        return {
            dokid: event_graded_as_now(document, current, [relatives[n] for n in needed if n in relatives])
            for dokid, (document, current, needed) in found.items()
        }

    def _current_documents(self, numbers: Sequence[str]) -> dict[str, Document]:
        """Current documents by each of the identity numbers asked for."""
        if not numbers:
            return {}
        rows = self._read(_CURRENT_BY_IDENTIFIERS.format(", ".join(["?"] * len(numbers))), numbers)
        return {row[0]: orjson.loads(bytes(row[1])) for row in rows}

    # ------------------------------------------------------------ writing

    def simulate(
        self,
        simulator: Simulator,
        events: int,
        batch_events: int = BATCH_EVENTS,
        progress: Callable[[int], None] = lambda _n: None,
    ) -> int:
        """Run the simulator until at least `events` events are written; returns how many were written.

        Each transaction writes about `batch_events` events: the new archived versions, the current
        version pointers, new persons and identifiers, the events and the search index, all together.
        """
        written = 0
        while written < events:
            with self._engine.begin() as connection:
                count = self._simulate_batch(connection, simulator, min(batch_events, events - written))
            written += count
            progress(count)
        return written

    def _simulate_batch(self, connection: Connection, simulator: Simulator, wanted: int) -> int:
        cursor = connection.connection.cursor()
        sql = self._sql
        cursor.execute(sql("UPDATE hendelse_teller SET siste = siste WHERE id = 1"))  # the writers' lock
        cursor.execute(sql("SELECT siste FROM hendelse_teller WHERE id = 1"))
        last = int(cursor.fetchone()[0])
        with cyclic_gc_paused():
            return self._write_batch(connection, cursor, simulator, wanted, last)

    def _write_batch(
        self, connection: Connection, cursor: Any, simulator: Simulator, wanted: int, last: int
    ) -> int:
        sql = self._sql
        world = DatabaseWorld(cursor, sql)
        produced: list[tuple[int, Document | None, Endring]] = []
        for changes in simulator.run(world, wanted):
            produced += world.apply(changes)
        now = _now()
        created: Any = datetime.now(UTC)
        if connection.dialect.name == "sqlite":
            created = created.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores it
        archive, events = [], []
        previous_version: dict[int, str | None] = dict(world.versions)
        for offset, (person_id, before, change) in enumerate(produced):
            dokid = ordered_uuid()
            document = change.dokument
            archive.append((dokid, person_id, created, orjson.dumps(document)))
            events.append(
                (
                    last + offset + 1,
                    ordered_uuid(),
                    person_id,
                    change.foedsels_eller_d_nummer,
                    change.hendelsestype.value,
                    dokid,
                    previous_version.get(person_id),
                    now,
                    open_to_uten_hjemmel(change.hendelsestype, document),
                    orjson.dumps(egenskapshendelser(before, document)),
                )
            )
            previous_version[person_id] = dokid
        final = world.changed
        persons_new, identifiers, versions, renumbered = [], [], [], []
        for person_id, document in final.items():
            stored = world.stored.get(person_id)
            if stored is None:
                persons_new.append((person_id, current_identifier(document), previous_version[person_id]))
                identifiers += [
                    (entry["foedselsEllerDNummer"], person_id, is_current(entry))
                    for entry in document["identifikasjonsnummer"]
                ]
                continue
            versions.append((previous_version[person_id], person_id))
            if current_identifier(document) != current_identifier(stored):
                renumbered.append((current_identifier(document), person_id))
        if persons_new:
            cursor.executemany(
                sql(
                    "INSERT INTO person (id, foedsels_eller_d_nummer, dokumentidentifikator) VALUES (?, ?, ?)"
                ),
                persons_new,
            )
            cursor.executemany(
                sql(
                    "INSERT INTO person_identifikator (identifikator, person_id, gjeldende) VALUES (?, ?, ?)"
                ),
                identifiers,
            )
        cursor.executemany(
            sql(
                "INSERT INTO person_arkiv (dokumentidentifikator, person_id, opprettet, dokument) VALUES (?, ?, ?, ?)"
            ),
            archive,
        )
        if versions:  # the number only when it changed: an unchanged SET still rewrites its unique index
            cursor.executemany(sql("UPDATE person SET dokumentidentifikator = ? WHERE id = ?"), versions)
        if renumbered:
            cursor.executemany(sql("UPDATE person SET foedsels_eller_d_nummer = ? WHERE id = ?"), renumbered)
        cursor.executemany(
            sql(
                "INSERT INTO hendelse (sekvensnummer, hendelsesidentifikator, person_id, folkeregisteridentifikator,"
                " hendelsestype, persondokument, forrige_persondokument, ajourholdstidspunkt, aapen,"
                " egenskapshendelse) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            events,
        )
        cursor.execute(sql("UPDATE hendelse_teller SET siste = ? WHERE id = 1"), [last + len(produced)])
        cursor.close()
        update_index(connection, final.items())
        if persons_new and connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('person', 'id'), (SELECT max(id) FROM person))")
            )
        return len(produced)
