"""The register's database engine and its Alembic migrations."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from fiks_folkeregister.engines import create_database_engine, upgrade_to_head

MIGRATIONS = Path(__file__).with_name("migrations")


def create_register_engine(url: str) -> Engine:
    """Tuned for the register's workload: many small reads (large page cache, memory-mapped file)."""
    return create_database_engine(url, ("PRAGMA cache_size=-65536", "PRAGMA mmap_size=1073741824"))


def migrate(engine: Engine) -> None:
    """Bring the register's schema to the newest revision (idempotent)."""
    upgrade_to_head(engine, MIGRATIONS)
