"""The writer's batches on each database: many chains and two writers at once, a batch that fails, and (on
PostgreSQL) a server that restarts."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text

from fiks_folkeregister.audit.log import AuditLog, AuditUnavailableError, read_records
from fiks_folkeregister.audit.revisjon import verify_database
from fiks_folkeregister.audit.signering import CheckpointSigner
from fiks_folkeregister.storage.database import create_gateway_engine, migrate
from fiks_folkeregister.storage.tables import oppslagslogg
from tests.audit.test_audit_log import ORG_A, ORG_B, lookup
from tests.conftest import make_postgres_database


@pytest.fixture
def signer(tmp_path: Path) -> CheckpointSigner:
    return CheckpointSigner(tmp_path / "keys" / "checkpoint-key.pem")


def _chains(engine: Engine, signer: CheckpointSigner) -> dict[str, tuple[int, int, object]]:
    """Each chain's records, how far it is signed, and its first finding (None: it holds)."""
    return {s.kjede: (s.records, s.signed_up_to, s.finding) for s in verify_database(engine, signer)}


def _persons_by_request(engine: Engine) -> dict[str, tuple[str, ...]]:
    with engine.connect() as connection:
        return {
            record.request_id: tuple(record.personer)
            for _, record in read_records(connection, select(oppslagslogg))
        }


def test_two_writers_at_once_keep_every_chain_whole_and_every_record_its_persons(
    engine: Engine, signer: CheckpointSigner
) -> None:
    """Two logs with their own connection pools (as two processes have), each fed by four threads, write
    three organisations' chains at once: batches hold several chains, and each writer's heads keep being
    moved by the other."""
    other_process = create_gateway_engine(engine.url.render_as_string(hide_password=False))
    logs = [AuditLog(engine, signer=signer, checkpoint_records=7)]
    logs.append(AuditLog(other_process, signer=signer, checkpoint_records=7))
    records = [
        lookup(n, orgnr=(ORG_A, ORG_B, None)[n % 3], personer=(f"0101011{n:04d}", f"0202022{n:04d}"))
        for n in range(120)
    ]
    failures: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            for record in records[thread::8]:
                logs[thread % 2].record(record)
        except BaseException as failure:
            failures.append(failure)

    threads = [threading.Thread(target=write, args=(thread,)) for thread in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for log in logs:
        log.close()
    other_process.dispose()

    assert failures == []
    assert _chains(engine, signer) == {ORG_A: (40, 40, None), ORG_B: (40, 40, None), "": (40, 40, None)}
    assert _persons_by_request(engine) == {record.request_id: record.personer for record in records}


def test_a_failed_batch_leaves_nothing_behind_and_the_chains_go_on_without_a_gap(
    engine: Engine, signer: CheckpointSigner
) -> None:
    log = AuditLog(engine, signer=signer)
    log.record(lookup(0))
    log.record(lookup(1, orgnr=ORG_B))  # both heads known to the writer: the next batch takes no lock first
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE oppslagslogg_person RENAME TO oppslagslogg_person_borte"))

    async def batch() -> list[BaseException | None]:
        awaited = (log.record_async(lookup(2 + n, orgnr=(ORG_A, ORG_B)[n % 2])) for n in range(6))
        return await asyncio.gather(*awaited, return_exceptions=True)

    # In a thread of its own: a browser test's event loop may be running in this one.
    with ThreadPoolExecutor(1) as thread:
        outcomes = thread.submit(asyncio.run, batch()).result()
    assert all(isinstance(outcome, AuditUnavailableError) for outcome in outcomes)
    with engine.begin() as connection:
        heads = dict(connection.execute(text("SELECT kjede, sekvens FROM oppslagslogg_kjede")).all())
        assert heads == {ORG_A: 1, ORG_B: 1}  # not moved by the batch that failed
        assert connection.execute(text("SELECT count(*) FROM oppslagslogg")).scalar_one() == 2
        connection.execute(text("ALTER TABLE oppslagslogg_person_borte RENAME TO oppslagslogg_person"))
    log.record(lookup(10))
    log.record(lookup(11, orgnr=ORG_B))
    log.close()

    assert _chains(engine, signer) == {ORG_A: (2, 2, None), ORG_B: (2, 2, None)}
    assert len(_persons_by_request(engine)) == 4


@pytest.mark.postgres
def test_after_the_database_restarts_only_the_batch_that_finds_out_fails(postgres_server: str) -> None:
    """Every pooled connection dies with the server's processes; the first batch to find out fails, and the
    next ones get new connections instead of the other dead ones."""
    url, drop = make_postgres_database(postgres_server)
    engine = create_gateway_engine(url)
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    try:
        migrate(engine)
        pooled = [engine.connect() for _ in range(5)]  # the pool holds five connections from here on
        for connection in pooled:
            connection.close()
        log = AuditLog(engine)
        log.record(lookup(0))
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": engine.url.database},
            )
        with pytest.raises(AuditUnavailableError):
            log.record(lookup(1))
        for minutes in range(2, 6):
            log.record(lookup(minutes))
        assert len(log.query(ORG_A)) == 5
    finally:
        engine.dispose()
        admin.dispose()
        drop()
