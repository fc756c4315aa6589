"""The `token` command: prints a usable token, registers clients, and explains bad input."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fiks_folkeregister.app import build_token_issuer
from fiks_folkeregister.cli import app
from fiks_folkeregister.identity.clients import ClientRegistry
from fiks_folkeregister.identity.tokens import AccessTokenValidator
from fiks_folkeregister.settings import Settings

ORGNR = "921234562"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FIKSREG_DATA_DIR", str(tmp_path))
    return tmp_path


def test_token_command_prints_only_a_token_that_validates(data_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["token", "--orgnr", ORGNR, "--scope", "ks:fiks", "--scope", "digdir:x", "--lifetime", "600"]
    )

    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == f"{token}\n"
    settings = Settings()
    access = AccessTokenValidator(build_token_issuer(settings).jwks, issuer=settings.issuer).validate(token)
    assert access.orgnr == ORGNR
    assert access.scopes == {"ks:fiks", "digdir:x"}
    assert access.exp - access.issued_at == 600


def test_token_command_needs_orgnr_and_scope(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["token", "--orgnr", ORGNR])

    assert result.exit_code == 2
    assert "--scope" in result.output
    assert result.stdout == ""


def test_token_command_refuses_an_orgnr_that_is_not_9_digits(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["token", "--orgnr", "12345678", "--scope", "ks:fiks"])

    assert result.exit_code == 2
    assert "9 digits" in result.output
    wrong_check_digit = CliRunner().invoke(app, ["token", "--orgnr", "921234567", "--scope", "ks:fiks"])
    assert wrong_check_digit.exit_code == 2
    assert "check digit" in wrong_check_digit.output


def test_token_command_refuses_a_malformed_scope(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["token", "--orgnr", ORGNR, "--scope", "fiks"])

    assert result.exit_code == 2
    assert "prefix:subscope" in result.output


def test_client_create_prints_paths_that_exist(data_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["token", "client", "create", "--orgnr", ORGNR, "--name", "Testkommune", "--json"]
    )

    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    assert set(created) == {"clientId", "certificatePath", "keyPath"}
    assert Path(created["certificatePath"]).is_file()
    assert stat.S_IMODE(Path(created["keyPath"]).stat().st_mode) == 0o600
    registered = ClientRegistry(data_dir / "issuer").get(created["clientId"])
    assert registered.orgnr == ORGNR
    assert registered.name == "Testkommune"


def test_client_create_refuses_a_bad_orgnr(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["token", "client", "create", "--orgnr", "abc", "--json"])

    assert result.exit_code == 2
    assert "9 digits" in result.output


def test_client_delegate_undelegate_and_list(data_dir: Path) -> None:
    client = ClientRegistry(data_dir / "issuer").create(ORGNR, "Leverandør")

    delegated = CliRunner().invoke(
        app, ["token", "client", "delegate", client.client_id, "--orgnr", "964338531"]
    )
    listed = CliRunner().invoke(app, ["token", "client", "list", "--json"])
    undelegated = CliRunner().invoke(
        app, ["token", "client", "undelegate", client.client_id, "--orgnr", "964338531"]
    )

    assert delegated.exit_code == 0, delegated.output
    assert json.loads(listed.stdout) == [
        {"clientId": client.client_id, "orgnr": ORGNR, "name": "Leverandør", "delegations": ["964338531"]}
    ]
    assert undelegated.exit_code == 0, undelegated.output
    assert ClientRegistry(data_dir / "issuer").get(client.client_id).delegations == frozenset()


def test_client_delegate_refuses_an_unknown_client_and_a_bad_orgnr(data_dir: Path) -> None:
    client = ClientRegistry(data_dir / "issuer").create(ORGNR)

    unknown = CliRunner().invoke(
        app, ["token", "client", "delegate", "00000000-0000-0000-0000-000000000000", "--orgnr", "964338531"]
    )
    bad = CliRunner().invoke(app, ["token", "client", "delegate", client.client_id, "--orgnr", "12"])

    assert unknown.exit_code == 1 and "no client" in unknown.output
    assert bad.exit_code == 2 and "9 digits" in bad.output


def test_token_command_gives_tokens_for_the_gateways_audience(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["token", "--orgnr", ORGNR, "--scope", "ks:fiks"])

    settings = Settings()
    validator = AccessTokenValidator(
        build_token_issuer(settings).jwks,
        issuer=settings.issuer,
        audience=settings.gateway_token_audience,
    )
    assert validator.validate(result.stdout.strip()).orgnr == ORGNR
