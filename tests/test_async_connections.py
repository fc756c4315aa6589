"""`AsyncConnections`: many queries waiting at once on the event loop share a few connections."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Float, bindparam, create_engine, func, literal_column, select

from fiks_folkeregister.storage.compiled import AsyncConnections, CompiledSelect
from tests.own_loop import run


@pytest.mark.postgres
def test_at_most_size_connections_serve_many_queries_waiting_at_once(postgres_server: str) -> None:
    engine = create_engine(postgres_server)
    connections = AsyncConnections(engine, size=2)
    query = CompiledSelect(
        engine,
        select(
            literal_column("pg_backend_pid()").label("pid"),
            func.pg_sleep(bindparam("pause", type_=Float)).label("slept"),
        ),
        connections,
    )

    async def ten_at_once() -> list[dict[str, Any]]:
        try:
            return await asyncio.gather(*(query.one_async(pause=0.05) for _ in range(10)))
        finally:
            await connections.close()

    rows = run(ten_at_once())
    engine.dispose()
    assert len(rows) == 10
    assert len({row["pid"] for row in rows}) == 2


def test_a_sqlite_query_has_no_asynchronous_form(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    query = CompiledSelect(engine, select(literal_column("1").label("one")))
    assert not query.asynchronous
    with pytest.raises(RuntimeError, match="PostgreSQL only"):
        run(query.one_async())
    assert query.one() == {"one": 1}
