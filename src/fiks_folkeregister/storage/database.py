"""The gateway's database engine and its Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from fiks_folkeregister.engines import create_database_engine, upgrade_to_head

MIGRATIONS = Path(__file__).with_name("migrations")
#: Its own version table, so the gateway's schema can share a database with the register's.
VERSION_TABLE = "alembic_version_gateway"


def create_gateway_engine(url: str) -> Engine:
    """For the gateway's workload: a lookup and an audit insert per request, rare config writes."""
    return create_database_engine(url)


def migrate(engine: Engine) -> None:
    """Bring the gateway's schema to the newest revision (idempotent)."""
    upgrade_to_head(engine, MIGRATIONS)


def as_utc(moment: datetime) -> datetime:
    """A stored time as timezone-aware UTC (SQLite hands back naive datetimes that were stored as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
