"""Whole numbers from requests: ASCII digits only, within the range the database can hold."""

from __future__ import annotations

import pytest

from fiks_folkeregister.domain.heltall import MAX_INT64, InvalidNumber, parse_whole_number


@pytest.mark.parametrize("text", ["١٢٣", "²", "1_000", " 12", "12 ", "+5", "-1", "", "1.0", "0x1", "１２"])
def test_anything_but_ascii_digits_is_refused_naming_the_parameter(text: str) -> None:
    with pytest.raises(InvalidNumber) as refused:
        parse_whole_number(text, "seq")

    assert refused.value.parameter == "seq"
    assert refused.value.message.startswith("seq must be")


def test_numbers_beyond_a_signed_64_bit_column_are_refused() -> None:
    assert parse_whole_number(str(MAX_INT64), "seq") == MAX_INT64
    for text in (str(MAX_INT64 + 1), "9" * 5000, "0" * 5000):
        with pytest.raises(InvalidNumber, match="seq must be between 0 and"):
            parse_whole_number(text, "seq")


def test_range_digit_count_and_json_integers() -> None:
    assert parse_whole_number("0042", "n") == 42
    assert parse_whole_number(2019, "aar", 1, 9999, digits=4) == 2019
    for value in (True, -3, 1.5, None, "201", 20190):
        with pytest.raises(InvalidNumber):
            parse_whole_number(value, "aar", 1, 9999, digits=4)
    with pytest.raises(InvalidNumber, match="between 1 and 10000"):
        parse_whole_number("0", "maksTreff", 1, 10_000)
