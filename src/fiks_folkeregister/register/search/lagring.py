"""Writing and updating persons' search-index rows inside the caller's transaction.

Raw DBAPI `executemany` on the caller's connection: the rows are plain values already, and SQLAlchemy's
per-row parameter processing cost more than the database work (seeding and the simulator write many).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table

from fiks_folkeregister.register.raw_sql import placeholder
from fiks_folkeregister.register.search.indeks import IndexRows, index_rows
from fiks_folkeregister.register.tables import soek_adresse, soek_identifikasjon, soek_navn, soek_person

#: Person ids per statement (well under every engine's limit on parameters).
_CHUNK = 500
#: Where a person's rows of each table are in `IndexRows`.
_PARTS = (
    (soek_person, "person"),
    (soek_navn, "navn"),
    (soek_adresse, "adresser"),
    (soek_identifikasjon, "identifikasjoner"),
)
_COLUMNS = {table: [column.name for column in table.columns] for table, _part in _PARTS}
_VALUES = {table: itemgetter(*columns) for table, columns in _COLUMNS.items()}
_PERSON_ID = 0
"""Where person_id is in a row's values (the first column of every index table)."""
if any(columns[_PERSON_ID] != "person_id" for columns in _COLUMNS.values()):
    raise RuntimeError("every search index table must start with person_id")


def _indexed(table: Table) -> set[str]:
    """The columns some index (or the primary key) of the table holds."""
    names = {column.name for column in table.primary_key.columns}
    for index in table.indexes:
        names.update(column.name for column in index.columns)
    return names


def _picker(positions: Sequence[int]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    return lambda values: tuple(values[position] for position in positions)


#: Of a row's values: those some index holds (the key), and the others with their column names.
_KEYS = {
    table: _picker([i for i, column in enumerate(columns) if column in _indexed(table)])
    for table, columns in _COLUMNS.items()
}
_DATA_COLUMNS = {
    table: [c for c in columns if c not in _indexed(table)] for table, columns in _COLUMNS.items()
}
_DATA = {
    table: _picker([i for i, column in enumerate(columns) if column not in _indexed(table)])
    for table, columns in _COLUMNS.items()
}


def _placeholder(connection: Connection) -> str:
    return placeholder(connection.dialect)


def _insert_sql(table: Table, placeholder: str) -> str:
    columns = _COLUMNS[table]
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([placeholder] * len(columns))})"
    )


