"""A lookup log page as CSV: well-formed, a header row, exactly the page's rows, no formula gets in."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from uuid import uuid4

from fiks_folkeregister.audit import kjede
from fiks_folkeregister.audit.log import AuditRecord
from fiks_folkeregister.audit.oppslagscsv import HEADER, safe_cell, table_row, to_csv
from fiks_folkeregister.audit.oppslagssoek import Oppslag

ROLE, SYSTEM = uuid4(), uuid4()


def record(**changes: object) -> AuditRecord:
    fields: dict[str, object] = {
        "tidspunkt": datetime(2026, 11, 1, 12, 0, 5, tzinfo=UTC),
        "request_id": "r-1",
        "orgnr": "921234562",
        "rolle_id": ROLE,
        "integrasjon_id": SYSTEM,
        "klient_orgnr": None,
        "ressurs": "GET personer/{personidentifikator}",
        "parametre": {"part": ["navn", "historikk"]},
        "personer": ("06076301709",),
        "utfall": "ok",
        "status": 200,
    }
    fields.update(changes)
    return AuditRecord(**fields)  # type: ignore[arg-type]


def test_a_row_names_role_and_integration_and_what_was_asked() -> None:
    row = table_row(Oppslag(1, record()), {ROLE: "Barnevern"}, {SYSTEM: "Fagsystem"})
    assert (row.tidspunkt, row.rolle, row.hvem, row.deler, row.personer) == (
        "2026-11-01T12:00:05+00:00",
        "Barnevern",
        "Fagsystem",
        "navn historikk",
        "060763*****",
    )
    gone = table_row(Oppslag(1, record()), {}, {})
    assert (gone.rolle, gone.hvem) == (str(ROLE), str(SYSTEM))  # deleted since: the id stays readable


def test_the_csv_holds_a_header_and_exactly_the_rows_with_formulas_made_text() -> None:
    worker = record(
        integrasjon_id=None,
        kanal="portal",
        prinsipal=kjede.PERSON,
        person_foedselsnummer="06076301709",
        person_navn='=HYPERLINK("http://x","klikk")',
        saksnummer='+2026/17, "hast"\nlinje 2',
        formaal="@SUM(A1)",
    )
    rows = [table_row(Oppslag(2, worker), {}, {}), table_row(Oppslag(1, record()), {ROLE: "-rolle"}, {})]

    parsed = list(csv.reader(io.StringIO(to_csv(rows), newline="")))

    assert parsed[0] == list(HEADER)
    assert len(parsed) == 3
    first = dict(zip(HEADER, parsed[1], strict=True))
    assert first["hvem"] == '\'=HYPERLINK("http://x","klikk")'
    assert first["saksnummer"] == '\'+2026/17, "hast"\nlinje 2'
    assert first["formaal"] == "'@SUM(A1)"
    assert dict(zip(HEADER, parsed[2], strict=True))["rolle"] == "'-rolle"
    assert to_csv(rows).endswith("\r\n")


def test_only_a_leading_formula_character_is_guarded() -> None:
    assert [safe_cell(v) for v in ("a=b", "2026-11-01", "\tx", "\rx", "")] == [
        "a=b",
        "2026-11-01",
        "'\tx",
        "'\rx",
        "",
    ]
