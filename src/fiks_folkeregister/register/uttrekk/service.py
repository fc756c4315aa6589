"""Asynchronous extracts (uttrekk): ordering jobs, stored as rows, and reading their batches once done.

Jobs survive a restart: they are rows in `uttrekk_jobb`; the worker (`uttrekk/worker.py`) claims a waiting
job, writes its result batch by batch and marks it done. Batches are served only once the job is done.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Engine, func, insert, select, text

from fiks_folkeregister.domain.heltall import MAX_INT32, MAX_INT64
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.parametre import whole_number
from fiks_folkeregister.domain.uttrekkskriterier import parse_tilpasset
from fiks_folkeregister.register.errors import RegisterError, parsed
from fiks_folkeregister.register.hendelser.log import EventLog
from fiks_folkeregister.register.population.geografi import kommuner_by_nummer
from fiks_folkeregister.register.uttrekk.kriterier import kriterier_json
from fiks_folkeregister.register.uttrekk.tables import uttrekk_batch, uttrekk_jobb

MAX_RUNNING = 10
RETRY_AFTER_SECONDS = 5
WAITING, RUNNING, DONE, FAILED = "venter", "kjoerer", "ferdig", "feilet"
TILPASSET, KOMPLETT = "tilpasset", "komplett"


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
        return {"jobbId": self._order(bestiller, pakke, TILPASSET, kriterier_json(kriterier), None)}

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
