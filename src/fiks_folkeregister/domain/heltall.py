"""Whole numbers from requests: ASCII digits only, range-checked before anything stores or queries them.

`str.isdigit()` accepts '١٢٣' and '²', and `int()` accepts '1_000', ' 12' and '+5'; neither is a number a
caller of this API writes. Every number read from a request (query, path, body) goes through
`parse_whole_number`, so what reaches the database fits a signed 64-bit column (or the domain's range).
"""

from __future__ import annotations

#: The largest value of a signed 64-bit integer (PostgreSQL BIGINT, SQLite INTEGER).
MAX_INT64 = 2**63 - 1
#: The largest value of a signed 32-bit integer (PostgreSQL INTEGER, e.g. extract batch numbers).
MAX_INT32 = 2**31 - 1
_DIGITS = frozenset("0123456789")


class InvalidNumber(ValueError):
    """A parameter that is not a whole number in its range; `message` names the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def is_ascii_digits(text: str) -> bool:
    """Whether `text` is one or more of the ASCII digits 0-9 and nothing else."""
    return bool(text) and all(character in _DIGITS for character in text)


def parse_whole_number(
    value: object, parameter: str, minimum: int = 0, maximum: int = MAX_INT64, digits: int | None = None
) -> int:
    """`value` (a string of ASCII digits, or a JSON integer) as an int in [minimum, maximum].

    `digits` requires exactly that many digits (e.g. 4 for a year). Anything else raises `InvalidNumber`
    naming `parameter`; the text is never longer than what the range allows, so no huge int is built.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value) if value >= 0 else None
    else:
        text = value if isinstance(value, str) else None
    shown = repr(value) if not isinstance(value, str) else f"'{value[:40]}'"
    if text is None or not is_ascii_digits(text) or (digits is not None and len(text) != digits):
        shape = f"of {digits} digits (0-9)" if digits is not None else "(digits 0-9 only)"
        raise InvalidNumber(parameter, f"{parameter} must be a whole number {shape}, not {shown}")
    if len(text) > 40 or len(text.lstrip("0")) > len(str(maximum)) or not minimum <= int(text) <= maximum:
        raise InvalidNumber(
            parameter, f"{parameter} must be between {minimum} and {maximum}, not {text[:40]}"
        )
    return int(text)
