"""Reading rows through the driver: one helper for the register's hot reads, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from fiks_folkeregister.engines import create_database_engine
from fiks_folkeregister.register.raw_sql import marks, placeholder, positional, read_rows


def test_placeholders_follow_the_driver() -> None:
    sql = "SELECT a FROM t WHERE b = ? AND c IN (?, ?)"

    assert positional(sql, sqlite.dialect()) == sql
    assert positional(sql, postgresql.psycopg.dialect()) == "SELECT a FROM t WHERE b = %s AND c IN (%s, %s)"
    assert (placeholder(sqlite.dialect()), placeholder(postgresql.psycopg.dialect())) == ("?", "%s")
    assert marks(3) == "?, ?, ?" and marks(1) == "?"


def test_rows_are_read_on_each_engine_and_the_connection_goes_back_to_the_pool(database_url: str) -> None:
    engine = create_database_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER, navn TEXT)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1, 'Kari'), (2, 'Ola'), (3, 'Åse')")

    rows = read_rows(engine, f"SELECT id, navn FROM t WHERE id IN ({marks(2)}) ORDER BY id", [3, 1])

    assert [tuple(row) for row in rows] == [(1, "Kari"), (3, "Åse")]
    assert read_rows(engine, "SELECT count(*) FROM t")[0][0] == 3
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    engine.dispose()
