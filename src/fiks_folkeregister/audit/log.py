"""The lookup audit log: every request to the mirrored API, durably stored before the response leaves."""

from __future__ import annotations

import queue
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Select, bindparam, insert, select
from sqlalchemy.engine import Row

from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import oppslagslogg, oppslagslogg_person

UTFALL = frozenset({"ok", "avvist", "feil"})


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One request to the mirrored API, as accounted for (DOMAIN.md §9)."""

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


class AuditUnavailableError(Exception):
    """The audit record could not be stored; the request must fail without handing out personal data."""


_PERSONS_OF = select(oppslagslogg_person.c.oppslag_id, oppslagslogg_person.c.identifikator).where(
    oppslagslogg_person.c.oppslag_id.in_(bindparam("ids", expanding=True))
)


_INSERT_RECORDS = insert(oppslagslogg).returning(oppslagslogg.c.id, sort_by_parameter_order=True)
_INSERT_PERSONS = insert(oppslagslogg_person)


class _Pending:
    """A record waiting for the writer; `done` is set once its batch is committed (or failed)."""

    __slots__ = ("done", "error", "record")

    def __init__(self, record: AuditRecord) -> None:
        self.record = record
        self.done = threading.Event()
        self.error: BaseException | None = None


class AuditLog:
    """Writes and reads the lookup log in the gateway's database.

    Writes use group commit: each request hands its record to one writer thread and waits until the
    transaction holding it has committed, so a record is durable before the response leaves, while
    concurrent requests share one transaction (one commit, one write lock) instead of queueing for one each.
    """

    def __init__(self, engine: Engine, *, batch_limit: int = 500, timeout_seconds: float = 10.0) -> None:
        self._engine = engine
        self._batch_limit = batch_limit
        self._timeout = timeout_seconds
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()

    def record(self, record: AuditRecord) -> None:
        """Durably stored (committed) when it returns; raises AuditUnavailableError on any failure."""
        if record.utfall not in UTFALL:
            raise AuditUnavailableError(f"utfall must be one of {sorted(UTFALL)}, got {record.utfall!r}")
        if record.tidspunkt.tzinfo is None:
            raise AuditUnavailableError("tidspunkt must be timezone-aware")
        pending = _Pending(record)
        self._start_writer()
        self._queue.put(pending)
        if not pending.done.wait(self._timeout):
            raise AuditUnavailableError("the audit log could not be written: timed out")
        if pending.error is not None:
            raise AuditUnavailableError(
                f"the audit log could not be written: {type(pending.error).__name__}"
            ) from pending.error

    def _start_writer(self) -> None:
        if self._writer is not None and self._writer.is_alive():
            return
        with self._writer_lock:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write_forever, name="audit-writer", daemon=True)
                self._writer.start()

    def _write_forever(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self._batch_limit:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            error: BaseException | None = None
            try:
                self._write(batch)
            except Exception as failure:
                error = failure
            for pending in batch:
                pending.error = error
                pending.done.set()

    def _write(self, batch: list[_Pending]) -> None:
        """One transaction for the whole batch: every record in it is committed, or none is."""
        rows = [
            {
                "tidspunkt": item.record.tidspunkt.astimezone(UTC),
                "request_id": item.record.request_id,
                "orgnr": item.record.orgnr,
                "rolle_id": item.record.rolle_id,
                "integrasjon_id": item.record.integrasjon_id,
                "klient_orgnr": item.record.klient_orgnr,
                "ressurs": item.record.ressurs,
                "parametre": dict(item.record.parametre),
                "utfall": item.record.utfall,
                "status": item.record.status,
                "feilkode": item.record.feilkode,
            }
            for item in batch
        ]
        with self._engine.begin() as connection:
            ids = connection.execute(_INSERT_RECORDS, rows).scalars().all()
            persons = [
                {"oppslag_id": oppslag_id, "posisjon": position, "identifikator": identifikator}
                for oppslag_id, item in zip(ids, batch, strict=True)
                for position, identifikator in enumerate(dict.fromkeys(item.record.personer))
            ]
            if persons:
                connection.execute(_INSERT_PERSONS, persons)

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
            statement = statement.where(
                oppslagslogg.c.id.in_(
                    select(oppslagslogg_person.c.oppslag_id).where(
                        oppslagslogg_person.c.identifikator == person
                    )
                )
            )
        statement = statement.order_by(oppslagslogg.c.tidspunkt.desc(), oppslagslogg.c.id.desc()).limit(limit)
        return self._read(statement)

    def lookups_of_person(self, identifikator: str) -> list[AuditRecord]:
        """Who looked up this person, oldest first, across all organisations (Folkeregisterloven § 10-1)."""
        statement = (
            select(oppslagslogg)
            .join(oppslagslogg_person, oppslagslogg_person.c.oppslag_id == oppslagslogg.c.id)
            .where(oppslagslogg_person.c.identifikator == identifikator)
            .order_by(oppslagslogg.c.tidspunkt, oppslagslogg.c.id)
        )
        return self._read(statement)

    def _read(self, statement: Select[Any]) -> list[AuditRecord]:
        with self._engine.connect() as connection:
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
        return [_record(row, persons.get(row.id, [])) for row in rows]


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
    )
