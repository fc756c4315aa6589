"""A transaction of Core statements run on the database driver's own connection (for the audit writer).

SQLAlchemy's execution machinery (connection and transaction wrappers, compiled-statement contexts, result
objects) costs several times what the driver does for a short statement. A `Statement` keeps the Core
statement as the one source of its SQL: compiled once for the engine's dialect, its parameters bound with
the column types' own processors and its rows read with theirs, so what is stored and read is what
`Connection.execute` would store and read. A `Transaction` runs such statements on one pooled driver
connection until its `commit`; left without one, or by an error, it is rolled back.

On PostgreSQL (psycopg), `Transaction.pipeline` sends the statements inside it in one round trip (psycopg's
pipeline mode; the `BEGIN` the driver starts a transaction with, or the `COMMIT`, travels with them), and
`executemany` uses a pipeline of its own; on SQLite statements run in-process, so it does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Dialect, Engine, Select
from sqlalchemy.sql.expression import Executable

_Processor = Callable[[Any], Any] | None


class Statement:
    """One Core statement compiled for a dialect; `column_keys` names the columns an INSERT sets (all else
    is left to the database, as `Connection.execute` with such parameters would)."""

    def __init__(
        self, dialect: Dialect, statement: Executable, column_keys: Sequence[str] | None = None
    ) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)  # type: ignore[attr-defined]
        self.sql: str = compiled.string
        self._order = tuple(compiled.positiontup or ()) if compiled.positional else None
        self._binds: dict[str, _Processor] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        columns = statement.selected_columns if isinstance(statement, Select) else ()
        self._columns: tuple[tuple[str, _Processor], ...] = tuple(
            (column.key, column.type.dialect_impl(dialect).result_processor(dialect, None))
            for column in columns
        )

    def parameters(self, values: Mapping[str, Any]) -> Any:
        """The driver's parameters for these values (by name or in order, as the dialect's SQL has them)."""
        bound = {
            name: process(values[name]) if process is not None else values[name]
            for name, process in self._binds.items()
        }
        return bound if self._order is None else tuple(bound[name] for name in self._order)

    def row(self, row: Sequence[Any]) -> dict[str, Any]:
        """A row the statement returned, as a dict by column key, each value read by its column's type."""
        return {
            key: process(value) if process is not None else value
            for (key, process), value in zip(self._columns, row, strict=True)
        }


class Transaction:
    """Statements on one driver connection, all in one transaction."""

    def __init__(self, driver: Any) -> None:
        self._driver = driver
        self._pipelined = hasattr(driver, "pipeline")  # psycopg's; sqlite3 has none
        self.committed = False

    def execute(self, statement: Statement, values: Mapping[str, Any]) -> Any:
        """Run the statement once; the driver's cursor (its `rowcount`, `lastrowid`, rows) is returned."""
        cursor = self._driver.cursor()
        cursor.execute(statement.sql, statement.parameters(values))
        return cursor

    def executemany(self, statement: Statement, rows: Iterable[Mapping[str, Any]]) -> None:
        """Run the statement once per row (in one round trip on PostgreSQL)."""
        cursor = self._driver.cursor()
        cursor.executemany(statement.sql, [statement.parameters(values) for values in rows])
        cursor.close()

    def rows(self, statement: Statement, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        cursor = self.execute(statement, values)
        found = [statement.row(row) for row in cursor.fetchall()]
        cursor.close()
        return found

    def pipeline(self) -> contextlib.AbstractContextManager[Any]:
        """On PostgreSQL, what runs inside is sent at once and its results are there when it ends."""
        return self._driver.pipeline() if self._pipelined else contextlib.nullcontext()

    def commit(self) -> None:
        self._driver.commit()
        self.committed = True

    def rollback(self) -> None:
        """Undo everything so far; the statements after it run in a new transaction."""
        self._driver.rollback()


@contextlib.contextmanager
def transaction(engine: Engine) -> Iterator[Transaction]:
    """A transaction on a pooled connection: rolled back unless the block commits it (and if it raises)."""
    connection = engine.raw_connection()
    try:
        transaction = Transaction(connection.driver_connection)
        try:
            yield transaction
        finally:
            if not transaction.committed:
                _roll_back(connection)
    finally:
        connection.close()


def _roll_back(connection: Any) -> None:
    """Roll back; a connection too broken for that (the database went away) is dropped from the pool, and
    whatever broke it is what the caller sees."""
    try:
        connection.driver_connection.rollback()
    except Exception:
        connection.invalidate()
