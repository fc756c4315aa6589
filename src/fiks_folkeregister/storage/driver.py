"""A transaction of Core statements run on the database driver's own connection (for the audit writer).

SQLAlchemy's execution machinery (connection and transaction wrappers, compiled-statement contexts, result
objects) costs several times what the driver does for a short statement. A `Statement` keeps the Core
statement as the one source of its SQL: compiled once for the engine's dialect, its parameters bound with
the column types' own processors and its rows read with theirs, so what is stored and read is what
`Connection.execute` would store and read. A `Transaction` runs such statements on one pooled driver
connection until its `commit`; left without one, or by an error, it is rolled back.

On PostgreSQL (psycopg) statements are sent in pipeline mode, without waiting for their results, and the
one round trip is taken where a result is needed (`sync`, reading rows, `commit`): the `BEGIN` travels with
the first statements and the `COMMIT` with the last, so a transaction that reads once before it writes
takes two. An error of any statement surfaces there too. On SQLite each statement runs when it is called.
`alone` runs one PostgreSQL statement as a transaction of its own (autocommit): one round trip, no BEGIN.
"""

from __future__ import annotations

import contextlib
import operator
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
        self._named = not compiled.positional
        self._names: tuple[str, ...] = tuple(compiled.binds) if self._named else tuple(compiled.positiontup)
        self._processors: tuple[_Processor, ...] = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self._names
        )
        self._plain = all(process is None for process in self._processors)
        self._values = _getter(self._names)
        columns = statement.selected_columns if isinstance(statement, Select) else ()
        self._columns: tuple[tuple[str, _Processor], ...] = tuple(
            (column.key, column.type.dialect_impl(dialect).result_processor(dialect, None))
            for column in columns
        )

    @property
    def names(self) -> tuple[str, ...]:
        """The statement's parameters' names, in the order `bound` gives their values."""
        return self._names

    def bound(self, values: Mapping[str, Any]) -> Sequence[Any]:
        """The values of the statement's parameters in order, each bound by its type as the driver takes it."""
        ordered = self._values(values)
        if self._plain:
            return ordered
        return [
            value if process is None else process(value)
            for process, value in zip(self._processors, ordered, strict=True)
        ]

    def parameters(self, values: Mapping[str, Any]) -> Any:
        """The driver's parameters for these values (by name or in order, as the dialect's SQL has them)."""
        ordered = self.bound(values)
        return dict(zip(self._names, ordered, strict=True)) if self._named else ordered

    def row(self, row: Sequence[Any]) -> dict[str, Any]:
        """A row the statement returned, as a dict by column key, each value read by its column's type."""
        return {
            key: process(value) if process is not None else value
            for (key, process), value in zip(self._columns, row, strict=True)
        }


def _getter(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Sequence[Any]]:
    """The values of `names` from a mapping, in that order."""
    if len(names) > 1:
        return operator.itemgetter(*names)  # type: ignore[return-value]
    return lambda values: tuple(values[name] for name in names)


class Transaction:
    """Statements on one driver connection, all in one transaction (a new one after `rollback`)."""

    def __init__(self, driver: Any) -> None:
        self._driver = driver
        #: psycopg's connection, in autocommit mode: this sends BEGIN and COMMIT (sqlite3's has no pipeline).
        self._postgresql = hasattr(driver, "pipeline")
        self._pipeline = contextlib.ExitStack()
        self._sending = False  # in pipeline mode, results not yet fetched
        self._begun = False

    def execute(self, statement: Statement, values: Mapping[str, Any]) -> Any:
        """Run the statement once; the driver's cursor is returned (its `rowcount` after `sync`)."""
        cursor = self._cursor()
        cursor.execute(statement.sql, statement.parameters(values))
        return cursor

    def executemany(self, statement: Statement, rows: Iterable[Mapping[str, Any]]) -> Any:
        """Run the statement once per row; the cursor's `rowcount` (after `sync`) counts every row's."""
        cursor = self._cursor()
        cursor.executemany(statement.sql, [statement.parameters(values) for values in rows])
        return cursor

    def execute_sql(self, sql: str, parameters: Mapping[str, Any]) -> Any:
        """Run SQL written for the driver (PostgreSQL's `%(name)s` parameters, values as the driver takes
        them) in this transaction, as `execute` runs a statement."""
        cursor = self._cursor()
        cursor.execute(sql, parameters)
        return cursor

    def alone(self, sql: str, parameters: Mapping[str, Any]) -> None:
        """PostgreSQL: run one statement as a transaction of its own, in one round trip (nothing may have
        been sent in this transaction yet); an error of it is raised here, and nothing of it stays."""
        assert self._postgresql and not self._begun and not self._sending
        self._driver.execute(sql, parameters, binary=True)

    def rows(self, statement: Statement, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The rows the statement returns (waiting for them, and for everything sent before)."""
        cursor = self.execute(statement, values)
        self.sync()
        return [statement.row(row) for row in cursor.fetchall()]

    def sync(self) -> None:
        """Wait until every statement sent so far has run (PostgreSQL; raises the first one's error)."""
        if self._sending:
            self._sending = False
            self._pipeline.close()

    def commit(self) -> None:
        """Commit, and wait until it is done (on PostgreSQL in the round trip of the statements before it)."""
        if self._postgresql:
            if self._begun:
                self._cursor().execute("COMMIT")
                self.sync()
        else:
            self._driver.commit()
        self._begun = False

    def rollback(self) -> None:
        """Undo everything so far; the statements after it run in a new transaction."""
        self.close()
        self._driver.rollback()
        self._begun = False

    def close(self) -> None:
        """Stop sending: whatever was sent and not synced is left to the rollback that follows."""
        if self._sending:
            self._sending = False
            with contextlib.suppress(Exception):
                self._pipeline.close()

    def _cursor(self) -> Any:
        cursor = self._driver.cursor()
        if self._postgresql and not self._sending:
            self._pipeline.enter_context(self._driver.pipeline())
            self._sending = True
        if self._postgresql and not self._begun:
            cursor.execute("BEGIN")
            self._begun = True
        return cursor


@contextlib.contextmanager
def transaction(engine: Engine) -> Iterator[Transaction]:
    """A transaction on a pooled connection: rolled back unless the block commits it (and if it raises).

    If the connection turns out to be gone (the database restarted), so are the pool's others: the pool is
    replaced, as `Connection.execute` does on such an error, so only this transaction fails of it.
    """
    connection = engine.raw_connection()
    driver = connection.driver_connection
    transaction = Transaction(driver)
    postgresql = hasattr(driver, "pipeline")
    try:
        if postgresql:
            driver.autocommit = True  # type: ignore[union-attr]
        yield transaction
    except Exception as error:
        if engine.dialect.is_disconnect(error, driver, None):  # type: ignore[arg-type]
            connection.invalidate(error)
            engine.dispose()
        raise
    finally:
        transaction.close()
        if connection.is_valid:
            _roll_back(connection)  # nothing to undo after a commit (and no round trip)
        if connection.is_valid and postgresql:
            driver.autocommit = False  # type: ignore[union-attr]
        connection.close()


def _roll_back(connection: Any) -> None:
    """Roll back; a connection too broken for that is dropped from the pool (whatever broke it is what the
    caller sees)."""
    try:
        connection.driver_connection.rollback()
    except Exception:
        connection.invalidate()
