"""Database engines (SQLite or PostgreSQL by URL) and Alembic upgrades, shared by the register and the gateway."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text

#: The PostgreSQL advisory lock every schema upgrade of this project holds (any 64-bit number of our own).
MIGRATION_LOCK = 0x66696B737265670
#: How long a SQLite connection waits for another connection's write lock.
SQLITE_BUSY_TIMEOUT_SECONDS = 30
_SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON")


def create_database_engine(url: str, extra_sqlite_pragmas: Sequence[str] = ()) -> Engine:
    """A pooled engine: SQLite in WAL mode (directory created), or any other URL as given."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No pre-ping: it costs a round trip on every checkout; recycling bounds stale connections instead.
        return create_engine(url, pool_size=20, max_overflow=20, pool_recycle=1800)
    if parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        pool_size=20,
        max_overflow=20,
    )
    pragmas = (*_SQLITE_PRAGMAS, *extra_sqlite_pragmas)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    event.listen(engine, "connect", on_connect)
    return engine


def upgrade_to_head(engine: Engine, script_location: Path) -> None:
    """Bring a schema to its newest Alembic revision (idempotent).

    Safe when several processes or hosts start at once: on PostgreSQL each upgrade holds a transaction-
    scoped advisory lock (`MIGRATION_LOCK`) for its whole transaction, so the others wait, then find the
    schema at its head and do nothing. (SQLite serialises writers itself: a database file has one host.)
    """
    config = Config()
    config.set_main_option("script_location", str(script_location))
    # `%` is interpolation syntax in Alembic's config: escape it (a password may hold one).
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    if engine.dialect.name == "sqlite":
        _upgrade_sqlite(engine, config)
        return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _upgrade_sqlite(engine: Engine, config: Config) -> None:
    """SQLite changes most columns by rebuilding the table (Alembic's batch mode: copy, drop, rename), and
    with foreign keys on, as this project's engines have them, dropping a table that others refer to fails.
    So, as SQLite's documentation prescribes for schema changes: foreign keys off for the upgrade (the pragma
    only takes effect outside a transaction), every reference checked before it commits, then on again."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the schema upgrade would leave {len(broken)} broken references")
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
