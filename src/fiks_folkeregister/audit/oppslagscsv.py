"""A page of the lookup log as a table: the rows the page shows, and the same rows as CSV (pure).

The page and its CSV download are made from the same `Tabellrad`s, so the file holds exactly what the
page shows; the persons looked up appear masked in both (birth date only). The CSV is RFC 4180 (comma, CRLF, a header row, quotes doubled) in UTF-8. A cell a caller or
an administrator wrote (a name, a case reference) that begins like a formula (`=`, `+`, `-`, `@`, a tab or
a carriage return) is prefixed with an apostrophe, so a spreadsheet shows it as text and never runs it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass, fields
from uuid import UUID

from fiks_folkeregister.audit import kjede
from fiks_folkeregister.audit.oppslagssoek import Oppslag, parts_asked


@dataclass(frozen=True, slots=True)
class Tabellrad:
    """One record as the lookup log's page and CSV show it (the field names are the CSV's header)."""

    tidspunkt: str
    utfall: str
    status: str
    feilkode: str
    ressurs: str
    deler: str
    rolle: str
    kanal: str
    prinsipal: str
    hvem: str
    personer: str
    saksnummer: str
    formaal: str
    request_id: str


HEADER = tuple(field.name for field in fields(Tabellrad))
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def table_row(oppslag: Oppslag, roles: Mapping[UUID, str], integrations: Mapping[UUID, str]) -> Tabellrad:
    """The record in words: the role and integration by name (their id when no longer known)."""
    record = oppslag.record
    if record.prinsipal == kjede.PERSON:
        who = record.person_navn or ""
    elif record.integrasjon_id is not None:
        who = integrations.get(record.integrasjon_id, str(record.integrasjon_id))
    else:
        who = ""
    role = roles.get(record.rolle_id, str(record.rolle_id)) if record.rolle_id is not None else ""
    return Tabellrad(
        tidspunkt=record.tidspunkt.isoformat(timespec="seconds"),
        utfall=record.utfall,
        status=str(record.status),
        feilkode=record.feilkode or "",
        ressurs=record.ressurs,
        deler=" ".join(parts_asked(record)),
        rolle=role,
        kanal=record.kanal,
        prinsipal=record.prinsipal,
        hvem=who,
        personer=" ".join(masked(number) for number in record.personer),
        saksnummer=record.saksnummer or "",
        formaal=record.formaal or "",
        request_id=record.request_id,
    )


def masked(identifikator: str) -> str:
    """An identity number shown by its birth-date part only (`060763*****`): enough to tell lookups apart
    on a page or in a file passed around; the full number is what one searches by."""
    return identifikator[:6] + "*****" if len(identifikator) == 11 else "*****"


def safe_cell(value: str) -> str:
    """The value as a spreadsheet may show it: a leading formula character is made text with `'`."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def to_csv(rows: Iterable[Tabellrad]) -> str:
    """The rows as CSV with a header row (RFC 4180), every cell guarded against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in astuple(row)])
    return buffer.getvalue()