def write_index(connection: Connection, documents: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    """Insert the index rows of persons that have none yet (person id, document), in bulk."""
    values: dict[Table, list[tuple[Any, ...]]] = {table: [] for table, _part in _PARTS}
    for person_id, document in documents:
        rows = index_rows(person_id, document)
        for table, part in _PARTS:
            values[table] += _values(table, rows, part)
    placeholder = _placeholder(connection)
    cursor = connection.connection.cursor()
    try:
        for table, table_values in values.items():
            if table_values:
                cursor.executemany(_insert_sql(table, placeholder), table_values)
    finally:
        cursor.close()


def update_index(connection: Connection, documents: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    """Make persons' rows those of their new current documents (person id, document), in bulk.

    Only rows that differ from the stored ones are written, and a row whose indexed columns stay the same
    (an address that became history, a death flag) is updated in place: every row inserted or deleted
    costs a page in each index of its table, and a move changes two address rows out of a dozen or so.
    """
    wanted = {person_id: index_rows(person_id, document) for person_id, document in documents}
    if not wanted:
        return
    placeholder = _placeholder(connection)
    same = "IS" if connection.dialect.name == "sqlite" else "IS NOT DISTINCT FROM"
    cursor = connection.connection.cursor()
    try:
        for table, part in _PARTS:
            stored = _stored_values(cursor, placeholder, table, list(wanted))
            plan = _Plan()
            for person_id, rows in wanted.items():
                new_values = _values(table, rows, part)
                old_values = stored.get(person_id, [])
                if new_values != old_values:
                    plan.add(table, old_values, new_values)
            if plan.updates:
                cursor.executemany(_update_sql(table, placeholder, same), plan.updates)
            if plan.deletes:
                cursor.executemany(_delete_sql(table, placeholder, same), plan.deletes)
            if plan.inserts:
                cursor.executemany(_insert_sql(table, placeholder), plan.inserts)
    finally:
        cursor.close()


def _stored_values(
    cursor: Any, placeholder: str, table: Table, person_ids: Sequence[int]
) -> dict[int, list[tuple[Any, ...]]]:
    """The stored rows of these persons in one table, as value tuples by person id."""
    found: dict[int, list[tuple[Any, ...]]] = {}
    columns = ", ".join(_COLUMNS[table])
    for start in range(0, len(person_ids), _CHUNK):
        chunk = person_ids[start : start + _CHUNK]
        marks = ", ".join([placeholder] * len(chunk))
        cursor.execute(f"SELECT {columns} FROM {table.name} WHERE person_id IN ({marks})", chunk)
        for row in cursor.fetchall():
            found.setdefault(row[_PERSON_ID], []).append(tuple(row))
    return found


class _Plan:
    """The statements that turn one table's stored rows into the new ones, for a batch of persons."""

    def __init__(self) -> None:
        self.deletes: list[tuple[Any, ...]] = []
        self.updates: list[tuple[Any, ...]] = []
        self.inserts: list[tuple[Any, ...]] = []

    def add(self, table: Table, old_values: list[tuple[Any, ...]], new_values: list[tuple[Any, ...]]) -> None:
        """One person's rows: delete every copy of a value whose count changes, insert as many as wanted."""
        old_count, new_count = Counter(old_values), Counter(new_values)
        gone = {value: count for value, count in old_count.items() if new_count.get(value) != count}
        came = {value: count for value, count in new_count.items() if old_count.get(value) != count}
        key = _KEYS[table]
        # A value that is replaced by exactly one value with the same indexed columns: update in place.
        single_gone: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        for value, count in gone.items():
            if count == 1 and value not in new_count:
                single_gone.setdefault(key(value), []).append(value)
        single_came: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        for value, count in came.items():
            if count == 1 and value not in old_count:
                single_came.setdefault(key(value), []).append(value)
        data = _DATA[table]
        for indexed, olds in single_gone.items() if _DATA_COLUMNS[table] else ():
            news = single_came.get(indexed)
            if len(olds) == 1 and news is not None and len(news) == 1:
                self.updates.append((*data(news[0]), *olds[0]))
                del gone[olds[0]], came[news[0]]
        self.deletes.extend(gone)
        for value, count in came.items():
            self.inserts.extend([value] * count)


def _values(table: Table, rows: IndexRows, part: str) -> list[tuple[Any, ...]]:
    found = getattr(rows, part)
    values = _VALUES[table]
    return [values(found)] if isinstance(found, dict) else [values(row) for row in found]


def _matching(table: Table, placeholder: str, same: str) -> str:
    """Rows equal to the given values (NULL equal to NULL), found through the person_id index.

    SQLite has no statistics and would pick e.g. the area index for an address; `+column` keeps it off.
    """
    plus = "+" if same == "IS" else ""
    return " AND ".join(
        f"{column} = {placeholder}" if column == "person_id" else f"{plus}{column} {same} {placeholder}"
        for column in _COLUMNS[table]
    )


def _delete_sql(table: Table, placeholder: str, same: str) -> str:
    return f"DELETE FROM {table.name} WHERE {_matching(table, placeholder, same)}"


def _update_sql(table: Table, placeholder: str, same: str) -> str:
    """Set the columns no index holds (so no index is touched) of the rows equal to the given values."""
    assignments = ", ".join(f"{column} = {placeholder}" for column in _DATA_COLUMNS[table])
    return f"UPDATE {table.name} SET {assignments} WHERE {_matching(table, placeholder, same)}"


def replace_index(connection: Connection, person_id: int, document: Mapping[str, Any]) -> None:
    """Make one person's index rows those of `document` (its new current version)."""
    update_index(connection, [(person_id, document)])
