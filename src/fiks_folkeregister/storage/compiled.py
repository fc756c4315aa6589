"""A per-request query of the gateway, compiled once and run on the database driver's own connection.

SQLAlchemy's execution machinery (connection wrapper, transaction, result object, row mapping) costs many
times a short indexed query itself (measured ~1 ms against ~60 µs on a bare `sqlite3` connection under
load). A `CompiledSelect` keeps the Core statement as the one source of truth: it is compiled once for
the engine's dialect (`storage.driver.Statement`, as the audit writer's statements are), and each call
binds, converts and reads with the column types' own processors, so values come back as
`connection.execute` would give them (UUIDs, JSON, booleans), uncached.

On PostgreSQL the query runs in autocommit mode: no transaction is left open, so handing the connection
back to the pool costs no `ROLLBACK` round trip. There it can also run on the event loop without blocking
it (`one_async`), on psycopg's asynchronous connections (`AsyncConnections`).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import Any

import psycopg
from sqlalchemy import Engine, Select

from fiks_folkeregister.storage.driver import Statement

#: Asynchronous connections per event loop: as many queries as may wait on the database at once.
ASYNC_CONNECTIONS = 8
#: The `application_name` of the asynchronous connections.
APPLICATION_NAME = "fiks-folkeregister async"


class AsyncConnections:
    """A few psycopg `AsyncConnection`s to the engine's PostgreSQL database, in autocommit mode, for the
    event loop that uses them (a connection belongs to one loop: each loop gets its own, made as needed).

    A connection whose query failed is closed, not reused (the database may have restarted); the next
    query makes a new one. They are named `APPLICATION_NAME` in `pg_stat_activity`. `close` closes the
    running loop's connections (at shutdown).
    """

    def __init__(self, engine: Engine, size: int = ASYNC_CONNECTIONS) -> None:
        arguments, keywords = engine.dialect.create_connect_args(engine.url)
        # Named, so an operator sees them apart in pg_stat_activity (unless the URL names its connections).
        keywords = {"application_name": APPLICATION_NAME, **keywords, "autocommit": True}
        self._connect_arguments = (tuple(arguments), keywords)
        self._size = size
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopConnections] = (
            weakref.WeakKeyDictionary()
        )

    async def fetchone(self, sql: str, arguments: Any) -> tuple[Any, ...] | None:
        """The first row of one statement, run on an idle connection of this loop (waiting for one if all
        are busy)."""
        loop = asyncio.get_running_loop()
        connections = self._loops.get(loop)
        if connections is None:
            connections = self._loops[loop] = _LoopConnections(self._size)
        connection = await connections.take(self._connect)
        try:
            cursor = await connection.execute(sql, arguments)
            row = await cursor.fetchone()
        except BaseException:
            connections.discard()
            await _close_quietly(connection)
            raise
        connections.give_back(connection)
        return row

    async def close(self) -> None:
        """Close the running loop's idle connections."""
        connections = self._loops.pop(asyncio.get_running_loop(), None)
        if connections is not None:
            for connection in connections.drain():
                await _close_quietly(connection)

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        arguments, keywords = self._connect_arguments
        return await psycopg.AsyncConnection.connect(*arguments, **keywords)


class _LoopConnections:
    """One loop's connections: the idle ones, and a count of those in use (at most `size` in use)."""

    def __init__(self, size: int) -> None:
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._in_use = asyncio.Semaphore(size)

    async def take(self, connect: Any) -> psycopg.AsyncConnection[Any]:
        await self._in_use.acquire()
        if self._idle:
            return self._idle.pop()
        try:
            return await connect()  # type: ignore[no-any-return]
        except BaseException:
            self._in_use.release()
            raise

    def give_back(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._idle.append(connection)
        self._in_use.release()

    def discard(self) -> None:
        """A connection taken is gone (closed by the caller)."""
        self._in_use.release()

    def drain(self) -> list[psycopg.AsyncConnection[Any]]:
        idle, self._idle = self._idle, []
        return idle


async def _close_quietly(connection: psycopg.AsyncConnection[Any]) -> None:
    """Close a connection being dropped (a broken one may fail to; the error that broke it is raised)."""
    with contextlib.suppress(Exception):
        await connection.close()


class CompiledSelect:
    """One `SELECT` returning one row, by keyword parameters; the row as a dict by column key."""

    def __init__(
        self, engine: Engine, statement: Select[Any], connections: AsyncConnections | None = None
    ) -> None:
        """``connections``: where `one_async` runs the query (PostgreSQL only)."""
        self._engine = engine
        self._statement = Statement(engine.dialect, statement)
        self._autocommit = engine.dialect.name == "postgresql"
        self._connections = connections

    @property
    def asynchronous(self) -> bool:
        """Whether `one_async` can run the query without blocking the event loop."""
        return self._connections is not None

    async def one_async(self, **parameters: Any) -> dict[str, Any]:
        """`one` on the event loop, without blocking it (only where `asynchronous`)."""
        if self._connections is None:
            raise RuntimeError("this query has no asynchronous connections (PostgreSQL only)")
        row = await self._connections.fetchone(self._statement.sql, self._statement.parameters(parameters))
        if row is None:
            raise LookupError("the query returned no row")
        return self._statement.row(row)

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
