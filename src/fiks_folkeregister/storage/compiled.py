"""A per-request query of the gateway, compiled once and run on the database driver's own connection.

SQLAlchemy's execution machinery (connection wrapper, transaction, result object, row mapping) costs many
times a short indexed query itself (measured ~1 ms against ~60 µs on a bare `sqlite3` connection under
load). A `CompiledSelect` keeps the Core statement as the one source of truth: it is compiled once for
the engine's dialect (`storage.driver.Statement`, as the audit writer's statements are), and each call
binds, converts and reads with the column types' own processors, so values come back as
`connection.execute` would give them (UUIDs, JSON, booleans), uncached.

On PostgreSQL the query runs in autocommit mode: no transaction is left open, so handing the connection
back to the pool costs no `ROLLBACK` round trip.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Select

from fiks_folkeregister.storage.driver import Statement


class CompiledSelect:
    """One `SELECT` returning one row, by keyword parameters; the row as a dict by column key."""

    def __init__(self, engine: Engine, statement: Select[Any]) -> None:
        self._engine = engine
        self._statement = Statement(engine.dialect, statement)
        self._autocommit = engine.dialect.name == "postgresql"

    def one(self, **parameters: Any) -> dict[str, Any]:
        """The one row for these parameters (each statement here is built to return exactly one)."""
        arguments = self._statement.parameters(parameters)
        connection = self._engine.raw_connection()
        try:
            driver = connection.dbapi_connection
            if self._autocommit:
                driver.autocommit = True  # type: ignore[union-attr]
            try:
                cursor = connection.cursor()
                cursor.execute(self._statement.sql, arguments)
                row = cursor.fetchone()
                cursor.close()
            finally:
                if self._autocommit:
                    driver.autocommit = False  # type: ignore[union-attr]
        finally:
            connection.close()
        if row is None:
            raise LookupError("the query returned no row")
        return self._statement.row(row)
