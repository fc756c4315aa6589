"""The gateway's database engine and its Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from fiks_folkeregister.engines import create_database_engine, upgrade_to_head

MIGRATIONS = Path(__file__).with_name("migrations")
#: Its own version table, so the gateway's schema can share a database with the register's.
VERSION_TABLE = "alembic_version_gateway"


#: For SQLite connections whose commits must not checkpoint the write-ahead log.
_NO_CHECKPOINTS_IN_COMMITS = "PRAGMA wal_autocheckpoint=0"


def create_gateway_engine(url: str, *, checkpoints_in_commits: bool = True) -> Engine:
    """For the gateway's workload: a lookup and an audit insert per request, rare config writes. Without
    `checkpoints_in_commits`, a SQLite log is checkpointed only by the audit writer, between its batches
    (`AuditLog._checkpoint_wal`): for the gateway's own process, whose writer runs while it serves."""
    pragmas = () if checkpoints_in_commits else (_NO_CHECKPOINTS_IN_COMMITS,)
    return create_database_engine(url, extra_sqlite_pragmas=pragmas)


def migrate(engine: Engine) -> None:
    """Bring the gateway's schema to the newest revision (idempotent)."""
    upgrade_to_head(engine, MIGRATIONS)


def as_utc(moment: datetime) -> datetime:
    """A stored time as timezone-aware UTC (SQLite hands back naive datetimes that were stored as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
