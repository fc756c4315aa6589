"""Settings refuse values that cannot work, at start-up, naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from fiks_folkeregister.app import pipeline_on_event_loop
from fiks_folkeregister.settings import Settings


def test_the_platform_organisation_number_must_have_a_valid_check_digit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIKSREG_UPSTREAM_PLATFORM_ORGNR", "999999998")
    with pytest.raises(ValidationError, match="upstream_platform_orgnr") as refused:
        Settings()
    assert "check digit" in str(refused.value)

    monkeypatch.setenv("FIKSREG_UPSTREAM_PLATFORM_ORGNR", "974760673")
    assert Settings().upstream_platform_orgnr == "974760673"


@pytest.mark.parametrize(
    ("settings", "on_event_loop"),
    [
        ({}, True),  # embedded register, SQLite, no Redis, the issuer's own keys
        ({"redis_url": "redis://localhost:6379/0"}, False),
        ({"register_database_url": "postgresql+psycopg://postgres@localhost/register"}, False),
        # The gateway's per-request read of PostgreSQL is made without blocking the loop.
        ({"database_url": "postgresql+psycopg://postgres@localhost/fiksreg"}, True),
        ({"upstream": "http", "upstream_url": "https://register.example"}, False),
        ({"gateway_token_jwks_url": "https://maskinporten.example/jwk"}, False),
        ({"redis_url": "redis://localhost:6379/0", "event_loop_pipeline": "always"}, True),
        ({"event_loop_pipeline": "never"}, False),
    ],
)
def test_lookups_run_on_the_event_loop_only_when_nothing_blocks_it_unless_told(
    tmp_path: Path, settings: dict[str, str], on_event_loop: bool
) -> None:
    assert pipeline_on_event_loop(Settings(data_dir=tmp_path, **settings)) is on_event_loop


def test_an_unknown_event_loop_pipeline_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIKSREG_EVENT_LOOP_PIPELINE", "sometimes")
    with pytest.raises(ValidationError, match="event_loop_pipeline"):
        Settings()
