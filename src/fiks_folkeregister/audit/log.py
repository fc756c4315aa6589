"""The lookup audit log: every request to the mirrored API, durably stored before the response leaves."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from psycopg.types.json import Json
from sqlalchemy import (
    ColumnElement,
    Connection,
    Dialect,
    Engine,
    Select,
    String,
    Text,
    bindparam,
    cast,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row

from fiks_folkeregister.audit import kjede
from fiks_folkeregister.audit.signering import CheckpointSigner
from fiks_folkeregister.engines import SQLITE_BUSY_TIMEOUT_SECONDS
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.driver import Statement, Transaction, transaction
from fiks_folkeregister.storage.tables import (
    oppslagslogg,
    oppslagslogg_kjede,
    oppslagslogg_person,
    oppslagslogg_sjekkpunkt,
    tilgangsversjon,
)

UTFALL = frozenset({"ok", "avvist", "feil"})
#: How a lookup came: a system through the API, a case worker in the portal, the platform answering insight,
#: an administrator reading the lookup log about a person (insight for one person, or the log filtered by one).
KANALER = frozenset({"api", "portal", "innsyn", "admin"})
PRINSIPALER = frozenset({kjede.INTEGRASJON, kjede.PERSON})

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One request to the mirrored API, as accounted for: who asked, when, under which role, for what and about
    whom, so that each person can learn who looked them up (folkeregisterloven § 10-1; docs/admin.md)."""

    tidspunkt: datetime
    request_id: str
    orgnr: str | None
    rolle_id: UUID | None
    integrasjon_id: UUID | None
    klient_orgnr: str | None
    ressurs: str
    parametre: Mapping[str, Any]
    personer: Sequence[str]
    utfall: str
    status: int
    feilkode: str | None = None
    kanal: str = "api"
    #: Who asked: `integrasjon` (a system) or `person` (a case worker, named by the next two fields).
    prinsipal: str = kjede.INTEGRASJON
    person_foedselsnummer: str | None = None
    person_navn: str | None = None
    #: The case the lookup was made for, as the case worker gave it (optional).
    saksnummer: str | None = None
    formaal: str | None = None


class AuditUnavailableError(Exception):
    """The audit record could not be stored; the request must fail without handing out personal data."""


class AccessChangedError(Exception):
    """The record was not stored: the access version had moved on from the one its request's access was read
    at (`record_async`'s `tilgangsversjon`). The request must be checked again with a fresh read."""

    def __init__(self, tilgangsversjon: int) -> None:
        super().__init__(f"the access version is now {tilgangsversjon}")
        self.tilgangsversjon = tilgangsversjon


_PERSONS_OF = select(oppslagslogg_person.c.oppslag_id, oppslagslogg_person.c.identifikator).where(
    oppslagslogg_person.c.oppslag_id.in_(bindparam("ids", expanding=True))
)


class _Pending:
    """A record waiting for the writer, and how its waiter learns that its batch is committed (or failed):
    a thread's `done` event, or a future of an event loop (resolved in that loop, see `_wake`; no event is
    made for it)."""

    __slots__ = ("done", "error", "future", "loop", "record", "tilgangsversjon")

    def __init__(
        self,
        record: AuditRecord,
        loop: asyncio.AbstractEventLoop | None = None,
        future: asyncio.Future[None] | None = None,
        tilgangsversjon: int | None = None,
    ) -> None:
        self.record = record
        self.tilgangsversjon = tilgangsversjon
        self.done = threading.Event() if loop is None else None
        self.error: BaseException | None = None
        self.loop = loop
        self.future = future


#: How long the writer's checkpoint of a SQLite log waits for readers and other processes' writers.
_WAL_CHECKPOINT_WAIT_MS = 20
#: A SQLite log longer than this (pages of 4 KiB: ~40 MB) is checkpointed with RESTART (see `_checkpoint_wal`).
_WAL_RESTART_FRAMES = 10_000


