"""The protection rule at a place the person's current document no longer holds (an annulled move): graded
as the relatives' current documents grade it there, and only there."""

from __future__ import annotations

from typing import Any

from fiks_folkeregister.domain.beskyttelse import (
    event_graded_as_now,
    event_relatives_needed,
    graded_as_now,
    relatives_needed,
)

HOME = {
    "kommunenummer": "0301",
    "adressenavn": "Storgata",
    "adressekode": "12000",
    "adressenummer": {"husnummer": "1"},
}
BEFORE = {**HOME, "adressenummer": {"husnummer": "9"}}


def _bosted(where: dict[str, Any], grading: str, start: str, current: bool = True) -> dict[str, Any]:
    return {
        "erGjeldende": current,
        "gyldighetstidspunkt": start,
        "adressegradering": grading,
        "vegadresse": where,
    }


def _person(number: str, bosted: list[dict[str, Any]], spouse: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "identifikasjonsnummer": [{"erGjeldende": True, "foedselsEllerDNummer": number}],
        "bostedsadresse": bosted,
    }
    if spouse is not None:
        document["familierelasjon"] = [
            {"erGjeldende": True, "relatertPerson": spouse, "relatertPersonsRolle": "ektefelleEllerPartner"}
        ]
    return document


#: She moved to HOME with her spouse (the version then), her move was annulled (back at BEFORE), and the
#: spouse was given protection at HOME.
MOVED = _person(
    "1", [_bosted(HOME, "ugradert", "2020"), _bosted(BEFORE, "ugradert", "2010", current=False)], spouse="2"
)
ANNULLED = _person("1", [_bosted(BEFORE, "ugradert", "2010")], spouse="2")
SPOUSE = _person("2", [_bosted(HOME, "fortrolig", "2020")], spouse="1")


def test_an_annulled_stay_at_a_relatives_protected_home_is_graded_as_there() -> None:
    assert relatives_needed(MOVED, ANNULLED) == ["2"]
    graded = graded_as_now(MOVED, ANNULLED, [SPOUSE])
    assert [e["adressegradering"] for e in graded["bostedsadresse"]] == ["fortrolig", "ugradert"]
    # without the relatives' documents the register would give it out ungraded
    assert graded_as_now(MOVED, ANNULLED)["bostedsadresse"][0]["adressegradering"] == "ugradert"


def test_places_the_current_document_holds_are_not_graded_by_relatives() -> None:
    """The household rule grades the person's own entries there; a relative's grading of a place the person
    still holds (say, the relative's history) changes nothing, and no relative is read for it."""
    spouse = _person("2", [_bosted(BEFORE, "fortrolig", "2010")], spouse="1")
    assert relatives_needed(ANNULLED, ANNULLED) == []
    assert graded_as_now(ANNULLED, ANNULLED, [spouse]) is ANNULLED


def test_an_event_naming_the_annulled_stay_is_graded_too() -> None:
    event = {
        "dokumentidentifikator": "e",
        "hendelse": {
            "hendelsestype": "endringIBostedsadresse",
            "egenskapshendelse": [
                {
                    "entitet": "Bostedsadresse",
                    "entitetsendring": "annullere",
                    "bostedsadresse": _bosted(HOME, "ugradert", "2020"),
                }
            ],
        },
    }
    assert event_relatives_needed(event, ANNULLED) == ["2"]
    graded = event_graded_as_now(event, ANNULLED, [SPOUSE])
    assert graded["hendelse"]["egenskapshendelse"][0]["bostedsadresse"]["adressegradering"] == "fortrolig"
