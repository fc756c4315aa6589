"""The lookup log awaited from the event loop (the gateway's way): committed when the await returns, many
requests of one loop sharing a batch, and every failure an `AuditUnavailableError`, as with `record`."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import Engine, text

from fiks_folkeregister.audit.log import AuditLog, AuditRecord, AuditUnavailableError
from tests.audit.test_audit_log import ORG_A, lookup
from tests.own_loop import run


def _stored(engine: Engine) -> int:
    with engine.connect() as connection:  # another connection: sees only what is committed
        return int(connection.execute(text("SELECT count(*) FROM oppslagslogg")).scalar_one())


def _committed(engine: Engine, request_id: str) -> bool:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM oppslagslogg WHERE request_id = :id"), {"id": request_id}
        ).scalar_one()
    return int(found) == 1


def test_an_awaited_record_is_committed_when_the_await_returns(engine: Engine) -> None:
    log = AuditLog(engine)
    written = lookup(personer=("06076301709", "01010112345"))

    async def one() -> int:
        await log.record_async(written)
        return _stored(engine)

    assert run(one()) == 1
    assert log.query(ORG_A) == [written]


def test_concurrent_awaits_in_one_loop_are_all_committed_before_each_returns(engine: Engine) -> None:
    log = AuditLog(engine)
    records = [lookup(minutes=n) for n in range(50)]

    async def each(record: AuditRecord) -> bool:
        await log.record_async(record)
        return _committed(engine, record.request_id)

    async def many() -> list[bool]:
        return await asyncio.gather(*(each(record) for record in records))

    # each await returned only after its own record was committed (seen from another connection)
    assert run(many()) == [True] * len(records)
    assert sorted(log.query(ORG_A), key=lambda r: r.tidspunkt) == records


def test_a_failing_store_raises_audit_unavailable_in_the_loop_and_writes_nothing(engine: Engine) -> None:
    log = AuditLog(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE oppslagslogg_person"))

    with pytest.raises(AuditUnavailableError):
        run(log.record_async(lookup()))
    assert _stored(engine) == 0


def test_a_writer_that_does_not_answer_in_time_is_unavailable(engine: Engine) -> None:
    log = AuditLog(engine, timeout_seconds=0.2)
    held = threading.Event()
    release = threading.Event()
    original = log._write

    def stuck(batch: list[object]) -> object:
        held.set()
        release.wait(10)
        return original(batch)  # type: ignore[arg-type]

    log._write = stuck  # type: ignore[method-assign]
    try:
        with pytest.raises(AuditUnavailableError, match="timed out"):
            run(log.record_async(lookup()))
        assert held.is_set()
    finally:
        release.set()


def test_malformed_records_are_refused_before_they_reach_the_writer(engine: Engine) -> None:
    log = AuditLog(engine)
    with pytest.raises(AuditUnavailableError):
        run(log.record_async(lookup(utfall="maybe")))
    assert _stored(engine) == 0
