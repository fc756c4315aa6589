"""Norwegian identity numbers (fødselsnummer, d-nummer): validation, reading, and synthetic generation.

Rules, as Skatteetaten gives them: DDMMYY + individual number (3 digits) + two mod-11 check digits. A
d-nummer adds 4 to the first digit. Synthetic test numbers add 80 to the month (Skatteetaten's synthetic register) or 40
(other test ecosystems). From 2032 the first check digit may also make the weighted sum's remainder
1, 2 or 3 instead of 0; such numbers no longer reveal century or gender.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

SKATTEETATEN_MONTH_OFFSET = 80
PLUS40_MONTH_OFFSET = 40
D_NUMBER_DAY_OFFSET = 40

Synthetic = Literal["skatteetaten", "plus40"]
Kjoenn = Literal["kvinne", "mann"]
ChecksumRule = Literal["classic", "2032"]


class IdentityNumberKind(StrEnum):
    """The register's Folkeregisteridentifikatortype."""

    foedselsnummer = "foedselsnummer"
    dNummer = "dNummer"


class InvalidIdentitetsnummer(ValueError):
    """The value is not a valid fødselsnummer or d-nummer; the message says why."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"{value!r} is not a valid identity number: {reason}")
        self.value = value
        self.reason = reason


@dataclass(frozen=True)
class Identitetsnummer:
    """What can be read from a valid identity number.

    `birth_date` and `kjoenn` are None where the number does not reveal them: numbers valid only under
    the 2032 rule, and individual numbers outside the century ranges.
    """

    value: str
    kind: IdentityNumberKind
    synthetic: Synthetic | None
    birth_date: date | None
    kjoenn: Kjoenn | None
    checksum_rule: ChecksumRule


def _weighted_sum(digits: tuple[int, ...] | list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False))


def _classic_check_digit(weighted_sum: int) -> int | None:
    """11 - (sum mod 11), with 11 becoming 0 and 10 meaning 'no valid check digit'."""
    digit = 11 - weighted_sum % 11
    if digit == 11:
        return 0
    return None if digit == 10 else digit


def check_digits(first_nine: str) -> str | None:
    """The two classic check digits for nine digits, or None when no valid pair exists."""
    digits = [int(c) for c in first_nine]
    k1 = _classic_check_digit(_weighted_sum(digits, K1_WEIGHTS))
    if k1 is None:
        return None
    k2 = _classic_check_digit(_weighted_sum([*digits, k1], K2_WEIGHTS))
    if k2 is None:
        return None
    return f"{k1}{k2}"


def _checksum_rule(digits: list[int]) -> ChecksumRule | None:
    """Which rule the check digits satisfy: classic first, then the 2032 rule; None if neither."""
    if _classic_check_digit(_weighted_sum(digits[:10], K2_WEIGHTS)) != digits[10]:
        return None
    remainder = (_weighted_sum(digits[:9], K1_WEIGHTS) + digits[9]) % 11
    # k1 = k - (sum mod 11) for k in {11..14}, reduced by 11 above 10: the full sum's remainder is k - 11.
    if remainder == 0:
        return "classic"
    if remainder in (1, 2, 3):
        return "2032"
    return None


def century_for(year_two_digits: int, individual_number: int) -> int | None:
    """The century (1800, 1900, 2000) that an individual number implies, or None if none is defined."""
    if individual_number <= 499:
        return 1900
    if individual_number >= 900 and year_two_digits >= 40:
        return 1900
    if year_two_digits <= 39:
        return 2000
    if individual_number <= 749 and year_two_digits >= 54:
        return 1800
    return None


def individual_number_range(birth_year: int) -> tuple[int, int]:
    """The inclusive range of individual numbers available for a birth year."""
    if 1855 <= birth_year <= 1899:
        return 500, 749
    if 1900 <= birth_year <= 1999:
        return 0, 499
    if 2000 <= birth_year <= 2039:
        return 500, 999
    raise ValueError(f"no individual-number range for birth year {birth_year} (1855-2039)")


def parse_identitetsnummer(value: str) -> Identitetsnummer:
    """Validate `value` and read its kind, synthetic marker, birth date and gender."""
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        raise InvalidIdentitetsnummer(value, "must be 11 digits")
    digits = [int(c) for c in value]
    rule = _checksum_rule(digits)
    if rule is None:
        raise InvalidIdentitetsnummer(value, "invalid check digits")

    day = int(value[0:2])
    month = int(value[2:4])
    year_two_digits = int(value[4:6])
    individual_number = int(value[6:9])

    kind = IdentityNumberKind.foedselsnummer
    if day > D_NUMBER_DAY_OFFSET:
        kind = IdentityNumberKind.dNummer
        day -= D_NUMBER_DAY_OFFSET
    synthetic: Synthetic | None = None
    if month > SKATTEETATEN_MONTH_OFFSET:
        synthetic = "skatteetaten"
        month -= SKATTEETATEN_MONTH_OFFSET
    elif month > PLUS40_MONTH_OFFSET:
        synthetic = "plus40"
        month -= PLUS40_MONTH_OFFSET
    if not 1 <= month <= 12:
        raise InvalidIdentitetsnummer(value, "invalid date part")

    century = century_for(year_two_digits, individual_number) if rule == "classic" else None
    # Without a century, 29 February is accepted (some century may make it a leap year).
    days_in_month = calendar.monthrange(century + year_two_digits if century else 2000, month)[1]
    if not 1 <= day <= days_in_month:
        raise InvalidIdentitetsnummer(value, "invalid date part")

    birth_date = date(century + year_two_digits, month, day) if century is not None else None
    kjoenn: Kjoenn | None = None
    if rule == "classic":
        kjoenn = "mann" if digits[8] % 2 else "kvinne"
    return Identitetsnummer(value, kind, synthetic, birth_date, kjoenn, rule)


def is_valid(value: str) -> bool:
    """True when `value` is a valid fødselsnummer or d-nummer (classic or 2032 rule)."""
    try:
        parse_identitetsnummer(value)
    except InvalidIdentitetsnummer:
        return False
    return True


def generate_synthetic(
    birth_date: date,
    kjoenn: Kjoenn,
    rng: random.Random,
    d_nummer: bool = False,
    taken: set[str] | None = None,
) -> str:
    """A valid synthetic (month + 80) number for the birth date and gender, unique against `taken`.

    The individual number lies in the birth year's century range and its last digit carries the
    gender, so `parse_identitetsnummer` reads back the same date and gender. The new number is added to
    `taken` when a set is given. Raises ValueError when every number for that date and gender is taken.
    """
    low, high = individual_number_range(birth_date.year)
    day = birth_date.day + (D_NUMBER_DAY_OFFSET if d_nummer else 0)
    prefix = f"{day:02d}{birth_date.month + SKATTEETATEN_MONTH_OFFSET:02d}{birth_date.year % 100:02d}"
    parity = 1 if kjoenn == "mann" else 0
    # Candidates of the right parity: low+parity .. high, step 2 (low is even in every range).
    count = (high - low) // 2 + 1
    for _ in range(64):
        individual = low + parity + 2 * rng.randrange(count)
        candidate = _complete(prefix, individual, taken)
        if candidate is not None:
            break
    else:
        start = rng.randrange(count)
        for offset in range(count):
            individual = low + parity + 2 * ((start + offset) % count)
            candidate = _complete(prefix, individual, taken)
            if candidate is not None:
                break
        else:
            raise ValueError(f"every synthetic number for {birth_date} ({kjoenn}) is taken")
    if taken is not None:
        taken.add(candidate)
    return candidate


def _complete(prefix: str, individual: int, taken: set[str] | None) -> str | None:
    first_nine = f"{prefix}{individual:03d}"
    checks = check_digits(first_nine)
    if checks is None:
        return None
    value = first_nine + checks
    if taken is not None and value in taken:
        return None
    return value
