"""The command line says which data directory it uses when that directory holds nothing yet."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fiks_folkeregister.cli import app


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A newcomer's shell in some other folder, with no FIKSREG_* settings."""
    monkeypatch.chdir(tmp_path)
    for name in ("FIKSREG_DATA_DIR", "FIKSREG_DATABASE_URL", "FIKSREG_REGISTER_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_a_command_in_a_folder_without_data_names_the_new_data_directory(elsewhere: Path) -> None:
    first = CliRunner().invoke(app, ["admin", "org", "list"])

    assert first.exit_code == 0, first.output
    assert str(elsewhere / "data") in first.stderr
    assert "FIKSREG_DATA_DIR" in first.stderr
    assert str(elsewhere) not in first.stdout  # the notice never mixes with what a script reads

    again = CliRunner().invoke(app, ["admin", "org", "list"])
    assert again.exit_code == 0 and again.stderr == ""  # the directory holds the gateway's database now


def test_the_notice_names_a_configured_data_directory(
    elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIKSREG_DATA_DIR", str(elsewhere / "configured"))

    result = CliRunner().invoke(app, ["register", "examples"])

    assert result.exit_code == 1  # no population there
    assert f"{elsewhere / 'configured'} (from FIKSREG_DATA_DIR)" in result.stderr


def test_help_says_nothing_about_data(elsewhere: Path) -> None:
    result = CliRunner().invoke(app, ["register", "--help"])
    assert result.exit_code == 0 and "data directory" not in result.stderr
    assert not (elsewhere / "data").exists()


@pytest.mark.parametrize("command", [["serve"], ["register", "serve"]])
def test_a_server_names_a_new_data_directory_before_it_serves(
    command: list[str], elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    served: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(app))

    result = CliRunner().invoke(app, [*command, "--port", "8099"])

    assert result.exit_code == 0, result.output
    assert served  # the notice came before serving, once
    assert result.stderr.count(str(elsewhere / "data")) == 1
    assert "Serving from a new data directory" in result.stderr
