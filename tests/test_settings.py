"""Settings refuse values that cannot work, at start-up, naming the variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

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
