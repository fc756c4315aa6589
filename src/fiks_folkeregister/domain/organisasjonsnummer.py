"""Organisation numbers (organisasjonsnummer) of the Central Coordinating Register for Legal Entities."""

from __future__ import annotations

#: The weights of the first eight digits; the ninth is the check digit (modulus 11).
WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(first_eight: str) -> int | None:
    """The check digit for eight digits, or None when there is none (remainder 1: no valid number)."""
    remainder = sum(int(digit) * weight for digit, weight in zip(first_eight, WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def is_organisasjonsnummer(value: object) -> bool:
    """Whether `value` is a valid organisation number: 9 ASCII digits whose last is the mod 11 check digit."""
    if not (isinstance(value, str) and len(value) == 9 and value.isascii() and value.isdigit()):
        return False
    return check_digit(value[:8]) == int(value[8])


def with_check_digit(first_eight: str) -> str | None:
    """Eight digits completed with their check digit; None when no valid number starts with them."""
    digit = check_digit(first_eight)
    return None if digit is None else f"{first_eight}{digit}"
