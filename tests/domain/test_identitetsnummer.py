"""Identity numbers: check digits, d-numbers, synthetic numbers, the 2032 rule, and generation."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiks_folkeregister.domain.identitetsnummer import (
    K1_WEIGHTS,
    K2_WEIGHTS,
    IdentityNumberKind,
    InvalidIdentitetsnummer,
    check_digits,
    generate_synthetic,
    is_valid,
    parse_identitetsnummer,
)


def with_check_digits(first_nine: str) -> str:
    checks = check_digits(first_nine)
    assert checks is not None, f"{first_nine} has no valid check digits"
    return first_nine + checks


@pytest.mark.parametrize("value", ["02013299997", "30108299920", "30108299939"])
def test_published_examples_of_the_2032_rule_are_valid(value: str) -> None:
    assert is_valid(value)
    assert parse_identitetsnummer(value).kind is IdentityNumberKind.foedselsnummer


def test_a_number_valid_only_under_the_2032_rule_reveals_neither_birth_date_nor_gender() -> None:
    number = parse_identitetsnummer("30108299939")
    assert number.checksum_rule == "2032"
    assert number.birth_date is None
    assert number.kjoenn is None


def test_a_classic_number_gives_birth_date_and_gender() -> None:
    number = parse_identitetsnummer(with_check_digits("010107501"))
    assert number.checksum_rule == "classic"
    assert number.birth_date == date(2007, 1, 1)
    assert number.kjoenn == "mann"
    assert number.synthetic is None


def test_the_eighth_individual_digit_even_means_kvinne() -> None:
    assert parse_identitetsnummer(with_check_digits("150385124")).kjoenn == "kvinne"


@pytest.mark.parametrize("value", ["02013299998", "30108299921", "30108299930"])
def test_a_wrong_second_check_digit_is_rejected(value: str) -> None:
    with pytest.raises(InvalidIdentitetsnummer, match="invalid check digits"):
        parse_identitetsnummer(value)


def accepted_first_check_digits(first_nine: str) -> set[int]:
    """The 2032 rule as domain/identitetsnummer.py states it: k - (sum mod 11), k in 11..14, minus 11 above 10, never 10."""
    remainder = sum(int(d) * w for d, w in zip(first_nine, K1_WEIGHTS, strict=True)) % 11
    accepted = set()
    for k in (11, 12, 13, 14):
        digit = k - remainder
        if digit > 10:
            digit -= 11
        if digit != 10:
            accepted.add(digit)
    return accepted


def with_classic_k2(first_ten: str) -> str | None:
    digit = 11 - sum(int(d) * w for d, w in zip(first_ten, K2_WEIGHTS, strict=True)) % 11
    if digit == 10:
        return None
    return first_ten + str(0 if digit == 11 else digit)


@settings(max_examples=300, deadline=None)
@given(first_nine=st.from_regex(r"(0[1-9]|1[0-9]|2[0-8])(0[1-9]|1[0-2])[0-9]{5}", fullmatch=True))
def test_first_check_digit_is_accepted_exactly_as_the_2032_rule_says(first_nine: str) -> None:
    accepted = accepted_first_check_digits(first_nine)
    for k1 in range(10):
        value = with_classic_k2(first_nine + str(k1))
        if value is not None:
            assert is_valid(value) == (k1 in accepted), value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1234567890", "must be 11 digits"),
        ("123456789012", "must be 11 digits"),
        ("0101075016a", "must be 11 digits"),
        ("", "must be 11 digits"),
        ("٠١٠١٠٧٥٠١٦٠", "must be 11 digits"),
    ],
)
def test_malformed_values_are_rejected_with_a_reason(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentitetsnummer, match=reason):
        parse_identitetsnummer(value)
    assert not is_valid(value)


def test_an_impossible_date_is_rejected() -> None:
    with pytest.raises(InvalidIdentitetsnummer, match="invalid date part"):
        parse_identitetsnummer(with_check_digits("330185124"))  # day 33
    with pytest.raises(InvalidIdentitetsnummer, match="invalid date part"):
        parse_identitetsnummer(with_check_digits("019324500"))  # month 93 - 80 = 13


def test_invalid_check_digits_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_identitetsnummer("01010750161")


def test_d_number_adds_four_to_the_first_digit() -> None:
    number = parse_identitetsnummer(with_check_digits("410185124"))
    assert number.kind is IdentityNumberKind.dNummer
    assert number.birth_date == date(1985, 1, 1)


def test_skatteetaten_synthetic_number_adds_80_to_the_month() -> None:
    # Skatteetaten's synthetic numbers: a test person born 01.11.2024 has 019124 as birth date part.
    number = parse_identitetsnummer(with_check_digits("019124500"))
    assert number.synthetic == "skatteetaten"
    assert number.birth_date == date(2024, 11, 1)
    assert number.kind is IdentityNumberKind.foedselsnummer


def test_plus40_synthetic_number_adds_40_to_the_month() -> None:
    number = parse_identitetsnummer(with_check_digits("015185124"))
    assert number.synthetic == "plus40"
    assert number.birth_date == date(1985, 11, 1)


def test_synthetic_d_number() -> None:
    number = parse_identitetsnummer(with_check_digits("418185125"))
    assert number.kind is IdentityNumberKind.dNummer
    assert number.synthetic == "skatteetaten"
    assert number.birth_date == date(1985, 1, 1)


@pytest.mark.parametrize(
    ("first_nine", "born"),
    [
        ("020100000", date(1900, 1, 2)),  # 000-499: 1900-1999
        ("311299499", date(1999, 12, 31)),
        ("010154500", date(1854, 1, 1)),  # 500-749 with year 54-99: the 1800s
        ("301299749", date(1899, 12, 30)),
        ("010100500", date(2000, 1, 1)),  # 500-999 with year 00-39: 2000-2039
        ("311239999", date(2039, 12, 31)),
        ("010140900", date(1940, 1, 1)),  # 900-999 with year 40-99: 1940-1999
        ("301299999", date(1999, 12, 30)),
    ],
)
def test_century_is_read_from_the_individual_number_at_the_range_boundaries(
    first_nine: str, born: date
) -> None:
    assert parse_identitetsnummer(with_check_digits(first_nine)).birth_date == born


def test_29_february_is_accepted_in_leap_years_only() -> None:
    assert parse_identitetsnummer(with_check_digits("290200524")).birth_date == date(2000, 2, 29)
    with pytest.raises(InvalidIdentitetsnummer, match="invalid date part"):
        parse_identitetsnummer(with_check_digits("290200124"))  # 1900 was not a leap year
    with pytest.raises(InvalidIdentitetsnummer, match="invalid date part"):
        parse_identitetsnummer(with_check_digits("290201124"))


def test_an_individual_number_without_a_century_gives_no_birth_date() -> None:
    # 500-749 with year 40-53 is not assigned to any century.
    number = parse_identitetsnummer(with_check_digits("010145600"))
    assert number.birth_date is None
    assert number.checksum_rule == "classic"


def test_generated_numbers_avoid_the_taken_ones_and_are_added_to_them() -> None:
    rng = random.Random(3)
    taken: set[str] = set()
    born = date(1990, 5, 17)
    numbers = [generate_synthetic(born, "kvinne", rng, taken=taken) for _ in range(200)]
    assert len(set(numbers)) == 200
    assert taken == set(numbers)


def test_generation_fails_clearly_when_every_number_is_taken() -> None:
    rng = random.Random(3)
    taken: set[str] = set()
    born = date(1870, 2, 3)  # only 125 individual numbers per gender in the 1800s
    with pytest.raises(ValueError, match="taken"):
        for _ in range(200):
            generate_synthetic(born, "mann", rng, taken=taken)
    assert len(taken) > 90


@settings(max_examples=300, deadline=None)
@given(
    born=st.dates(min_value=date(1855, 1, 1), max_value=date(2039, 12, 31)),
    kjoenn=st.sampled_from(["kvinne", "mann"]),
    d_nummer=st.booleans(),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_generate_then_parse_round_trip(born: date, kjoenn: str, d_nummer: bool, seed: int) -> None:
    value = generate_synthetic(born, kjoenn, random.Random(seed), d_nummer=d_nummer)  # type: ignore[arg-type]
    number = parse_identitetsnummer(value)
    assert number.synthetic == "skatteetaten"
    assert number.birth_date == born
    assert number.kjoenn == kjoenn
    assert number.checksum_rule == "classic"
    assert number.kind is (IdentityNumberKind.dNummer if d_nummer else IdentityNumberKind.foedselsnummer)


def test_generation_rejects_birth_years_without_individual_numbers() -> None:
    with pytest.raises(ValueError):
        generate_synthetic(date(1850, 1, 1), "mann", random.Random(1))
    with pytest.raises(ValueError):
        generate_synthetic(date(2040, 1, 1) + timedelta(days=1), "mann", random.Random(1))
