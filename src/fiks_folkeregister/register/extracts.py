"""Asynchronous extracts (uttrekk): jobs stored in the database, worked by a background worker, read in batches.

Jobs survive a restart: they are rows in `uttrekk_jobb`; a worker claims a waiting job, writes its result
batch by batch and marks it done. A job whose worker stopped answering (no heartbeat for `lease_seconds`)
goes back to waiting and is done again from the start. Batches are served only once the job is done.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Engine, and_, func, insert, select, text, update

from fiks_folkeregister.domain.dokument import current_entries, current_entry
from fiks_folkeregister.domain.heltall import MAX_INT32, MAX_INT64
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.minimering import VISIBLE_ADDRESS_GRADINGS
from fiks_folkeregister.domain.parametre import whole_number
from fiks_folkeregister.domain.soekeparametre import BOSTED, OPPHOLD
from fiks_folkeregister.domain.uttrekkskriterier import Kriterier, parse_tilpasset
from fiks_folkeregister.register.background import BackgroundLoop
from fiks_folkeregister.register.errors import RegisterError, parsed
from fiks_folkeregister.register.events import EventLog
from fiks_folkeregister.register.hendelse_tabeller import uttrekk_batch, uttrekk_jobb
from fiks_folkeregister.register.population.geografi import kommuner_by_nummer
from fiks_folkeregister.register.raw_sql import read_rows
from fiks_folkeregister.register.simulator import current, identifier, kommune_of

BATCH_SIZE = 1000
MAX_RUNNING = 10
RETRY_AFTER_SECONDS = 5
WAITING, RUNNING, DONE, FAILED = "venter", "kjoerer", "ferdig", "feilet"
TILPASSET, KOMPLETT = "tilpasset", "komplett"

log = logging.getLogger(__name__)


class TooManyJobs(RegisterError):
    """The 11th running job of an organisation: 429 with Retry-After."""

    def __init__(self, running: int) -> None:
        super().__init__(
            429,
            "FOR_MANGE_JOBBER",
            f"The organisation already has {running} extract jobs running (at most {MAX_RUNNING}); "
            "fetch their results or try again later",
        )
        self.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


# ---------------------------------------------------------------- criteria


def _in(value: int | None, low: int | None, high: int | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _current_one(document: Mapping[str, Any], element: str) -> Mapping[str, Any]:
    """The element's first current entry, or an empty mapping (no lists built: this runs for every candidate)."""
    return current_entry(document, element) or {}


def _lives_in(document: Mapping[str, Any], element: str, kommune: str, gradings: frozenset[str]) -> bool:
    """Whether a current address of `element` with a visible grading lies in `kommune`."""
    return any(
        address.get("adressegradering") in gradings and kommune_of(address) == kommune
        for address in current_entries(document, element)
    )


def matches(document: Mapping[str, Any], kriterier: Kriterier, gradings: frozenset[str]) -> bool:
    """Whether a current person document meets every criterion (addresses only through visible gradings)."""
    if _current_one(document, "status").get("status") not in kriterier.statuser:
        return False
    if kriterier.bostedskommune is not None and not _lives_in(
        document, "bostedsadresse", kriterier.bostedskommune, gradings
    ):
        return False
    if kriterier.oppholdskommune is not None and not _lives_in(
        document, "oppholdsadresse", kriterier.oppholdskommune, gradings
    ):
        return False
    if kriterier.foedselsaar_fra is not None or kriterier.foedselsaar_til is not None:
        aar = _current_one(document, "foedsel").get("foedselsaar")
        if not _in(int(aar) if aar else None, kriterier.foedselsaar_fra, kriterier.foedselsaar_til):
            return False
    if kriterier.doedsaar_fra is not None or kriterier.doedsaar_til is not None:
        doedsfall = document.get("doedsfall") or {}
        dato = doedsfall.get("doedsdato")
        if not _in(int(dato[:4]) if dato else None, kriterier.doedsaar_fra, kriterier.doedsaar_til):
            return False
    if kriterier.kjoenn is not None and _current_one(document, "kjoenn").get("kjoenn") != kriterier.kjoenn:
        return False
    if kriterier.statsborgerskap is not None and all(
        e.get("statsborgerskap") != kriterier.statsborgerskap for e in current(document, "statsborgerskap")
    ):
        return False
    return (
        kriterier.sivilstand is None
        or _current_one(document, "sivilstand").get("sivilstand") == kriterier.sivilstand
    )


def _kriterier_json(kriterier: Kriterier) -> bytes:
    data = {name: getattr(kriterier, name) for name in Kriterier.__slots__}  # type: ignore[attr-defined]
    data["statuser"] = sorted(kriterier.statuser)
    return orjson.dumps(data)


