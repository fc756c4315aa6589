"""Statements through the database driver (DBAPI), past SQLAlchemy's statement and result machinery.

The register's hot paths (lookups, the feed, extracts, the simulator's batches, the search index) read
and write plain values, where SQLAlchemy's per-row machinery costs several times the query itself
(measured ~4x on a lookup). They write their SQL with `?` placeholders; `positional` turns those into
the driver's own (`%s` for psycopg), so one statement serves SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Dialect, Engine


def placeholder(dialect: Dialect) -> str:
    """The driver's positional placeholder: `?` (sqlite3) or `%s` (psycopg)."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


def positional(sql: str, dialect: Dialect) -> str:
    """`sql`, written with `?` placeholders, in the driver's placeholders (so no literal `?` in it)."""
    return sql if dialect.paramstyle == "qmark" else sql.replace("?", placeholder(dialect))


def marks(count: int) -> str:
    """`?, ?, …` for an `IN (…)` list of `count` values."""
    return ", ".join(["?"] * count)


def read_rows(engine: Engine, sql: str, values: Sequence[Any] = ()) -> list[Any]:
    """Every row of one query (`?` placeholders), on a pooled driver connection returned at once."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(positional(sql, engine.dialect), list(values))
        rows = cursor.fetchall()
        cursor.close()
        return rows
    finally:
        connection.close()
