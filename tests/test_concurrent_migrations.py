"""Several processes starting at once on one PostgreSQL database: each migrates on start, one at a time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import sqlalchemy
from sqlalchemy import text

from fiks_folkeregister.engines import MIGRATION_LOCK
from fiks_folkeregister.register.database import MIGRATIONS as REGISTER_MIGRATIONS
from fiks_folkeregister.storage.database import MIGRATIONS as GATEWAY_MIGRATIONS
from fiks_folkeregister.storage.database import VERSION_TABLE
from tests.conftest import make_postgres_database

pytestmark = pytest.mark.postgres

#: What every process does on start (`serve`, `register serve`): both schemas brought to their head.
START = """
import sys
from fiks_folkeregister.register.database import create_register_engine, migrate as migrate_register
from fiks_folkeregister.storage.database import create_gateway_engine, migrate as migrate_gateway
url = sys.argv[1]
for create, migrate in ((create_register_engine, migrate_register), (create_gateway_engine, migrate_gateway)):
    engine = create(url)
    migrate(engine)
    engine.dispose()
print("migrated")
"""


@pytest.fixture
def fresh_database(postgres_server: str) -> Iterator[str]:
    url, drop = make_postgres_database(postgres_server)
    yield url
    drop()


def _heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return {
        head
        for location in (REGISTER_MIGRATIONS, GATEWAY_MIGRATIONS)
        for head in ScriptDirectory(str(location)).get_heads()
    }


def _waiting_for_the_lock(connection: sqlalchemy.Connection) -> int:
    high, low = MIGRATION_LOCK >> 32, MIGRATION_LOCK & 0xFFFFFFFF
    return int(
        connection.execute(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                "WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database() "
                "AND l.classid = :high AND l.objid = :low"
            ),
            {"high": high, "low": low},
        ).scalar_one()
    )


def test_two_processes_starting_at_once_migrate_one_after_the_other(fresh_database: str) -> None:
    engine = sqlalchemy.create_engine(fresh_database, isolation_level="AUTOCOMMIT")
    processes: list[subprocess.Popen[str]] = []
    try:
        with engine.connect() as holder:
            # Hold the lock the upgrades take, start both processes, and let them go at the same moment.
            holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            for _ in range(2):
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-c", START, fresh_database],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                        env=os.environ.copy(),
                    )
                )
            deadline = time.monotonic() + 120
            while _waiting_for_the_lock(holder) < 2:
                assert all(p.poll() is None for p in processes), (
                    "a process ended without waiting for the lock"
                )
                assert time.monotonic() < deadline, "the processes never waited for the migration lock"
                time.sleep(0.05)
            holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
        outcomes = [p.communicate(timeout=120) for p in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    for process, (out, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, err[-3000:]
        assert out.strip() == "migrated"
    with engine.connect() as connection:
        versions = {
            table: connection.execute(text(f"SELECT version_num FROM {table}")).scalars().all()
            for table in ("alembic_version", VERSION_TABLE)
        }
        tables = set(sqlalchemy.inspect(connection).get_table_names())
    engine.dispose()
    assert {v for found in versions.values() for v in found} == _heads()
    assert all(len(found) == 1 for found in versions.values())
    assert {"person", "organisasjon", "integrasjon", "oppslagslogg"} <= tables
