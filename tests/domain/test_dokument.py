"""One rule for which entries of a person document are current, and what protection applies.

An entry is current only when `erGjeldende is True`; the protection reading counts every adressebeskyttelse
entry that does not explicitly say `erGjeldende: false`. The tests at the end check that every reader of
person documents follows that rule for an entry that carries no `erGjeldende` at all.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from fiks_folkeregister.domain.beskyttelse import current_protection_level as beskyttelse_level
from fiks_folkeregister.domain.dokument import (
    address_kommune,
    current_addresses,
    current_entries,
    current_entry,
    current_identifier,
    current_protection_level,
    entries,
    historic_entries,
    is_current,
)
from fiks_folkeregister.domain.hendelse import Hendelsestype, open_to_uten_hjemmel
from fiks_folkeregister.domain.informasjonselementer import PartRequest, Rettighetspakke
from fiks_folkeregister.domain.minimering import minimise
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.domain.rollepolicy import filter_to_role, identifiers_of
from fiks_folkeregister.register.population.examples import _current as example_current
from fiks_folkeregister.register.search.indeks import index_rows
from fiks_folkeregister.register.simulator import current, grading

ADDRESS = {"vegadresse": {"adressenavn": "Storgata", "kommunenummer": "0301"}, "adressegradering": "ugradert"}
UNFLAGGED_ADDRESS = {
    "vegadresse": {"adressenavn": "Lillegata", "kommunenummer": "0301"},
    "adressegradering": "ugradert",
}


def _document(**elements: Any) -> dict[str, Any]:
    return {
        "identifikasjonsnummer": [
            {
                "erGjeldende": True,
                "foedselsEllerDNummer": "01010112345",
                "identifikatortype": "foedselsnummer",
            }
        ],
        **elements,
    }


# ---------------------------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"erGjeldende": True}, True),
        ({"erGjeldende": False}, False),
        ({}, False),
        ({"erGjeldende": None}, False),
        ({"erGjeldende": "true"}, False),
        ({"erGjeldende": 1}, False),
        ("not an entry", False),
    ],
)
def test_only_an_explicit_true_is_current(entry: Any, expected: bool) -> None:
    assert is_current(entry) is expected


def test_current_and_historic_entries_split_an_element_in_document_order() -> None:
    now, old, unflagged = {"erGjeldende": True, "n": 1}, {"erGjeldende": False, "n": 2}, {"n": 3}
    document = {"navn": [old, now, unflagged], "doedsfall": {"n": 4}}
    assert current_entries(document, "navn") == [now]
    assert current_entry(document, "navn") is now
    assert historic_entries(document, "navn") == [old, unflagged]
    # A single-entry element (one object, not a list) follows the same rule.
    assert current_entries(document, "doedsfall") == []
    assert current_entry(document, "doedsfall") is None
    assert historic_entries(document, "doedsfall") == [{"n": 4}]
    assert current_entries(document, "sivilstand") == [] and entries(None) == []


def test_current_addresses_are_the_current_entries_of_every_address_element() -> None:
    bosted, opphold = {**ADDRESS, "erGjeldende": True}, {**ADDRESS, "erGjeldende": True}
    document = _document(
        bostedsadresse=[bosted, {**ADDRESS, "erGjeldende": False}, UNFLAGGED_ADDRESS],
        oppholdsadresse=[opphold],
    )
    assert sorted(current_addresses(document), key=lambda pair: pair[0]) == [
        ("bostedsadresse", bosted),
        ("oppholdsadresse", opphold),
    ]


def test_the_identity_number_in_use_is_the_current_identifier_entry() -> None:
    old = {"erGjeldende": False, "foedselsEllerDNummer": "41010112345"}
    document = {**_document(), "identifikasjonsnummer": [old, *_document()["identifikasjonsnummer"]]}
    assert current_identifier(document) == "01010112345"
    # Without a current entry (history only, or a flag missing) there is no number in use: an error, not a guess.
    with pytest.raises(ValueError, match="current identifikasjonsnummer"):
        current_identifier({"identifikasjonsnummer": [old, {"foedselsEllerDNummer": "01010112345"}]})


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"vegadresse": {"kommunenummer": "0301"}}, "0301"),
        ({"matrikkeladresse": {"matrikkelnummer": {"kommunenummer": "4601"}}}, "4601"),
        ({"ukjentBosted": {"bostedskommune": "5001"}}, "5001"),
        ({"utenlandskAdresse": {"landkode": "SWE"}}, None),
        ({"vegadresse": {"adressenavn": "Storgata"}}, None),
    ],
)
def test_an_address_entry_lies_in_the_municipality_its_address_names(
    entry: Any, expected: str | None
) -> None:
    assert address_kommune(entry) == expected


@pytest.mark.parametrize(
    ("protection", "expected"),
    [
        ([], "ugradert"),
        ([{"erGjeldende": True, "graderingsnivaa": "fortrolig"}], "fortrolig"),
        ([{"erGjeldende": False, "graderingsnivaa": "strengtFortrolig"}], "ugradert"),
        # No flag: the protection still applies (fails closed).
        ([{"graderingsnivaa": "strengtFortrolig"}], "strengtFortrolig"),
        ([{"erGjeldende": None, "graderingsnivaa": "fortrolig"}], "fortrolig"),
        # The strictest of all entries that apply, whatever their order.
        (
            [
                {"erGjeldende": True, "graderingsnivaa": "klientadresse"},
                {"graderingsnivaa": "strengtFortrolig"},
                {"erGjeldende": False, "graderingsnivaa": "fortrolig"},
            ],
            "strengtFortrolig",
        ),
        ({"graderingsnivaa": "fortrolig"}, "fortrolig"),
        ([{"erGjeldende": True, "graderingsnivaa": "hemmelig"}], "hemmelig"),
    ],
)
def test_the_current_protection_is_the_strictest_entry_not_explicitly_ended(
    protection: Any, expected: str
) -> None:
    document = _document(adressebeskyttelse=protection)
    assert current_protection_level(document) == expected
    assert beskyttelse_level(document) == expected  # the address-protection rule reads it the same way
    assert grading(document) == expected  # and so does the register's simulator


# ------------------------------------------------- every reader treats an entry without the flag the same


def _role(historikk: bool) -> Rolle:
    return Rolle(
        uuid.uuid4(),
        "910000004",
        "saksbehandler",
        Rettighetspakke.OFFENTLIG_MED_HJEMMEL,
        frozenset({Bruksomraade.SOK_ETTER_PERSON}),
        frozenset({"identifikasjonsnummer", "bostedsadresse", "adressebeskyttelse", "navn"}),
        historikk,
    )


def test_an_entry_without_the_flag_is_history_to_minimisation_and_the_role_filter() -> None:
    current_address = {**ADDRESS, "erGjeldende": True}
    document = _document(bostedsadresse=[current_address, UNFLAGGED_ADDRESS], navn=[{"fornavn": "Uten"}])
    request = PartRequest(frozenset({"bostedsadresse", "navn"}), historikk=False)

    minimised = minimise(document, Rettighetspakke.OFFENTLIG_MED_HJEMMEL, request)
    filtered = filter_to_role(document, _role(historikk=False), request)

    for answer in (minimised, filtered):
        assert answer["bostedsadresse"] == [current_address]
        assert "navn" not in answer
    # Asked for with history, by a role that may see it, the entry is there (as history).
    with_history = filter_to_role(
        document, _role(historikk=True), PartRequest(request.elements, historikk=True)
    )
    assert with_history["bostedsadresse"] == [current_address, UNFLAGGED_ADDRESS]


def test_a_protection_entry_without_the_flag_protects_the_person_everywhere() -> None:
    # Hidden from a role without history like any unflagged entry, yet it still applies: the person's
    # address events are withheld from offentlig-uten-hjemmel, and the grading read is the entry's.
    document = _document(
        adressebeskyttelse=[{"graderingsnivaa": "strengtFortrolig"}],
        bostedsadresse=[{**ADDRESS, "erGjeldende": True}],
    )
    request = PartRequest(frozenset({"adressebeskyttelse"}), historikk=False)
    assert "adressebeskyttelse" not in filter_to_role(document, _role(historikk=False), request)
    assert current_protection_level(document) == "strengtFortrolig"
    assert beskyttelse_level(document) == "strengtFortrolig"
    assert grading(document) == "strengtFortrolig"
    assert open_to_uten_hjemmel(Hendelsestype.endringIBostedsadresse, document) is False


def test_register_readers_treat_an_entry_without_the_flag_as_history() -> None:
    current_address = {**ADDRESS, "erGjeldende": True}
    document = _document(bostedsadresse=[UNFLAGGED_ADDRESS, current_address])
    assert current(document, "bostedsadresse") == [current_address]  # the simulator
    assert example_current(document, "bostedsadresse") == [current_address]  # the population examples
    historic_number = {"foedselsEllerDNummer": "41010112345", "identifikatortype": "dNummer"}
    document["identifikasjonsnummer"].insert(0, historic_number)
    assert identifiers_of(document) == ["01010112345", "41010112345"]  # current first


def _number(number: str, current: bool | None) -> dict[str, Any]:
    flag = {} if current is None else {"erGjeldende": current}
    return {"foedselsEllerDNummer": number, "identifikatortype": "foedselsnummer", **flag}


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ([], []),
        ([_number("01010112345", True)], ["01010112345"]),
        ([_number("41010112345", False)], ["41010112345"]),
        ([_number("41010112345", None)], ["41010112345"]),
        ([{"erGjeldende": True}], []),
        ([_number("41010112345", False), _number("01010112345", True)], ["01010112345", "41010112345"]),
        ([_number("01010112345", True), _number("01010112345", False)], ["01010112345"]),
        (
            [_number("41010112345", None), _number("51010112345", False), _number("01010112345", True)],
            ["01010112345", "41010112345", "51010112345"],
        ),
    ],
)
def test_the_audit_trail_names_each_identity_number_a_document_shows_once_current_first(
    numbers: list[dict[str, Any]], expected: list[str]
) -> None:
    assert identifiers_of({"identifikasjonsnummer": numbers}) == expected


def test_the_search_index_marks_an_entry_without_the_flag_as_not_current() -> None:
    document = _document(
        navn=[
            {"fornavn": "Uten", "etternavn": "Flagg"},
            {"erGjeldende": True, "fornavn": "Med", "etternavn": "Flagg"},
        ],
        bostedsadresse=[UNFLAGGED_ADDRESS],
    )
    rows = index_rows(1, document)
    assert {row["gjeldende"] for row in rows.navn} == {False, True}
    assert all(row["gjeldende"] is False for row in rows.adresser)
