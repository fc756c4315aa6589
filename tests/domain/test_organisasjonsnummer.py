"""Organisation numbers: 9 ASCII digits, the last a mod 11 check digit with weights 3 2 7 6 5 4 3 2."""

from __future__ import annotations

import pytest

from fiks_folkeregister.domain.organisasjonsnummer import is_organisasjonsnummer, with_check_digit


@pytest.mark.parametrize(
    "orgnr",
    [
        "974760673",  # Brønnøysundregistrene
        "991825827",  # Digitaliseringsdirektoratet
        "999999999",  # the platform's default development number
        "930000000",  # remainder 0: check digit 0
        "910000004",
    ],
)
def test_valid_numbers(orgnr: str) -> None:
    assert is_organisasjonsnummer(orgnr)


@pytest.mark.parametrize(
    "orgnr",
    [
        "974760672",  # wrong check digit
        "910000009",
        "123456789",
        "81000000",  # 8 digits
        "9747606730",  # 10 digits
        "97476067a",
        "٩٧٤٧٦٠٦٧٣",  # Arabic-Indic digits: isdigit() but not ASCII
        " 974760673",
        "",
        974760673,
        None,
    ],
)
def test_invalid_numbers(orgnr: object) -> None:
    assert not is_organisasjonsnummer(orgnr)


def test_remainder_one_has_no_valid_number() -> None:
    first_eight = next(
        f"{n:08d}" for n in range(10_000_000, 10_100_000) if with_check_digit(f"{n:08d}") is None
    )
    assert not any(is_organisasjonsnummer(f"{first_eight}{digit}") for digit in range(10))
    assert with_check_digit("97476067") == "974760673"
