"""The gateway's SQLite log is checkpointed by the audit writer between its batches, never inside a commit:
with `checkpoints_in_commits=False` no commit checkpoints (the log grows), and under a steady stream of
records, read meanwhile, the writer's checkpoints keep the log small (it is written from its start again).

The RESTART checkpoints for a log past `_WAL_RESTART_FRAMES` (several processes serving) are not tested
here: a test of two writers in threads proved too timing-dependent on a loaded machine. They were measured
served (`serve --workers 2`): the log stayed under 60 MB, where it had grown by ~25 MB a second."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import Column, Engine, Integer, MetaData, Table, func, insert, select

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


def test_under_a_steady_stream_of_records_the_writer_keeps_the_log_small(tmp_path: Path) -> None:
    engine, log = _engine(tmp_path)
    migrate(engine)
    audit = AuditLog(engine, wal_checkpoint_seconds=0.05)
    stop = threading.Event()
    written = 0

    def read() -> None:  # the gateway reads the same database all the while
        while not stop.wait(0.001):
            with engine.connect() as connection:
                connection.execute(select(func.count()).select_from(oppslagslogg)).scalar_one()

    reader = threading.Thread(target=read)
    reader.start()
    started = time.monotonic()
    while time.monotonic() - started < 1.5:
        audit.record(lookup())
        written += 1
    stop.set()
    reader.join()
    size = log.stat().st_size
    audit.close()
    engine.dispose()

    assert written > 100
    # Each record's commit writes several pages to the log (~9 measured; without the writer's checkpoints
    # the log grew by that much per record); the log holds fewer than one page per record.
    assert size < written * _FRAME, (size, written)
