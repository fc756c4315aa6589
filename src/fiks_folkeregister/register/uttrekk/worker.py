"""The extract worker: claims waiting jobs, computes their results and writes them batch by batch.

A job whose worker stopped answering (no heartbeat for `lease_seconds`) goes back to waiting and is done
again from the start, so a restart mid-job loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import and_, insert, select, update

from fiks_folkeregister.domain.dokument import current_identifier
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.minimering import VISIBLE_ADDRESS_GRADINGS
from fiks_folkeregister.domain.soekeparametre import BOSTED, OPPHOLD
from fiks_folkeregister.domain.uttrekkskriterier import Kriterier
from fiks_folkeregister.register.background import BackgroundLoop
from fiks_folkeregister.register.raw_sql import read_rows
from fiks_folkeregister.register.uttrekk.kriterier import kriterier_from_json, matches
from fiks_folkeregister.register.uttrekk.service import DONE, FAILED, KOMPLETT, RUNNING, WAITING, Uttrekk
from fiks_folkeregister.register.uttrekk.tables import uttrekk_batch, uttrekk_jobb

BATCH_SIZE = 1000

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


class ExtractWorker(BackgroundLoop):
    """Claims waiting jobs and works them, in a background thread or on demand (`work_pending`)."""

    thread_name = "uttrekk-worker"

    def __init__(self, uttrekk: Uttrekk, poll_seconds: float = 0.5, lease_seconds: float = 60.0) -> None:
        self._uttrekk = uttrekk
        self._engine = uttrekk.engine
        self._poll = poll_seconds
        self._lease = lease_seconds
        super().__init__()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.work_pending():
                    self._stop.wait(self._poll)
            except Exception:
                log.exception("the extract worker failed; retrying")
                self._stop.wait(self._poll)

    def reclaim(self) -> int:
        """Jobs whose worker went quiet (a crash, a restart) go back to waiting."""
        stale = _now() - timedelta(seconds=self._lease)
        with self._engine.begin() as connection:
            result = connection.execute(
                update(uttrekk_jobb)
                .where(and_(uttrekk_jobb.c.status == RUNNING, uttrekk_jobb.c.oppdatert <= stale))
                .values(status=WAITING, oppdatert=_now())
            )
            return int(result.rowcount or 0)

    def work_pending(self, max_batches: int | None = None) -> int:
        """Work every waiting job; returns how many were done. `max_batches` stops a job midway (tests)."""
        self.reclaim()
        done = 0
        while not self._stop.is_set():
            job = self._claim()
            if job is None:
                return done
            if self._work(job, max_batches):
                done += 1
            elif max_batches is not None:
                return done
        return done

    def _claim(self) -> Any:
        with self._engine.begin() as connection:
            candidates = connection.execute(
                select(uttrekk_jobb)
                .where(uttrekk_jobb.c.status == WAITING)
                .order_by(uttrekk_jobb.c.opprettet)
                .limit(5)
            ).all()
            for job in candidates:
                claimed = connection.execute(
                    update(uttrekk_jobb)
                    .where(uttrekk_jobb.c.jobbid == job.jobbid, uttrekk_jobb.c.status == WAITING)
                    .values(status=RUNNING, oppdatert=_now())
                )
                if claimed.rowcount == 1:
                    return job
        return None

    def _work(self, job: Any, max_batches: int | None) -> bool:
        try:
            with self._engine.begin() as connection:
                connection.execute(uttrekk_batch.delete().where(uttrekk_batch.c.jobbid == job.jobbid))
            if job.art == KOMPLETT:
                results = self._komplett(int(job.feedsekvensnr))
            else:
                pakke = Rettighetspakke(job.rettighetspakke)
                results = self._tilpasset(
                    kriterier_from_json(bytes(job.kriterier)), VISIBLE_ADDRESS_GRADINGS[pakke]
                )
            count = 0
            for batch in _batched(results, BATCH_SIZE):
                if max_batches is not None and count >= max_batches:
                    return False  # as if the process died here: the job stays `kjoerer`
                with self._engine.begin() as connection:
                    connection.execute(
                        insert(uttrekk_batch).values(
                            jobbid=job.jobbid, batchnr=count, innhold=orjson.dumps(batch)
                        )
                    )
                    connection.execute(
                        update(uttrekk_jobb)
                        .where(uttrekk_jobb.c.jobbid == job.jobbid)
                        .values(oppdatert=_now())
                    )
                count += 1
            with self._engine.begin() as connection:
                connection.execute(
                    update(uttrekk_jobb)
                    .where(uttrekk_jobb.c.jobbid == job.jobbid)
                    .values(status=DONE, antall_batcher=count, oppdatert=_now())
                )
            return True
        except Exception as error:
            log.exception("extract job %s failed", job.jobbid)
            with self._engine.begin() as connection:
                connection.execute(
                    update(uttrekk_jobb)
                    .where(uttrekk_jobb.c.jobbid == job.jobbid)
                    .values(status=FAILED, feilmelding=str(error)[:500], oppdatert=_now())
                )
            return False

    # ------------------------------------------------------------ computing results

    def _read(self, sql: str, values: Sequence[Any]) -> list[Any]:
        return read_rows(self._engine, sql, values)

    def _candidates(self, kriterier: Kriterier, gradings: frozenset[str]) -> Iterator[list[int]]:
        """Person ids to check, in id order and chunks: via the address index when a municipality is given."""
        kommune = kriterier.bostedskommune or kriterier.oppholdskommune
        if kommune is not None:
            adressetype = BOSTED if kriterier.bostedskommune else OPPHOLD
            grades = sorted(gradings)
            rows = self._read(
                "SELECT DISTINCT person_id FROM soek_adresse WHERE kommunenummer = ? AND adressetype = ?"
                f" AND gjeldende = ? AND adressegradering IN ({', '.join('?' * len(grades))}) ORDER BY person_id",
                [kommune, adressetype, True, *grades],
            )
            ids = [int(row[0]) for row in rows]
            yield from _batched(ids, BATCH_SIZE)
            return
        after = 0
        while True:
            rows = self._read("SELECT id FROM person WHERE id > ? ORDER BY id LIMIT ?", [after, BATCH_SIZE])
            if not rows:
                return
            ids = [int(row[0]) for row in rows]
            yield ids
            after = ids[-1]

    def _tilpasset(self, kriterier: Kriterier, gradings: frozenset[str]) -> Iterator[str]:
        for ids in self._candidates(kriterier, gradings):
            rows = self._read(
                "SELECT p.id, a.dokument FROM person p JOIN person_arkiv a"
                " ON a.dokumentidentifikator = p.dokumentidentifikator"
                f" WHERE p.id IN ({', '.join('?' * len(ids))}) ORDER BY p.id",
                ids,
            )
            for row in rows:
                document = orjson.loads(bytes(row[1]))
                if matches(document, kriterier, gradings):
                    yield current_identifier(document)

    def _komplett(self, at: int) -> Iterator[str]:
        """The archived version of every person that was current at sequence number `at`, in person order.

        One statement per chunk reads the persons and all their events together (one snapshot): the
        version at `at` is the newest event's version up to `at`; a person whose first event came later
        had the version that event replaced (none: the person did not exist yet); a person without events
        still has the version it was seeded with.
        """
        after = 0
        while True:
            rows = self._read(
                "SELECT p.id, p.dokumentidentifikator, h.sekvensnummer, h.persondokument, h.forrige_persondokument"
                " FROM person p LEFT JOIN hendelse h ON h.person_id = p.id"
                " WHERE p.id > ? AND p.id <= ? ORDER BY p.id, h.sekvensnummer",
                [after, after + BATCH_SIZE],
            )
            if not rows:
                if not self._read("SELECT 1 FROM person WHERE id > ? LIMIT 1", [after]):
                    return
                after += BATCH_SIZE
                continue
            person_rows: dict[int, list[Any]] = {}
            for row in rows:
                person_rows.setdefault(int(row[0]), []).append(row)
            for person_rows_of_one in person_rows.values():
                version = _version_at(person_rows_of_one, at)
                if version is not None:
                    yield version
            after += BATCH_SIZE


def _version_at(rows: Sequence[Any], at: int) -> str | None:
    if rows[0][2] is None:
        return str(rows[0][1])
    version: str | None = None
    for _person, _current, seq, persondokument, forrige in rows:
        if int(seq) <= at:
            version = persondokument
        else:
            return version if version is not None else forrige
    return version


def _batched(items: Any, size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