def _kriterier_from_json(raw: bytes) -> Kriterier:
    data = orjson.loads(raw)
    data["statuser"] = frozenset(data["statuser"])
    return Kriterier(**data)


# ---------------------------------------------------------------- ordering and reading


def _parse_nonnegative(value: str | None, name: str, maximum: int = MAX_INT64) -> int | None:
    return parsed(lambda: whole_number(value, name, maximum))


def _now() -> datetime:
    return datetime.now(UTC)


class Uttrekk:
    """`uttrekk/*`: order jobs (at most 10 running per organisation), read their batches when done."""

    def __init__(self, engine: Engine, events: EventLog, max_running: int = MAX_RUNNING) -> None:
        self._engine = engine
        self._events = events
        self._max_running = max_running

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def events(self) -> EventLog:
        return self._events

    def tilpasset(self, body: Any, pakke: Rettighetspakke, bestiller: str) -> dict[str, Any]:
        """`uttrekk/tilpasset`: order an extract of the persons meeting the criteria; `{"jobbId"}`."""
        kriterier = parsed(lambda: parse_tilpasset(body, lambda kommune: kommune in kommuner_by_nummer()))
        return {"jobbId": self._order(bestiller, pakke, TILPASSET, _kriterier_json(kriterier), None)}

    def komplett(self, feedsekvensnr: str | None, pakke: Rettighetspakke, bestiller: str) -> dict[str, Any]:
        """`uttrekk/komplett`: every person document valid at a sequence number (capped at the newest)."""
        if pakke is not Rettighetspakke.OFFENTLIG_MED_HJEMMEL:
            raise RegisterError(
                403,
                "MANGLER_TILGANG",
                f"uttrekk/komplett is only for {Rettighetspakke.OFFENTLIG_MED_HJEMMEL.value}",
            )
        wanted = _parse_nonnegative(feedsekvensnr, "feedsekvensnr")
        latest = self._events.latest()
        at = latest if wanted is None else min(wanted, latest)
        return {"jobbId": self._order(bestiller, pakke, KOMPLETT, b"{}", at)}

    def _order(
        self, bestiller: str, pakke: Rettighetspakke, art: str, kriterier: bytes, seq: int | None
    ) -> str:
        jobbid = str(uuid.uuid4())
        now = _now()
        with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"uttrekk:{bestiller}"}
                )
            connection.execute(
                insert(uttrekk_jobb).values(
                    jobbid=jobbid,
                    bestiller=bestiller,
                    rettighetspakke=pakke.value,
                    art=art,
                    kriterier=kriterier,
                    feedsekvensnr=seq,
                    status=WAITING,
                    opprettet=now,
                    oppdatert=now,
                )
            )
            running = connection.execute(
                select(func.count())
                .select_from(uttrekk_jobb)
                .where(uttrekk_jobb.c.bestiller == bestiller, uttrekk_jobb.c.status.in_((WAITING, RUNNING)))
            ).scalar_one()
            if running > self._max_running:
                connection.rollback()
                raise TooManyJobs(running - 1)
        return jobbid

    def batch(self, jobbid: str, batchnr: str, pakke: Rettighetspakke, bestiller: str) -> dict[str, Any]:
        """One batch of a done job; `{}` past the last; 404 while running; 410 for a job not this orderer's."""
        number = _parse_nonnegative(batchnr, "batchnr", MAX_INT32)
        assert number is not None
        with self._engine.connect() as connection:
            job = connection.execute(
                select(uttrekk_jobb.c.status, uttrekk_jobb.c.art, uttrekk_jobb.c.antall_batcher).where(
                    uttrekk_jobb.c.jobbid == jobbid,
                    uttrekk_jobb.c.bestiller == bestiller,
                    uttrekk_jobb.c.rettighetspakke == pakke.value,
                )
            ).first()
            if job is None:
                raise RegisterError(410, "UKJENT_JOBB", f"No extract job {jobbid} for this organisation")
            if job.status == FAILED:
                raise RegisterError(500, "UTTREKK_FEILET", f"Extract job {jobbid} failed; order it again")
            if job.status != DONE:
                raise RegisterError(
                    404, "JOBB_IKKE_FERDIG", f"Extract job {jobbid} is not done yet; ask again"
                )
            if number >= job.antall_batcher:
                return {}
            raw = connection.execute(
                select(uttrekk_batch.c.innhold).where(
                    uttrekk_batch.c.jobbid == jobbid, uttrekk_batch.c.batchnr == number
                )
            ).scalar_one()
        field = "dokumentidentifikator" if job.art == KOMPLETT else "foedselsEllerDNummer"
        return {field: orjson.loads(raw)}


# ---------------------------------------------------------------- the worker


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
                    _kriterier_from_json(bytes(job.kriterier)), VISIBLE_ADDRESS_GRADINGS[pakke]
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
                    yield identifier(document)

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
