"""The gateway's SQLite log is checkpointed by the audit writer between its batches, never inside a commit:
with `checkpoints_in_commits=False` no commit checkpoints (the log grows), and under a steady stream of
records, read meanwhile, the writer's checkpoints keep the log small (it is written from its start again)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, func, insert, select

from fiks_folkeregister.audit import log as log_module
from fiks_folkeregister.audit.log import AuditLog
from fiks_folkeregister.storage.database import create_gateway_engine, migrate
from fiks_folkeregister.storage.tables import oppslagslogg
from tests.audit.test_audit_log import lookup

_TABLE = Table("t", MetaData(), Column("n", Integer))
#: A frame of the log: a page and its header.
_FRAME = 4096 + 24


def _engine(tmp_path: Path) -> tuple[Engine, Path]:
    database = tmp_path / "gateway.sqlite3"
    return create_gateway_engine(f"sqlite:///{database}", checkpoints_in_commits=False), Path(
        f"{database}-wal"
    )


def test_no_commit_checkpoints_the_log(tmp_path: Path) -> None:
    engine, log = _engine(tmp_path)
    _TABLE.metadata.create_all(engine)
    for n in range(1500):  # more than SQLite's 1000 pages, which would have a commit checkpoint
        with engine.begin() as connection:
            connection.execute(insert(_TABLE), [{"n": n}] * 50)
    grown = log.stat().st_size
    assert grown > 1500 * _FRAME
    with engine.begin() as connection:
        connection.execute(insert(_TABLE), [{"n": 0}] * 50)
    assert log.stat().st_size > grown  # appended, not written from the start
    engine.dispose()


@pytest.mark.parametrize("processes", [1, 2])
def test_under_a_steady_stream_of_records_the_writers_keep_the_log_small(
    tmp_path: Path, processes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`processes` writers, each with its own engine as a process has, all the while read."""
    monkeypatch.setattr(log_module, "_WAL_RESTART_FRAMES", 500)  # not ~40 MB: this test writes less
    engines = [_engine(tmp_path)[0] for _ in range(processes)]
    log = _engine(tmp_path)[1]
    migrate(engines[0])
    audits = [AuditLog(engine, wal_checkpoint_seconds=0.05) for engine in engines]
    stop = threading.Event()
    written = [0] * processes

    def read(engine: Engine) -> None:  # the gateway reads the same database all the while
        while not stop.wait(0.001):
            with engine.connect() as connection:
                connection.execute(select(func.count()).select_from(oppslagslogg)).scalar_one()

    def write(number: int) -> None:
        while not stop.is_set():
            audits[number].record(lookup())
            written[number] += 1

    workers = [threading.Thread(target=read, args=(engine,)) for engine in engines]
    workers += [threading.Thread(target=write, args=(number,)) for number in range(processes)]
    for worker in workers:
        worker.start()
    time.sleep(1.5)
    stop.set()
    for worker in workers:
        worker.join()
    size = log.stat().st_size
    for audit, engine in zip(audits, engines, strict=True):
        audit.close()
        engine.dispose()

    assert min(written) > 50
    # Each record's commit writes several pages to the log (~9 measured; without the writers' checkpoints
    # the log grew by that much per record); the log holds fewer than one page per record.
    assert size < sum(written) * _FRAME, (size, written)
