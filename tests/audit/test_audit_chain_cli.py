"""`fiks-folkeregister audit verify|export|public-key|prune`: what an operator and an auditor run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine, insert, text
from typer.testing import CliRunner

from fiks_folkeregister.app import build_admin
from fiks_folkeregister.audit.log import AuditRecord
from fiks_folkeregister.cli import app
from fiks_folkeregister.settings import Settings
from fiks_folkeregister.storage.tables import organisasjon

ORG = "921234562"
PERSON = "06076301709"


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("FIKSREG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FIKSREG_DATABASE_URL", database_url)
    return CliRunner()


def fill(days_ago: list[int]) -> None:
    """Records written the way the gateway writes them (its settings, its key)."""
    admin = build_admin(Settings())
    with admin.engine.begin() as connection:
        connection.execute(
            insert(organisasjon).values(orgnr=ORG, navn=f"Org {ORG}", opprettet=datetime.now(UTC))
        )
    now = datetime.now(UTC)
    for number, days in enumerate(days_ago):
        admin.audit.record(
            AuditRecord(
                tidspunkt=now - timedelta(days=days),
                request_id=f"req-{number}",
                orgnr=ORG,
                rolle_id=uuid4(),
                integrasjon_id=uuid4(),
                klient_orgnr=ORG,
                ressurs="GET personer/{personidentifikator}",
                parametre={"personidentifikator": PERSON},
                personer=(PERSON,),
                utfall="ok",
                status=200,
            )
        )
    admin.audit.close()
    admin.engine.dispose()


def test_verify_passes_then_names_the_changed_record(cli: CliRunner, engine: Engine) -> None:
    fill([3, 2, 1])

    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert (
        f"ok      chain {ORG}: records 1–3 hold, 1 signed checkpoint(s), the newest at record 3"
        in result.stdout
    )

    with engine.begin() as connection:
        connection.execute(text("UPDATE oppslagslogg SET feilkode = 'X' WHERE sekvens = 2"))
    result = cli.invoke(app, ["audit", "verify", "--org", ORG])
    assert result.exit_code == 1
    assert f"FAILED  chain {ORG}: record 2 (id " in result.stdout
    assert "request req-1): its content does not match its chain value" in result.stdout


def test_export_and_verify_the_file_with_the_public_key(
    cli: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    fill([3, 2, 1])
    public = cli.invoke(app, ["audit", "public-key"])
    assert public.exit_code == 0
    assert public.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    (tmp_path / "public.pem").write_text(public.stdout)
    day = (datetime.now(UTC) - timedelta(days=2)).date()

    exported = cli.invoke(
        app,
        [
            "audit",
            "export",
            "--org",
            ORG,
            "--from",
            day.isoformat(),
            "--to",
            (day + timedelta(days=1)).isoformat(),
            "--out",
            str(tmp_path / "export.jsonl"),
        ],
    )
    assert exported.exit_code == 0, exported.output

    checked = cli.invoke(
        app,
        [
            "audit",
            "verify",
            "--file",
            str(tmp_path / "export.jsonl"),
            "--public-key",
            str(tmp_path / "public.pem"),
        ],
    )
    assert checked.exit_code == 0, checked.output
    assert "records 2–3 hold" in checked.stdout

    lines = (tmp_path / "export.jsonl").read_text().replace("req-1", "req-9")
    (tmp_path / "changed.jsonl").write_text(lines)
    checked = cli.invoke(
        app,
        [
            "audit",
            "verify",
            "--file",
            str(tmp_path / "changed.jsonl"),
            "--public-key",
            str(tmp_path / "public.pem"),
        ],
    )
    assert checked.exit_code == 1
    assert "record 2 (request req-9)" in checked.stdout

    bad = cli.invoke(
        app,
        [
            "audit",
            "verify",
            "--file",
            str(tmp_path / "export.jsonl"),
            "--public-key",
            str(tmp_path / "export.jsonl"),
        ],
    )
    assert bad.exit_code == 2


def test_prune_uses_the_retention_setting(
    cli: CliRunner, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill([40, 35, 1])
    monkeypatch.setenv("FIKSREG_AUDIT_RETENTION_DAYS", "30")

    result = cli.invoke(app, ["audit", "prune"])

    assert result.exit_code == 0, result.output
    assert f"chain {ORG}: 2 record(s) older than 30 days removed" in result.stdout
    assert cli.invoke(app, ["audit", "verify"]).exit_code == 0
    assert "nothing older than 30 days" in cli.invoke(app, ["audit", "prune", "--older-than", "30"]).stdout


def test_innsyn_writes_the_report_and_the_letter(cli: CliRunner, engine: Engine, tmp_path: Path) -> None:
    fill([2, 1])

    result = cli.invoke(app, ["audit", "innsyn", PERSON])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["identifikatorer"] == [PERSON]  # unknown to the (empty) embedded register
    assert [(e["orgnr"], e["kanal"]) for e in report["oppslag"]] == [(ORG, "api"), (ORG, "api")]
    assert "req-" not in result.stdout and "integrasjon" not in result.stdout.lower()

    letter = cli.invoke(app, ["audit", "innsyn", PERSON, "--org", ORG, "--format", "html"])
    assert letter.exit_code == 0, letter.output
    assert "Innsyn i oppslag i Folkeregisteret" in letter.stdout
    assert f"Org {ORG}" in letter.stdout

    pdf = cli.invoke(app, ["audit", "innsyn", PERSON, "--format", "pdf", "--out", str(tmp_path / "brev.pdf")])
    assert pdf.exit_code == 0, pdf.output
    assert (tmp_path / "brev.pdf").read_bytes().startswith(b"%PDF-")

    assert cli.invoke(app, ["audit", "innsyn", PERSON, "--org", "987654325"]).exit_code == 2
    assert cli.invoke(app, ["audit", "innsyn", "12345678901"]).exit_code == 2
    assert cli.invoke(app, ["audit", "innsyn", PERSON, "--format", "pdf"]).exit_code == 2
