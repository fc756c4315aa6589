"""Writing and removing a person's search-index rows inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, insert

from fiks_folkeregister.register.search.indeks import IndexRows, index_rows
from fiks_folkeregister.register.tables import soek_adresse, soek_identifikasjon, soek_navn, soek_person

#: Child tables first, so a delete never trips over a row that points at another.
_BY_PERSON = (soek_navn, soek_adresse, soek_identifikasjon, soek_person)


def write_index(connection: Connection, documents: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    """Insert the index rows of new persons (person id, document) in bulk."""
    all_rows: Sequence[IndexRows] = [index_rows(person_id, document) for person_id, document in documents]
    if not all_rows:
        return
    connection.execute(insert(soek_person), [rows.person for rows in all_rows])
    for table, table_rows in (
        (soek_navn, [row for rows in all_rows for row in rows.navn]),
        (soek_adresse, [row for rows in all_rows for row in rows.adresser]),
        (soek_identifikasjon, [row for rows in all_rows for row in rows.identifikasjoner]),
    ):
        if table_rows:
            connection.execute(insert(table), table_rows)


def delete_index(connection: Connection, person_ids: Sequence[int]) -> None:
    """Remove every index row of these persons."""
    if not person_ids:
        return
    for table in _BY_PERSON:
        connection.execute(table.delete().where(table.c.person_id.in_(list(person_ids))))


def replace_index(connection: Connection, person_id: int, document: Mapping[str, Any]) -> None:
    """Make one person's index rows those of `document` (its new current version)."""
    delete_index(connection, [person_id])
    write_index(connection, [(person_id, document)])
