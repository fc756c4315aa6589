"""The search forms: what a case worker typed → the register's query, and every mistake explained."""

from __future__ import annotations

import ast
import random
from datetime import date

import pytest

from fiks_folkeregister.domain.identitetsnummer import generate_synthetic
from fiks_folkeregister.portal.soekeskjema import (
    ENTYDIG_FELTER,
    SOEK_FELTER,
    Skjemafeil,
    entydig_spoerring,
    forklar_parameter,
    identitetsnummer,
    skjemaverdier,
    spoerring,
)

VALID = generate_synthetic(date(1984, 5, 17), "kvinne", random.Random(3))


def _with_wrong_check_digits(number: str) -> str:
    """The same nine first digits with check digits that fail both the classic and the 2032 rule."""
    for k1 in range(10):
        for k2 in range(10):
            candidate = number[:9] + f"{k1}{k2}"
            try:
                identitetsnummer(candidate)
            except Skjemafeil as error:
                if "check digits" in error.melding.msgid:
                    return candidate
    raise AssertionError("every check-digit pair is valid")


def test_a_valid_number_is_accepted_also_when_typed_in_groups() -> None:
    assert identitetsnummer(VALID) == VALID
    assert identitetsnummer(f" {VALID[:6]} {VALID[6:]} ") == VALID


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Fill in the identity number."),
        ("   ", "Fill in the identity number."),
        ("1234567890", "The number must be 11 digits. You typed %(count)s digits."),
        ("123456789012", "The number must be 11 digits. You typed %(count)s digits."),
        ("1234567890a", "The number may contain only digits. Remove letters, spaces and other signs."),
        ("١٢٣٤٥٦٧٨٩٠١", "The number may contain only digits. Remove letters, spaces and other signs."),
    ],
)
def test_what_is_wrong_with_a_number_is_said(typed: str, says: str) -> None:
    with pytest.raises(Skjemafeil) as raised:
        identitetsnummer(typed)
    assert raised.value.felt == "identifikasjonsnummer"
    assert raised.value.melding.msgid == says


def test_the_count_of_digits_typed_is_told() -> None:
    with pytest.raises(Skjemafeil) as raised:
        identitetsnummer("1234567890")
    assert raised.value.melding.params == {"count": 10}


def test_wrong_check_digits_are_named_as_such() -> None:
    with pytest.raises(Skjemafeil) as raised:
        identitetsnummer(_with_wrong_check_digits(VALID))
    assert raised.value.melding.msgid.startswith("The check digits do not match.")


def test_an_impossible_date_part_is_named_as_such() -> None:
    # 32nd of a month; the check digits are made right so only the date is wrong.
    from fiks_folkeregister.domain.identitetsnummer import check_digits

    first_nine = "320184" + "123"
    checks = check_digits(first_nine)
    if checks is None:
        first_nine = "320184" + "124"
        checks = check_digits(first_nine)
    assert checks is not None
    with pytest.raises(Skjemafeil) as raised:
        identitetsnummer(first_nine + checks)
    assert raised.value.melding.msgid.startswith("The first six digits are not a valid date.")


def test_search_form_becomes_the_registers_query() -> None:
    form = {
        "navn": " Kari  Nordmann ",
        "foedselsdato": "7.3.1984",
        "postnummer": "0150",
        "inkluderDoede": "true",
        "historisk": "true",
        "kommunenummer": "",
    }
    assert spoerring(skjemaverdier(form, SOEK_FELTER)) == {
        "navn": ["Kari  Nordmann"],
        "foedselsdato": ["19840307"],
        "postnummer": ["0150"],
        "inkluderDoede": ["true"],
        "opplysningsgrunnlag": ["historisk"],
    }


@pytest.mark.parametrize("typed", ["31.02.1984", "1984", "17/05/1984", "1984-13-01"])
def test_a_birth_date_that_is_no_date_is_explained(typed: str) -> None:
    with pytest.raises(Skjemafeil) as raised:
        spoerring({"foedselsdato": typed})
    assert raised.value.felt == "foedselsdato"
    assert "dd.mm.åååå" in raised.value.melding.msgid


def test_only_choices_are_no_search() -> None:
    with pytest.raises(Skjemafeil) as raised:
        spoerring(skjemaverdier({"inkluderDoede": "true", "soekFonetisk": "true"}, SOEK_FELTER))
    assert raised.value.melding.msgid == "Give at least one search criterion."


@pytest.mark.parametrize(
    "form",
    [
        {"navn": "Kari Nordmann"},
        {"foedselsdato": "17.05.1984"},
        {"navn": "Kari Nordmann", "adressenavn": "Storgata"},
    ],
)
def test_identify_one_needs_an_identifying_combination(form: dict[str, str]) -> None:
    with pytest.raises(Skjemafeil) as raised:
        entydig_spoerring(skjemaverdier(form, ENTYDIG_FELTER))
    assert "together with a birth date" in raised.value.melding.msgid


def test_identify_one_by_name_and_street() -> None:
    form = {"navn": "Kari Nordmann", "adressenavn": "Storgata", "husnummer": "3B"}
    assert entydig_spoerring(skjemaverdier(form, ENTYDIG_FELTER)) == {
        "navn": ["Kari Nordmann"],
        "adressenavn": ["Storgata"],
        "husnummer": ["3B"],
    }


def test_a_refusal_of_the_registers_parser_is_explained_per_field() -> None:
    assert forklar_parameter("adressenavn", "too short").msgid == "The street name needs at least 3 letters."
    other = forklar_parameter("fylkesnummer", "fylkesnummer must be 2 digits")
    assert other.params == {"detail": "fylkesnummer must be 2 digits"}


def test_every_message_and_label_is_in_the_catalogue() -> None:
    from pathlib import Path

    from babel.messages.pofile import read_po

    import fiks_folkeregister.portal as portal
    from fiks_folkeregister.portal import soekeskjema

    po = Path(portal.__file__).parent / "locale" / "nb" / "LC_MESSAGES" / "sider.po"
    with po.open("rb") as handle:
        catalogue = read_po(handle)
    ids = {message.id for message in catalogue if message.string}
    labels = {text for felt in (*SOEK_FELTER, *ENTYDIG_FELTER) for text in (felt.etikett, felt.hjelp) if text}
    labels |= {text for felt in SOEK_FELTER for _, text in felt.valg}
    tree = ast.parse(Path(soekeskjema.__file__).read_text(encoding="utf-8"))
    messages = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "Melding"
        and isinstance(node.args[0], ast.Constant)
    }
    assert messages, "no messages found in the module"
    assert not (labels | messages) - ids