class AuditLog:
    """Writes and reads the lookup log in the gateway's database.

    Writes use group commit: each request hands its record to one writer thread and waits until the
    transaction holding it has committed, so a record is durable before the response leaves, while
    concurrent requests share one transaction (one commit, one write lock) instead of queueing for one each.

    Each organisation's records are a hash chain (audit/kjede.py), extended inside the writer's transaction
    under a lock on the chain's head row, so several processes writing one chain take turns. With a
    `signer`, a signed checkpoint is written every `checkpoint_records` records of a chain or every
    `checkpoint_minutes` while it grows, and `close` (at shutdown) signs every chain's head.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        signer: CheckpointSigner | None = None,
        checkpoint_records: int = 1000,
        checkpoint_minutes: float = 5.0,
        checkpoint_file: Path | None = None,
        batch_limit: int = 500,
        timeout_seconds: float = 10.0,
        on_batch: Callable[[int, float, bool], None] | None = None,
        wal_checkpoint_seconds: float = 0.25,
    ) -> None:
        """``wal_checkpoint_seconds``: on SQLite, how often the writer checkpoints the write-ahead log
        between batches (see `_checkpoint_wal`)."""
        self._engine = engine
        self._wal_interval = wal_checkpoint_seconds if engine.dialect.name == "sqlite" else None
        self._wal_checkpointed = time.monotonic()
        self._wal_written = self._wal_behind = False
        self._wal_frames = 0  # the log's length at the last checkpoint, in pages
        self._statements = _Statements(engine.dialect)
        #: Told of each batch the writer commits (or fails to): its size, seconds taken, whether it failed.
        self._on_batch = on_batch
        #: Whether the writer's last batch failed (readiness reads it; the next success clears it).
        self.failing = False
        self._signer = signer
        self._checkpoint_records = checkpoint_records
        self._checkpoint_file = checkpoint_file
        self._checkpoint_interval = timedelta(minutes=checkpoint_minutes)
        self._tick = checkpoint_minutes * 60 / 2
        self._batch_limit = batch_limit
        self._timeout = timeout_seconds
        #: Records for the writer, a list at a time (one event-loop turn's records, or one thread's).
        self._queue: queue.SimpleQueue[list[_Pending]] = queue.SimpleQueue()
        #: Per event loop, the records of its current turn not yet handed to the writer (see `record_async`).
        self._gathering: dict[asyncio.AbstractEventLoop, list[_Pending]] = {}
        #: The chain heads this process last committed (a hint: `_advance` checks it against the row).
        self._heads: dict[str, _Head] = {}
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()

    def record(self, record: AuditRecord) -> None:
        """Durably stored (committed) when it returns; raises AuditUnavailableError on any failure."""
        _check(record)
        pending = _Pending(record)
        self._start_writer()
        self._queue.put([pending])
        assert pending.done is not None
        if not pending.done.wait(self._timeout):
            raise AuditUnavailableError("the audit log could not be written: timed out")
        _raise_failure(pending)

    async def record_async(self, record: AuditRecord, *, tilgangsversjon: int | None = None) -> None:
        """`record` for a coroutine: the same group commit, but the wait holds no thread (the event loop
        goes on serving other requests until the writer resolves this record's future).

        With `tilgangsversjon` (the access version the request's access was read at), the record is stored
        only if that is still the access version in the transaction that stores it; else nothing of it is
        stored and `AccessChangedError` is raised (the batch's other records are stored all the same).

        The records of one turn of the event loop (the requests answered in it) go to the writer together,
        at the end of the turn: one hand-over, one transaction and one wake-up of the loop for all of them,
        instead of a writer woken for each record while the loop still holds the interpreter."""
        _check(record)
        loop = asyncio.get_running_loop()
        pending = _Pending(record, loop, loop.create_future(), tilgangsversjon)
        self._start_writer()
        gathering = self._gathering.get(loop)
        if gathering is None:
            gathering = self._gathering[loop] = []
            loop.call_soon(self._hand_over, loop)
        gathering.append(pending)
        assert pending.future is not None
        try:
            async with asyncio.timeout(self._timeout):
                await pending.future
        except TimeoutError:
            raise AuditUnavailableError("the audit log could not be written: timed out") from None
        _raise_failure(pending)

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        """At the end of a turn of `loop`: its gathered records to the writer, as one."""
        self._queue.put(self._gathering.pop(loop))

    def _start_writer(self) -> None:
        if self._writer is not None and self._writer.is_alive():
            return
        with self._writer_lock:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write_forever, name="audit-writer", daemon=True)
                self._writer.start()

    def _write_forever(self) -> None:
        checked = time.monotonic()
        while True:
            if self._signer is not None and time.monotonic() - checked >= self._tick:
                checked = time.monotonic()
                if any(head.sekvens > head.sjekkpunkt_sekvens for head in list(self._heads.values())):
                    self._checkpoint_quietly(force=False)  # only chains this process left unsigned
            try:
                batch = self._queue.get(timeout=min(self._tick, self._wal_interval or self._tick))
            except queue.Empty:
                self._checkpoint_wal()
                continue
            while len(batch) < self._batch_limit:
                try:
                    batch += self._queue.get_nowait()
                except queue.Empty:
                    break
            error: BaseException | None = None
            started = time.monotonic()
            refused: dict[_Pending, AccessChangedError] = {}
            try:
                refused = self._write(batch)
            except Exception as failure:
                error = failure
            self.failing = error is not None
            if self._on_batch is not None:
                self._on_batch(len(batch), time.monotonic() - started, self.failing)
            waiting: dict[asyncio.AbstractEventLoop, list[_Pending]] = defaultdict(list)
            for pending in batch:
                pending.error = refused.get(pending, error)
                if pending.done is not None:
                    pending.done.set()
                if pending.loop is not None:
                    waiting[pending.loop].append(pending)
            for loop, woken in waiting.items():
                with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
                    loop.call_soon_threadsafe(_wake, woken)  # one wake-up per loop and batch
            self._wal_written = self._wal_written or error is None
            self._checkpoint_wal()

    def _checkpoint_wal(self) -> None:
        """SQLite: copy the write-ahead log into the database file, here, between batches, once
        `wal_checkpoint_seconds` have passed since the last time, if a batch was written since.

        The gateway's engine turns SQLite's own checkpoints off (`create_gateway_engine(...,
        checkpoints_in_commits=False)`): those run inside whichever commit takes the log past 1000 pages,
        most often a bulk lookup's (its 1000 person rows touch as many index pages), and every request of
        that batch waited for them. Here the batch's requests have their answers already. The writer,
        the one writer of this process, appends nothing while it checkpoints, so the checkpoint completes
        and the next commit writes the log from its start again, unless a reader still reads it then.
        Serving alone that happens often enough (the log stays under ~10 MB); with several processes
        serving it did not (the log grew by ~25 MB a second), so once the log is longer than
        `_WAL_RESTART_FRAMES` the checkpoint is a RESTART one, which waits (at most
        `_WAL_CHECKPOINT_WAIT_MS`, holding other processes' writers off) until no reader reads the log. One
        that could not finish is tried again after the next batch. (From a thread of its own, a checkpoint
        never caught up with the writer.)"""
        if self._wal_interval is None or not self._wal_written:
            return
        if not self._wal_behind and time.monotonic() - self._wal_checkpointed < self._wal_interval:
            return
        self._wal_checkpointed, self._wal_written = time.monotonic(), False
        restart = self._wal_frames > _WAL_RESTART_FRAMES
        try:
            with self._engine.connect() as connection:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {_WAL_CHECKPOINT_WAIT_MS}")
                try:
                    busy, frames, copied = connection.exec_driver_sql(
                        f"PRAGMA wal_checkpoint({'RESTART' if restart else 'PASSIVE'})"
                    ).one()
                finally:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        except Exception as error:
            log.warning("the SQLite log could not be checkpointed (%s)", type(error).__name__)
            return
        # Not finished (another process's writer or a reader in the way): again after the next batch.
        self._wal_behind = bool(busy) or copied < frames
        self._wal_frames = 0 if restart and not busy else frames

    def _write(self, batch: list[_Pending]) -> dict[_Pending, AccessChangedError]:
        """The batch stored but for its records whose access version has moved on (returned: nothing of
        them is stored). Such records are found inside the transaction, which
        is then rolled back and the rest written in a new one."""
        refused: dict[_Pending, AccessChangedError] = {}
        while batch:
            changed = self._write_checked(batch)
            if changed is None:
                break
            tilgangsversjon, stale = changed
            refused.update((pending, AccessChangedError(tilgangsversjon)) for pending in stale)
            batch = [pending for pending in batch if pending not in refused]
        return refused

    def _write_checked(self, batch: list[_Pending]) -> tuple[int, list[_Pending]] | None:
        """One transaction for the whole batch: every record in it is committed, or none is. None when
        committed; the access version and the records read at another one (nothing committed) otherwise.

        Each chain is extended from the head this process last wrote, with one conditional UPDATE of the
        head row that also takes its lock (every chain's sent at once). Only when a head is not known yet,
        or another process moved one since, is every head read again under its lock (after a rollback of
        the UPDATEs, which may hold rows). Chains are locked in sorted order, so processes never deadlock.
        """
        now = datetime.now(UTC)
        by_chain: dict[str, list[AuditRecord]] = {}
        for item in batch:
            by_chain.setdefault(_chain(item.record), []).append(item.record)
        chains = sorted(by_chain)
        if self._statements.alone is not None and self._written_alone(batch, chains, by_chain, now):
            return None
        statements = self._statements
        checked = any(item.tilgangsversjon is not None for item in batch)
        with transaction(self._engine) as connection:
            extended, tilgangsversjon = self._advanced(connection, chains, by_chain, now, checked)
            if extended is None:
                heads = _lock_heads(connection, statements, chains, now)
                if checked:
                    tilgangsversjon = _tilgangsversjon(connection, statements)
                extended = [self._extend(heads[chain], by_chain[chain], now) for chain in chains]
                _store_heads(connection, statements, [head for head, *_ in extended])
            stale = [
                item
                for item in batch
                if item.tilgangsversjon is not None and item.tilgangsversjon != tilgangsversjon
            ]
            if stale:
                assert tilgangsversjon is not None
                connection.rollback()
                return tilgangsversjon, stale
            rows = [row for _, chain_rows, _, _ in extended for row in chain_rows]
            persons_of_rows = [personer for _, _, chain_persons, _ in extended for personer in chain_persons]
            signed = [checkpoint for *_, checkpoint in extended if checkpoint is not None]
            statements.insert(connection, rows, persons_of_rows)
            if signed:
                connection.executemany(statements.checkpoint, [checkpoint_row(c) for c in signed])
            connection.commit()
        self._heads.update((head.kjede, head) for head, *_ in extended)
        self._keep_outside(signed)
        return None

    def _written_alone(
        self,
        batch: list[_Pending],
        chains: list[str],
        by_chain: dict[str, list[AuditRecord]],
        now: datetime,
    ) -> bool:
        """PostgreSQL's common case, the whole batch in one statement (`_BatchAlone`): one round trip and
        no transaction around it, where the general way takes two and a dozen statements. Taken when every
        chain's head is known, no checkpoint is due and the batch's records were read at one access version
        (or none). The statement itself refuses (and so stores nothing) if a head has moved or the access
        version has: then, or when not taken, False, and the general way decides."""
        if any(chain not in self._heads for chain in chains):
            return False
        versions = {item.tilgangsversjon for item in batch} - {None}
        if len(versions) > 1:
            return False
        extended = [self._extend(self._heads[chain], by_chain[chain], now) for chain in chains]
        if any(checkpoint is not None for *_, checkpoint in extended):
            return False
        alone = self._statements.alone
        assert alone is not None
        persons = [personer for _, _, chain_persons, _ in extended for personer in chain_persons]
        parameters = alone.parameters(
            [(self._heads[chain], head) for chain, (head, *_) in zip(chains, extended, strict=True)],
            [row for _, chain_rows, _, _ in extended for row in chain_rows],
            persons,
            next(iter(versions), None),
        )
        try:
            with transaction(self._engine) as connection:
                connection.alone(alone.sql[any(persons)], parameters)
        except Exception as error:
            if getattr(error, "sqlstate", None) == _REFUSED:
                return False
            raise
        self._heads.update((head.kjede, head) for head, *_ in extended)
        return True

    def _advanced(
        self,
        connection: Transaction,
        chains: list[str],
        by_chain: dict[str, list[AuditRecord]],
        now: datetime,
        checked: bool,
    ) -> tuple[list[_Extension] | None, int | None]:
        """The chains extended from the heads this process last wrote, their head rows moved on (and locked)
        if every one was still there; None if a head is not known or has moved (and then, rolled back, no
        head is locked: the heads must be locked in order). With `checked`, also the access version, read
        after the heads' UPDATE (on SQLite it holds the write lock then; on PostgreSQL in its round trip)."""
        if any(chain not in self._heads for chain in chains):
            return None, None
        extended = [self._extend(self._heads[chain], by_chain[chain], now) for chain in chains]
        advanced = connection.executemany(
            self._statements.advance,
            [
                _advance_values(self._heads[chain], head)
                for chain, (head, *_) in zip(chains, extended, strict=True)
            ],
        )
        tilgangsversjon = _tilgangsversjon(connection, self._statements) if checked else None
        connection.sync()
        if advanced.rowcount == len(chains):
            return extended, tilgangsversjon
        # Even an UPDATE that changed nothing may hold its row: on PostgreSQL, one that found the head
        # moved by a transaction it waited for locks the head's new version before finding it moved. Held
        # while the heads are then locked in order, such a lock would deadlock with another writer.
        connection.rollback()
        return None, None

    def _extend(self, head: _Head, records: list[AuditRecord], now: datetime) -> _Extension:
        """The chain's new head after `records`, their rows and persons, and a checkpoint if one is due."""
        sekvens, value = head.sekvens, head.hash
        rows, persons = [], []
        for record in records:
            sekvens += 1
            personer = list(dict.fromkeys(record.personer))
            fields = kjede.fields_of(
                record, kjede=head.kjede, sekvens=sekvens, tidspunkt=record.tidspunkt, personer=personer
            )
            value = kjede.link(value, kjede.content_hash(fields))
            rows.append(
                {
                    "tidspunkt": record.tidspunkt.astimezone(UTC),
                    "request_id": record.request_id,
                    "orgnr": record.orgnr,
                    "rolle_id": record.rolle_id,
                    "integrasjon_id": record.integrasjon_id,
                    "klient_orgnr": record.klient_orgnr,
                    "ressurs": record.ressurs,
                    "parametre": dict(record.parametre),
                    "utfall": record.utfall,
                    "status": record.status,
                    "feilkode": record.feilkode,
                    "kanal": record.kanal,
                    "prinsipal": record.prinsipal,
                    "person_foedselsnummer": record.person_foedselsnummer,
                    "person_navn": record.person_navn,
                    "saksnummer": record.saksnummer,
                    "formaal": record.formaal,
                    "kjede": head.kjede,
                    "sekvens": sekvens,
                    "hash": value.hex(),
                }
            )
            persons.append(personer)
        extended = replace(head, sekvens=sekvens, hash=value)
        return extended, rows, persons, self._sign_if_due(extended, now, force=False)

    # -- checkpoints ----------------------------------------------------------------------------------

    def checkpoint(self, *, force: bool = True, chains: Collection[str] | None = None) -> int:
        """Sign the heads of chains with unsigned records (all of them with `force`, else those due).

        Returns how many checkpoints were written. Without a signer, does nothing.
        """
        if self._signer is None:
            return 0
        now = datetime.now(UTC)
        statements = self._statements
        with transaction(self._engine) as connection:
            found = {row["kjede"] for row in connection.rows(statements.unsigned, {})}
            if chains is not None:
                found &= set(chains)
            if not found:
                return 0
            heads = _lock_heads(connection, statements, sorted(found), now)
            signed = [c for c in (self._sign_if_due(h, now, force=force) for h in heads.values()) if c]
            if signed:
                connection.executemany(statements.checkpoint, [checkpoint_row(c) for c in signed])
                _store_heads(connection, statements, list(heads.values()))
            connection.commit()
        self._heads.update(heads)
        self._keep_outside(signed)
        return len(signed)

    def _keep_outside(self, signed: list[kjede.Checkpoint]) -> None:
        """Committed checkpoints also go to the checkpoint file, out of reach of the database's editors."""
        if signed and self._checkpoint_file is not None:
            try:
                append_checkpoints(self._checkpoint_file, signed)
            except OSError:
                log.exception("checkpoints could not be appended to %s", self._checkpoint_file)

    @property
    def writer_alive(self) -> bool:
        """The writer thread runs, or has not been needed yet (it starts with the first record)."""
        return self._writer is None or self._writer.is_alive()

    def close(self) -> None:
        """At shutdown: sign every chain's head, so nothing written before it can be cut off unseen."""
        self._checkpoint_quietly(force=True)

    def _checkpoint_quietly(self, *, force: bool) -> None:
        try:
            self.checkpoint(force=force)
        except Exception:
            log.exception("the audit log's checkpoint could not be written")

    def _sign_if_due(self, head: _Head, now: datetime, *, force: bool) -> kjede.Checkpoint | None:
        """A checkpoint of `head` if one is due (or forced), recorded in the head; else None."""
        unsigned = head.sekvens - head.sjekkpunkt_sekvens
        if self._signer is None or unsigned <= 0:
            return None
        due = (
            unsigned >= self._checkpoint_records
            or now - head.sjekkpunkt_tidspunkt >= self._checkpoint_interval
        )
        if not (force or due):
            return None
        head.sjekkpunkt_sekvens, head.sjekkpunkt_tidspunkt = head.sekvens, now
        return sign(self._signer, head.kjede, head.sekvens, head.hash.hex(), now, kjede.PERIODISK)

    def query(
        self,
        orgnr: str,
        *,
        fra: datetime | None = None,
        til: datetime | None = None,
        rolle_id: UUID | None = None,
        integrasjon_id: UUID | None = None,
        person: str | None = None,
        limit: int = 1000,
    ) -> list[AuditRecord]:
        """An organisation's log, newest first; `fra` inclusive, `til` exclusive."""
        statement = select(oppslagslogg).where(oppslagslogg.c.orgnr == orgnr)
        if fra is not None:
            statement = statement.where(oppslagslogg.c.tidspunkt >= _utc(fra))
        if til is not None:
            statement = statement.where(oppslagslogg.c.tidspunkt < _utc(til))
        if rolle_id is not None:
            statement = statement.where(oppslagslogg.c.rolle_id == rolle_id)
        if integrasjon_id is not None:
            statement = statement.where(oppslagslogg.c.integrasjon_id == integrasjon_id)
        if person is not None:
            statement = statement.where(about_person(person))
        statement = statement.order_by(oppslagslogg.c.tidspunkt.desc(), oppslagslogg.c.id.desc()).limit(limit)
        return self._read(statement)

    def lookups_of_person(self, identifikator: str) -> list[AuditRecord]:
        """Who looked up or tried to look up this person, oldest first, across all organisations
        (Folkeregisterloven § 10-1): the records that returned the person, and every record, refused and
        failed ones too, whose parameters name the number (a path or query parameter, or an element of a
        list in the body, whose value is exactly that number). The second part reads every record."""
        statement = (
            select(oppslagslogg)
            .where(about_person(identifikator))
            .order_by(oppslagslogg.c.tidspunkt, oppslagslogg.c.id)
        )
        return self._read(statement)

    def _read(self, statement: Select[Any]) -> list[AuditRecord]:
        with self._engine.connect() as connection:
            return [record for _, record in read_records(connection, statement)]


def read_records(connection: Connection, statement: Select[Any]) -> list[tuple[int, AuditRecord]]:
    """The records a SELECT of `oppslagslogg` rows finds, in its order, each with its row id and persons."""
    rows = connection.execute(statement).all()
    persons: dict[int, list[str]] = defaultdict(list)
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found = connection.execute(
            _PERSONS_OF.order_by(oppslagslogg_person.c.oppslag_id, oppslagslogg_person.c.posisjon),
            {"ids": chunk},
        )
        for oppslag_id, identifikator in found:
            persons[oppslag_id].append(identifikator)
    return [(row.id, _record(row, persons.get(row.id, []))) for row in rows]


def _check(record: AuditRecord) -> None:
    if record.utfall not in UTFALL:
        raise AuditUnavailableError(f"utfall must be one of {sorted(UTFALL)}, got {record.utfall!r}")
    if record.tidspunkt.tzinfo is None:
        raise AuditUnavailableError("tidspunkt must be timezone-aware")
    if record.kanal not in KANALER:
        raise AuditUnavailableError(f"kanal must be one of {sorted(KANALER)}, got {record.kanal!r}")
    if record.prinsipal not in PRINSIPALER:
        raise AuditUnavailableError(
            f"prinsipal must be one of {sorted(PRINSIPALER)}, got {record.prinsipal!r}"
        )
    if (record.prinsipal == kjede.PERSON) != (record.person_foedselsnummer is not None):
        raise AuditUnavailableError("a person's record names the person, and only a person's does")


def _raise_failure(pending: _Pending) -> None:
    if isinstance(pending.error, AccessChangedError):
        raise pending.error
    if pending.error is not None:
        raise AuditUnavailableError(
            f"the audit log could not be written: {type(pending.error).__name__}"
        ) from pending.error


def _wake(woken: list[_Pending]) -> None:
    """In the waiters' event loop: their batch is settled (a waiter that timed out is gone already)."""
    for pending in woken:
        if pending.future is not None and not pending.future.done():
            pending.future.set_result(None)


def about_person(identifikator: str) -> ColumnElement[bool]:
    """Records that returned the person, or whose parameters name the number: a value (or list element)
    exactly equal to it, so refused and failed attempts count too."""
    returned = oppslagslogg.c.id.in_(
        select(oppslagslogg_person.c.oppslag_id).where(oppslagslogg_person.c.identifikator == identifikator)
    )
    if not (len(identifikator) == 11 and identifikator.isascii() and identifikator.isdigit()):
        return returned  # not an identity number: nothing names it (and no LIKE wildcards get in)
    named = cast(oppslagslogg.c.parametre, Text).like(f'%"{identifikator}"%')
    return or_(returned, named)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("time filters must be timezone-aware")
    return moment.astimezone(UTC)


def _record(row: Row[Any], personer: list[str]) -> AuditRecord:
    return AuditRecord(
        tidspunkt=as_utc(row.tidspunkt),
        request_id=row.request_id,
        orgnr=row.orgnr,
        rolle_id=row.rolle_id,
        integrasjon_id=row.integrasjon_id,
        klient_orgnr=row.klient_orgnr,
        ressurs=row.ressurs,
        parametre=row.parametre,
        personer=tuple(personer),
        utfall=row.utfall,
        status=row.status,
        feilkode=row.feilkode,
        kanal=row.kanal,
        prinsipal=row.prinsipal,
        person_foedselsnummer=row.person_foedselsnummer,
        person_navn=row.person_navn,
        saksnummer=row.saksnummer,
        formaal=row.formaal,
    )


def _chain(record: AuditRecord) -> str:
    """The chain a record belongs to: its organisation's, or `""` for requests without one."""
    return record.orgnr or ""


@dataclass(slots=True)
class _Head:
    kjede: str
    sekvens: int
    hash: bytes
    sjekkpunkt_sekvens: int
    sjekkpunkt_tidspunkt: datetime


_heads = oppslagslogg_kjede

#: A chain extended by a batch: its new head, the records' rows and persons, and a checkpoint if one is due.
_Extension = tuple[_Head, list[dict[str, Any]], list[list[str]], kjede.Checkpoint | None]

_HEAD_VALUES = {
    "sekvens": bindparam("sekvens"),
    "hash": bindparam("hash"),
    "sjekkpunkt_sekvens": bindparam("sjekkpunkt_sekvens"),
    "sjekkpunkt_tidspunkt": bindparam("sjekkpunkt_tidspunkt"),
}
_ADVANCE_HEAD = (
    update(_heads)
    .where(
        _heads.c.kjede == bindparam("chain"),
        _heads.c.sekvens == bindparam("known_sekvens"),
        _heads.c.sjekkpunkt_sekvens == bindparam("known_sjekkpunkt"),
    )
    .values(_HEAD_VALUES)
)
_STORE_HEAD = update(_heads).where(_heads.c.kjede == bindparam("chain")).values(_HEAD_VALUES)
#: SQLite: a no-op UPDATE takes the database's write lock (a read first would not, see `_lock_heads`).
_TAKE_WRITE_LOCK = update(_heads).where(_heads.c.kjede == bindparam("chain")).values(sekvens=_heads.c.sekvens)
_READ_HEAD = select(_heads).where(_heads.c.kjede == bindparam("chain")).with_for_update()
_TILGANGSVERSJON = select(tilgangsversjon.c.versjon).where(tilgangsversjon.c.id == literal_column("1"))
_UNSIGNED_CHAINS = select(_heads.c.kjede).where(_heads.c.sekvens > _heads.c.sjekkpunkt_sekvens)

_RECORD_COLUMNS = [column.key for column in oppslagslogg.c if column.key != "id"]
#: PostgreSQL's SQLSTATE for a division by zero: how `_BatchAlone` refuses a batch.
_REFUSED = "22012"


class _JsonRows:
    """PostgreSQL: a batch's records and their persons inserted from two JSON documents (`parameters`), an
    array per row of the values as each column's type binds them, read back by PostgreSQL with that type;
    each person finds its record by chain and sequence number (unique), so the records' ids need not come
    back first. One parameter per document, not one typed array per column: the driver's encoding of some
    thirty arrays was most of the writer's time, spent holding the interpreter the event loop needs, while
    PostgreSQL reads the JSON in its own process.

    `statement`: the INSERTs, after other common table expressions if given."""

    def __init__(self, dialect: Dialect) -> None:
        self._record = Statement(dialect, insert(oppslagslogg), _RECORD_COLUMNS)
        columns = [oppslagslogg.c[name] for name in self._record.names]  # in the order `bound` gives
        self._names = ", ".join(column.name for column in columns)
        # Text read as TEXT, so that the INSERT's own cast to the column refuses a value too long for it (as
        # an INSERT of the value would) instead of cutting it, which would break the record's link.
        self._values = ", ".join(
            f"CAST(r.e ->> {index} AS {'TEXT' if isinstance(column.type, String) else column.type.compile(dialect)})"
            for index, column in enumerate(columns)
        )

    def statement(self, before: str = "", where: str = "", *, persons: bool = True) -> str:
        """The INSERT of the records (filtered by `where`) and, with `persons`, of their persons, after the
        common table expressions `before` (`name AS (…), …`). Without persons the persons' table is not
        touched."""
        records = f"""INSERT INTO oppslagslogg ({self._names})
    SELECT {self._values} FROM json_array_elements(%(records)s::json) AS r(e)
    {where}"""
        if not persons:
            return f"WITH {before}\n{records}" if before else records
        inserted = f"records AS ({records}\n    RETURNING id, kjede, sekvens)"
        ctes = f"{before},\n{inserted}" if before else inserted
        return f"""WITH {ctes}
INSERT INTO oppslagslogg_person (oppslag_id, posisjon, identifikator)
SELECT records.id, CAST(g.e ->> 2 AS integer), g.e ->> 3
FROM json_array_elements(%(persons)s::json) AS g(e)
JOIN records ON records.kjede = g.e ->> 0 AND records.sekvens = CAST(g.e ->> 1 AS bigint)
"""

    def parameters(self, rows: list[dict[str, Any]], persons: list[list[str]]) -> dict[str, str]:
        """`rows` and `persons` as `_Statements.insert` takes them."""
        records = [self._record.bound(row) for row in rows]
        given = [
            (row["kjede"], row["sekvens"], position, identifikator)
            for row, personer in zip(rows, persons, strict=True)
            for position, identifikator in enumerate(personer)
        ]
        return {
            "records": orjson.dumps(records, default=_json_text).decode(),
            "persons": orjson.dumps(given).decode(),
        }


class _BatchAlone:
    """PostgreSQL: a batch of records in one statement, which is its own transaction: the chains' head rows
    locked in chain order and moved on (each only if still at the head this process knows), the access
    version checked, the records and their persons inserted (`_JsonRows`). If a head has moved or the
    access version is not the batch's, a division by zero aborts the statement, and nothing of it is
    stored."""

    def __init__(self, rows: _JsonRows) -> None:
        self._rows = rows
        before = """locked AS (
    SELECT kjede FROM oppslagslogg_kjede WHERE kjede = ANY(%(h_kjede)s::text[]) ORDER BY kjede FOR UPDATE
), moved AS (
    UPDATE oppslagslogg_kjede AS h SET sekvens = n.sekvens, hash = n.hash
    FROM unnest(%(h_kjede)s::text[], %(h_known)s::bigint[], %(h_known_sjekkpunkt)s::bigint[],
                %(h_sekvens)s::bigint[], %(h_hash)s::text[]) AS n(kjede, known, known_sjekkpunkt, sekvens, hash)
    WHERE h.kjede = n.kjede AND h.sekvens = n.known AND h.sjekkpunkt_sekvens = n.known_sjekkpunkt
      AND (SELECT count(*) FROM locked) > 0
    RETURNING h.kjede
), checked AS (
    SELECT 1 / ((SELECT count(*) FROM moved) = %(n_chains)s::bigint
                AND (%(versjon)s::bigint IS NULL
                     OR (SELECT versjon FROM tilgangsversjon WHERE id = 1) = %(versjon)s::bigint))::int AS ok
)"""
        where = "WHERE (SELECT ok FROM checked) = 1"
        #: By whether the batch names any person.
        self.sql = {persons: rows.statement(before, where, persons=persons) for persons in (True, False)}

    def parameters(
        self,
        heads: list[tuple[_Head, _Head]],
        rows: list[dict[str, Any]],
        persons: list[list[str]],
        tilgangsversjon: int | None,
    ) -> dict[str, Any]:
        """`heads`: each chain's (known, new) head, in chain order; `rows` and `persons` as `insert` takes."""
        return {
            "h_kjede": [known.kjede for known, _ in heads],
            "h_known": [known.sekvens for known, _ in heads],
            "h_known_sjekkpunkt": [known.sjekkpunkt_sekvens for known, _ in heads],
            "h_sekvens": [new.sekvens for _, new in heads],
            "h_hash": [new.hash.hex() for _, new in heads],
            "n_chains": len(heads),
            "versjon": tilgangsversjon,
            **self._rows.parameters(rows, persons),
        }


def _json_text(value: Any) -> str:
    """A JSON column's bound value (psycopg's `Json` wrapper) as the text the driver would send for it."""
    if isinstance(value, Json):
        return (value.dumps or json.dumps)(value.obj)
    raise TypeError(f"no JSON for a bound {type(value).__name__}")


class _Statements:
    """The writer's statements, compiled once for the engine's dialect and run on the driver's connection."""

    def __init__(self, dialect: Dialect) -> None:
        self.sqlite = dialect.name == "sqlite"
        self.rows = _JsonRows(dialect) if dialect.name == "postgresql" else None
        self.alone = _BatchAlone(self.rows) if self.rows is not None else None
        #: By whether the batch names any person.
        self.rows_sql = (
            {persons: self.rows.statement(persons=persons) for persons in (True, False)}
            if self.rows is not None
            else {}
        )
        self.advance = Statement(dialect, _ADVANCE_HEAD)
        self.store_head = Statement(dialect, _STORE_HEAD)
        self.take_write_lock = Statement(dialect, _TAKE_WRITE_LOCK)
        self.read_head = Statement(dialect, _READ_HEAD)
        self.unsigned = Statement(dialect, _UNSIGNED_CHAINS)
        self.tilgangsversjon = Statement(dialect, _TILGANGSVERSJON)
        maker = sqlite_insert if self.sqlite else postgresql_insert
        self.new_head = Statement(
            dialect,
            maker(_heads).on_conflict_do_nothing(index_elements=["kjede"]),
            [column.key for column in _heads.c],
        )
        self.record = Statement(dialect, insert(oppslagslogg), _RECORD_COLUMNS)
        self.persons = Statement(
            dialect, insert(oppslagslogg_person), ["oppslag_id", "posisjon", "identifikator"]
        )
        self.checkpoint = Statement(
            dialect,
            insert(oppslagslogg_sjekkpunkt),
            [c.key for c in oppslagslogg_sjekkpunkt.c if c.key != "id"],
        )

    def insert(self, connection: Transaction, rows: list[dict[str, Any]], persons: list[list[str]]) -> None:
        """The records' rows and their persons' rows. SQLite: one INSERT per record (its id is the cursor's
        `lastrowid`), the persons' rows with `executemany`. PostgreSQL: every record and every person in one
        statement from JSON (`_JsonRows`), in one round trip with the commit."""
        if self.rows is None:
            person_rows = []
            for row, personer in zip(rows, persons, strict=True):
                oppslag_id = connection.execute(self.record, row).lastrowid
                person_rows += [
                    {"oppslag_id": oppslag_id, "posisjon": position, "identifikator": identifikator}
                    for position, identifikator in enumerate(personer)
                ]
            if person_rows:
                connection.executemany(self.persons, person_rows)
            return
        connection.execute_sql(self.rows_sql[any(persons)], self.rows.parameters(rows, persons))


def _advance_values(known: _Head, new: _Head) -> dict[str, Any]:
    """`_ADVANCE_HEAD`'s values: move the head row from `known` to `new` (only if it is still at `known`)."""
    return {
        **_head_values(new),
        "known_sekvens": known.sekvens,
        "known_sjekkpunkt": known.sjekkpunkt_sekvens,
    }


def _head_values(head: _Head) -> dict[str, Any]:
    return {
        "chain": head.kjede,
        "sekvens": head.sekvens,
        "hash": head.hash.hex(),
        "sjekkpunkt_sekvens": head.sjekkpunkt_sekvens,
        "sjekkpunkt_tidspunkt": head.sjekkpunkt_tidspunkt,
    }


def _lock_heads(
    connection: Transaction, statements: _Statements, chains: list[str], now: datetime
) -> dict[str, _Head]:
    """The chains' head rows (`chains` sorted), locked until the transaction ends (made at sequence 0 if new).

    SQLite: a no-op UPDATE first takes the database's write lock (the driver starts the transaction at
    the first write, so a read first would not hold it). PostgreSQL: SELECT … FOR UPDATE in chain order.
    """
    if statements.sqlite:
        connection.execute(statements.take_write_lock, {"chain": chains[0]})
    heads = {}
    for chain in chains:
        found = connection.rows(statements.read_head, {"chain": chain})
        if not found:
            connection.execute(
                statements.new_head,
                {
                    "kjede": chain,
                    "sekvens": 0,
                    "hash": kjede.GENESIS.hex(),
                    "sjekkpunkt_sekvens": 0,
                    "sjekkpunkt_tidspunkt": now,
                },
            )
            found = connection.rows(statements.read_head, {"chain": chain})
        heads[chain] = _head(found[0])
    return heads


def _head(row: Mapping[str, Any]) -> _Head:
    return _Head(
        kjede=row["kjede"],
        sekvens=row["sekvens"],
        hash=bytes.fromhex(row["hash"]),
        sjekkpunkt_sekvens=row["sjekkpunkt_sekvens"],
        sjekkpunkt_tidspunkt=as_utc(row["sjekkpunkt_tidspunkt"]),
    )


def _tilgangsversjon(connection: Transaction, statements: _Statements) -> int:
    """The access version, as this transaction reads it."""
    return int(connection.rows(statements.tilgangsversjon, {})[0]["versjon"])


def _store_heads(connection: Transaction, statements: _Statements, heads: list[_Head]) -> None:
    connection.executemany(statements.store_head, [_head_values(head) for head in heads])


def sign(
    signer: CheckpointSigner, chain: str, sekvens: int, hash_hex: str, now: datetime, art: str
) -> kjede.Checkpoint:
    """A checkpoint of `chain` at `sekvens`, signed now."""
    message = kjede.checkpoint_message(chain, sekvens, hash_hex, now, art)
    return kjede.Checkpoint(
        kjede=chain,
        sekvens=sekvens,
        hash=hash_hex,
        tidspunkt=now,
        art=art,
        noekkel_id=signer.key_id,
        signatur=kjede.signature_text(signer.sign(message)),
    )


def checkpoint_row(checkpoint: kjede.Checkpoint) -> dict[str, Any]:
    return {
        "kjede": checkpoint.kjede,
        "sekvens": checkpoint.sekvens,
        "hash": checkpoint.hash,
        "tidspunkt": checkpoint.tidspunkt,
        "art": checkpoint.art,
        "noekkel_id": checkpoint.noekkel_id,
        "signatur": checkpoint.signatur,
    }


def append_checkpoints(path: Path, checkpoints: Sequence[kjede.Checkpoint]) -> None:
    """Append checkpoints as JSON lines (one write, O_APPEND: processes sharing the file never interleave)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines = b"".join(kjede.canonical(c.to_json()) + b"\n" for c in checkpoints)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, lines)
    finally:
        os.close(descriptor)


def read_checkpoint_file(path: Path) -> list[kjede.Checkpoint]:
    """The checkpoints kept in the file (a torn last line, from a crash mid-write, is skipped)."""
    if not path.exists():
        return []
    found = []
    for line in path.read_bytes().splitlines():
        try:
            found.append(kjede.Checkpoint.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError):
            continue
    return found
