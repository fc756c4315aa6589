"""`fiks-folkeregister audit person`: who looked up a person, without revealing who else was in the lookup."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from fiks_folkeregister.audit.log import AuditLog, AuditRecord
from fiks_folkeregister.cli import app

PERSON = "06076301709"
OTHER = "01010112345"


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("FIKSREG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FIKSREG_DATABASE_URL", database_url)
    return CliRunner()


def record(engine: Engine, orgnr: str, personer: list[str], hour: int) -> AuditRecord:
    written = AuditRecord(
        tidspunkt=datetime(2026, 11, 1, hour, 0, tzinfo=UTC),
        request_id=f"req-{hour}",
        orgnr=orgnr,
        rolle_id=uuid4(),
        integrasjon_id=uuid4(),
        klient_orgnr="999888771",
        ressurs="POST personer/bulkoppslag",
        parametre={"part": ["navn"]},
        personer=personer,
        utfall="ok",
        status=200,
    )
    AuditLog(engine).record(written)
    return written


def test_audit_person_lists_who_looked_up_the_person(cli: CliRunner, engine: Engine) -> None:
    first = record(engine, "921234562", [PERSON, OTHER], 9)
    record(engine, "921234562", [OTHER], 10)
    second = record(engine, "987654325", [PERSON], 11)

    result = cli.invoke(app, ["audit", "person", PERSON, "--json"])

    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert [(r["orgnr"], r["requestId"], r["rolleId"]) for r in found] == [
        ("921234562", "req-9", str(first.rolle_id)),
        ("987654325", "req-11", str(second.rolle_id)),
    ]
    assert found[0]["integrasjonId"] == str(first.integrasjon_id)
    assert found[0]["tidspunkt"] == "2026-11-01T09:00:00+00:00"
    assert OTHER not in result.stdout  # the person learns who looked, not whom else they looked up

    text = cli.invoke(app, ["audit", "person", PERSON])
    assert text.exit_code == 0
    assert "2026-11-01 09:00:00Z  org 921234562" in text.stdout
    assert "org 987654325" in text.stdout


def test_audit_person_without_lookups_and_with_a_bad_number(cli: CliRunner, engine: Engine) -> None:
    result = cli.invoke(app, ["audit", "person", PERSON])
    assert result.exit_code == 0
    assert "No lookups" in result.stdout
    assert json.loads(cli.invoke(app, ["audit", "person", PERSON, "--json"]).stdout) == []

    bad = cli.invoke(app, ["audit", "person", "123"])
    assert bad.exit_code == 2
    assert "11 digits" in bad.output


def test_audit_person_shows_refused_and_failed_attempts(cli: CliRunner, engine: Engine) -> None:
    log = AuditLog(engine)
    refused = AuditRecord(
        tidspunkt=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
        request_id="req-refused",
        orgnr="921234562",
        rolle_id=uuid4(),
        integrasjon_id=uuid4(),
        klient_orgnr="921234562",
        ressurs="GET personer/{personidentifikator}",
        parametre={"personidentifikator": PERSON, "part": ["legitimasjonsdokument"]},
        personer=(),
        utfall="avvist",
        status=403,
        feilkode="PART_IKKE_TILLATT",
    )
    log.record(refused)
    record(engine, "987654325", [PERSON], 11)

    text = cli.invoke(app, ["audit", "person", PERSON])
    found = json.loads(cli.invoke(app, ["audit", "person", PERSON, "--json"]).stdout)

    assert text.exit_code == 0, text.output
    assert "org 921234562" in text.stdout and "avvist 403 PART_IKKE_TILLATT" in text.stdout
    assert [(r["requestId"], r["utfall"], r["status"], r["feilkode"]) for r in found] == [
        ("req-refused", "avvist", 403, "PART_IKKE_TILLATT"),
        ("req-11", "ok", 200, None),
    ]


def test_audit_person_shows_a_portal_lookup_with_the_case_worker(cli: CliRunner, engine: Engine) -> None:
    api = record(engine, "921234562", [PERSON], 9)
    AuditLog(engine).record(
        AuditRecord(
            tidspunkt=datetime(2026, 11, 1, 10, 0, tzinfo=UTC),
            request_id="portal-10",
            orgnr="921234562",
            rolle_id=api.rolle_id,
            integrasjon_id=None,
            klient_orgnr=None,
            ressurs="GET personer/{personidentifikator}",
            parametre={"personidentifikator": PERSON},
            personer=[PERSON],
            utfall="ok",
            status=200,
            kanal="portal",
            prinsipal="person",
            person_foedselsnummer="13097248022",
            person_navn="Kari Saksbehandler",
            saksnummer="2026/1",
            formaal="Tilsyn",
        )
    )

    found = json.loads(cli.invoke(app, ["audit", "person", PERSON, "--json"]).stdout)
    text = cli.invoke(app, ["audit", "person", PERSON]).stdout

    assert [(r["kanal"], r["prinsipal"], r["personNavn"]) for r in found] == [
        ("api", "integrasjon", None),
        ("portal", "person", "Kari Saksbehandler"),
    ]
    assert (found[1]["personFoedselsnummer"], found[1]["saksnummer"], found[1]["formaal"]) == (
        "13097248022",
        "2026/1",
        "Tilsyn",
    )
    assert "person Kari Saksbehandler (13097248022)  portal" in text and "sak 2026/1" in text
