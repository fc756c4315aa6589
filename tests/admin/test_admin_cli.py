"""`fiks-folkeregister admin`: every command, on the configured database, with JSON that scripts read."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from fiks_folkeregister.admin.access import AccessDirectory
from fiks_folkeregister.cli import app
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.storage.database import create_gateway_engine
from tests.admin.conftest import ORG_A, ORG_B


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("FIKSREG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FIKSREG_DATABASE_URL", database_url)
    return CliRunner()


def run(cli: CliRunner, *args: str, exit_code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == exit_code, result.output
    return result.stdout


def run_json(cli: CliRunner, *args: str) -> Any:
    return json.loads(run(cli, *args))


def org(cli: CliRunner, orgnr: str = ORG_A) -> None:
    run(
        cli,
        "admin",
        "org",
        "create",
        "--orgnr",
        orgnr,
        "--navn",
        f"Kommune {orgnr}",
        "--kommunenummer",
        "0301",
    )


def role(cli: CliRunner, orgnr: str = ORG_A, *parts: str) -> str:
    created = run_json(
        cli,
        "admin",
        "role",
        "create",
        "--orgnr",
        orgnr,
        "--navn",
        "Saksbehandler",
        "--rettighetspakke",
        "offentlig-med-hjemmel",
        "--bruksomraade",
        "sok-etter-person",
        *(arg for part in (parts or ("bostedsadresse",)) for arg in ("--part", part)),
    )
    return str(created["rolleId"])


def integration(cli: CliRunner, orgnr: str = ORG_A, *extra: str) -> dict[str, str]:
    return dict(
        run_json(cli, "admin", "integration", "create", "--orgnr", orgnr, "--navn", "Fagsystem", *extra)
    )


def test_org_create_and_list(cli: CliRunner) -> None:
    assert run(
        cli, "admin", "org", "create", "--orgnr", ORG_A, "--navn", "Oslo", "--kommunenummer", "0301"
    ) == (f"Created organisation {ORG_A} (Oslo)\n")
    created = run_json(
        cli,
        "admin",
        "org",
        "create",
        "--orgnr",
        ORG_B,
        "--navn",
        "Tromsø",
        "--kommunenummer",
        "5501",
        "--json",
    )
    fiks_org_id = created.pop("fiksOrgId")
    assert UUID(fiks_org_id).version == 4
    # The one schema of an organisation (as the admin API answers): with when it was registered.
    assert datetime.fromisoformat(created.pop("opprettet")).tzinfo is not None
    # No request rate of its own: the gateway's default applies (null).
    assert created == {
        "orgnr": ORG_B,
        "navn": "Tromsø",
        "kommunenummer": "5501",
        "fylkesnummer": "55",
        "forespoerslerPerMinutt": None,
    }
    listed = run_json(cli, "admin", "org", "list", "--json")
    assert [o["orgnr"] for o in listed] == [ORG_A, ORG_B]
    # Every organisation has its own id in Fiks, shown as the deprecated Oppvekst path needs it.
    assert listed[1]["fiksOrgId"] == fiks_org_id
    assert listed[0]["fiksOrgId"] != fiks_org_id
    assert "Tromsø" in run(cli, "admin", "org", "list")


def test_org_create_errors_exit_1_with_the_reason(cli: CliRunner) -> None:
    org(cli)
    result = cli.invoke(app, ["admin", "org", "create", "--orgnr", ORG_A, "--navn", "Again"])
    assert result.exit_code == 1
    assert "ORGANISASJON_FINNES" in result.output
    result = cli.invoke(app, ["admin", "org", "create", "--orgnr", "123", "--navn", "Short"])
    assert result.exit_code == 1
    assert "9 digits" in result.output
    result = cli.invoke(app, ["admin", "org", "create", "--orgnr", "921234567", "--navn", "Typo"])
    assert result.exit_code == 1
    assert "check digit" in result.output


def test_role_create_prints_the_role_id_and_expands_parts(cli: CliRunner) -> None:
    org(cli)
    out = run(
        cli,
        "admin",
        "role",
        "create",
        "--orgnr",
        ORG_A,
        "--navn",
        "Barnehage",
        "--rettighetspakke",
        "offentlig-med-hjemmel",
        "--bruksomraade",
        "sok-etter-person",
        "--bruksomraade",
        "uttrekk",
        "--part",
        "person-basis",
        "--part",
        "foreldreansvar",
        "--part",
        "historikk",
        "--beskrivelse",
        "Opptak",
    )
    role_id = json.loads(out)["rolleId"]

    shown = run_json(cli, "admin", "role", "show", role_id, "--json")
    assert shown["navn"] == "Barnehage"
    assert shown["beskrivelse"] == "Opptak"
    assert shown["bruksomraader"] == ["sok-etter-person", "uttrekk"]
    assert "foreldreansvar" in shown["elementer"] and "bostedsadresse" in shown["elementer"]
    assert shown["deler"] == ["person-basis", "foreldreansvar"]
    assert shown["historikk"] is True
    assert "Barnehage" in run(cli, "admin", "role", "show", role_id)
    listed = run_json(cli, "admin", "role", "list", "--orgnr", ORG_A, "--json")
    assert [r["rolleId"] for r in listed] == [role_id]
    assert "+historikk" in run(cli, "admin", "role", "list", "--orgnr", ORG_A)


def test_role_create_refuses_elements_outside_the_rights_package(cli: CliRunner) -> None:
    org(cli)
    result = cli.invoke(
        app,
        [
            "admin",
            "role",
            "create",
            "--orgnr",
            ORG_A,
            "--navn",
            "R",
            "--rettighetspakke",
            "offentlig-uten-hjemmel",
            "--bruksomraade",
            "sok-etter-person",
            "--part",
            "navn",
            "--part",
            "familierelasjon",
        ],
    )
    assert result.exit_code == 1
    assert "ELEMENT_IKKE_TILLATT" in result.output
    assert "familierelasjon" in result.output
    assert run_json(cli, "admin", "role", "list", "--orgnr", ORG_A, "--json") == []


def test_role_update_and_delete(cli: CliRunner) -> None:
    org(cli)
    role_id = role(cli)

    updated = run_json(
        cli,
        "admin",
        "role",
        "update",
        role_id,
        "--navn",
        "Ny",
        "--part",
        "navn",
        "--part",
        "historikk",
        "--json",
    )
    assert (updated["navn"], updated["elementer"], updated["historikk"]) == ("Ny", ["navn"], True)
    assert updated["bruksomraader"] == ["sok-etter-person"]
    assert "Updated role" in run(cli, "admin", "role", "update", role_id, "--bruksomraade", "uttrekk")
    assert run_json(cli, "admin", "role", "show", role_id, "--json")["bruksomraader"] == ["uttrekk"]

    assert run_json(cli, "admin", "role", "delete", role_id, "--json") == {
        "rolleId": role_id,
        "slettet": True,
    }
    result = cli.invoke(app, ["admin", "role", "show", role_id])
    assert result.exit_code == 1
    assert "ROLLE_FINNES_IKKE" in result.output


def test_integration_create_prints_a_password_that_verifies(cli: CliRunner, database_url: str) -> None:
    org(cli)
    role_id = role(cli)
    made = integration(cli, ORG_A, "--autorisert-orgnr", "999888771")
    assert set(made) == {"integrasjonId", "integrasjonPassord", "autorisertOrgnr"}
    assert made["autorisertOrgnr"] == "999888771"
    run(cli, "admin", "grant", "--integrasjon", made["integrasjonId"], "--rolle", role_id)

    engine = create_gateway_engine(database_url)
    try:
        integration_id, role_uuid = UUID(made["integrasjonId"]), UUID(role_id)
        found = AccessDirectory(engine).lookup(integration_id, role_uuid)
        assert found.granted
        assert found.integration is not None
        passwords = IntegrationPasswords(0)
        assert passwords.verify(
            found.integration.id, found.integration.passord_hash, made["integrasjonPassord"]
        )

        rotated = run_json(
            cli, "admin", "integration", "rotate-password", "--integrasjon", made["integrasjonId"]
        )
        assert rotated["integrasjonId"] == made["integrasjonId"]
        after = AccessDirectory(engine).lookup(integration_id, role_uuid)
        assert after.integration is not None
        assert not passwords.verify(
            after.integration.id, after.integration.passord_hash, made["integrasjonPassord"]
        )
        assert passwords.verify(
            after.integration.id, after.integration.passord_hash, rotated["integrasjonPassord"]
        )
    finally:
        engine.dispose()


def test_integration_list_show_and_delete_never_print_the_password(cli: CliRunner) -> None:
    org(cli)
    made = integration(cli)

    listed = run(cli, "admin", "integration", "list", "--orgnr", ORG_A, "--json")
    shown = run(cli, "admin", "integration", "show", made["integrasjonId"], "--json")
    assert json.loads(listed)[0]["integrasjonId"] == made["integrasjonId"]
    assert json.loads(shown)["autorisertOrgnr"] == ORG_A
    for text in (listed, shown, run(cli, "admin", "changes", "--json")):
        assert made["integrasjonPassord"] not in text
        assert "argon2" not in text
    assert "Fagsystem" in run(cli, "admin", "integration", "list", "--orgnr", ORG_A)

    assert "Deleted integration" in run(cli, "admin", "integration", "delete", made["integrasjonId"])
    assert run_json(cli, "admin", "integration", "list", "--orgnr", ORG_A, "--json") == []


def test_grant_and_revoke(cli: CliRunner) -> None:
    org(cli)
    role_id = role(cli)
    integration_id = integration(cli)["integrasjonId"]

    granted = run_json(cli, "admin", "grant", "--integrasjon", integration_id, "--rolle", role_id, "--json")
    assert (granted["ny"], granted["rolleId"], granted["tilbakekalt"]) == (True, role_id, None)
    assert "Already granted" in run(
        cli, "admin", "grant", "--integrasjon", integration_id, "--rolle", role_id
    )
    assert len(run_json(cli, "admin", "grants", "--orgnr", ORG_A, "--json")) == 1

    revoked = run_json(cli, "admin", "revoke", "--integrasjon", integration_id, "--rolle", role_id, "--json")
    assert revoked["tilbakekalt"] is not None
    assert revoked["tilbakekaltAv"].startswith("cli:")
    result = cli.invoke(app, ["admin", "revoke", "--integrasjon", integration_id, "--rolle", role_id])
    assert result.exit_code == 1
    assert "TILDELING_FINNES_IKKE" in result.output
    assert run_json(cli, "admin", "grants", "--orgnr", ORG_A, "--json") == []
    assert "revoked" in run(cli, "admin", "grants", "--orgnr", ORG_A, "--all")


def test_a_grant_across_organisations_is_refused(cli: CliRunner) -> None:
    org(cli, ORG_A)
    org(cli, ORG_B)
    role_b = role(cli, ORG_B)
    integration_a = integration(cli, ORG_A)["integrasjonId"]

    result = cli.invoke(app, ["admin", "grant", "--integrasjon", integration_a, "--rolle", role_b])

    assert result.exit_code == 1
    assert "ROLLE_ANNEN_ORGANISASJON" in result.output


def test_changes_name_the_os_user_and_show_before_and_after(cli: CliRunner) -> None:
    org(cli)
    role_id = role(cli)
    run(cli, "admin", "role", "update", role_id, "--beskrivelse", "Endret")

    changes = run_json(cli, "admin", "changes", "--orgnr", ORG_A, "--json")

    assert [c["handling"] for c in changes] == ["rolle.endret", "rolle.opprettet", "organisasjon.opprettet"]
    assert all(c["utfoertAv"].startswith("cli:") for c in changes)
    assert (changes[0]["foer"]["beskrivelse"], changes[0]["etter"]["beskrivelse"]) == ("", "Endret")
    assert "rolle.endret" in run(cli, "admin", "changes")


def test_operator_and_administrator_keys(cli: CliRunner) -> None:
    org(cli)
    out = run(cli, "admin", "operator", "create", "--navn", "Ops")
    assert "shown only now" in out
    assert out.strip().splitlines()[-1].startswith("fiksadm_")

    admin = run_json(cli, "admin", "administrator", "create", "--orgnr", ORG_A, "--navn", "Ada", "--json")
    assert admin["orgnr"] == ORG_A
    assert admin["apiNoekkel"].startswith("fiksadm_")
    listed = run(cli, "admin", "administrator", "list", "--json")
    assert {a["navn"] for a in json.loads(listed)} == {"Ops", "Ada"}
    assert admin["apiNoekkel"] not in listed

    deactivated = run_json(cli, "admin", "administrator", "deactivate", admin["administratorId"], "--json")
    assert deactivated["deaktivert"] is not None
    assert "deactivated" in run(cli, "admin", "administrator", "list")
    result = cli.invoke(app, ["admin", "administrator", "create", "--orgnr", "111222339", "--navn", "X"])
    assert result.exit_code == 1
    assert "ORGANISASJON_FINNES_IKKE" in result.output
