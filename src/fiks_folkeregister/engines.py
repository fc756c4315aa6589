"""Database engines (SQLite or PostgreSQL by URL) and Alembic upgrades, shared by the register and the gateway."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url

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
        url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20, max_overflow=20
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
    """Bring a schema to its newest Alembic revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    # `%` is interpolation syntax in Alembic's config: escape it (a password may hold one).
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
