"""The register's database engine and its Alembic migrations."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from fiks_folkeregister.engines import create_database_engine, upgrade_to_head

MIGRATIONS = Path(__file__).with_name("migrations")


def create_register_engine(url: str) -> Engine:
    """Tuned for the register's workload: many small reads (a large page cache per connection).

    The file is not memory-mapped: a mapping per pooled connection made a served gateway's resident memory
    grow by the file's size again and again (2.0 → 4.6 GiB in a 10-minute soak), while reads measured no
    faster with it (single lookups 211 against 212 µs of CPU, bulk lookups 37.1 against 39.2 ms)."""
    return create_database_engine(url, ("PRAGMA cache_size=-65536",))


def migrate(engine: Engine) -> None:
    """Bring the register's schema to the newest revision (idempotent)."""
    upgrade_to_head(engine, MIGRATIONS)
