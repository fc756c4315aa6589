"""The Oppvekst answer when a register hands the gateway a protected address (the embedded one never does)."""

from __future__ import annotations

import uuid
from typing import Any

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.oppvekst import authorise_oppvekst, oppvekst_answer
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle, role_elements

CHILD, MOTHER, FATHER = "01811999999", "01818899999", "01818799999"
CURRENT = {"erGjeldende": True}


def _address(street: str, grading: str = "ugradert") -> dict[str, Any]:
    return {
        **CURRENT,
        "adressegradering": grading,
        "vegadresse": {"adressenavn": street, "adressenummer": {"husnummer": "1"}, "kommunenummer": "0301"},
    }


def _person(number: str, street: str, grading: str = "ugradert", **more: Any) -> dict[str, Any]:
    return {
        "identifikasjonsnummer": [
            {**CURRENT, "foedselsEllerDNummer": number, "identifikatortype": "foedselsnummer"}
        ],
        "bostedsadresse": [_address(street, grading)],
        **more,
    }


def _role() -> Rolle:
    elementer, historikk = role_elements(
        Rettighetspakke.OFFENTLIG_MED_HJEMMEL,
        ["person-basis", "utenlandskPersonidentifikasjon", "familierelasjon", "foreldreansvar", "historikk"],
    )
    return Rolle(
        uuid.uuid4(),
        "910000004",
        "oppvekst",
        Rettighetspakke.OFFENTLIG_MED_HJEMMEL,
        frozenset({Bruksomraade.SOK_ETTER_PERSON}),
        elementer,
        historikk,
    )


def test_a_known_protected_address_hides_only_the_entries_at_that_address() -> None:
    # A register that (wrongly) hands over the strengtFortrolig address: the gateway drops it, and uses it
    # to drop the same address wherever else it appears; other addresses of the family stay.
    child = _person(
        CHILD,
        "Hemmeligveien",
        "strengtFortrolig",
        adressebeskyttelse=[{**CURRENT, "graderingsnivaa": "strengtFortrolig"}],
        foreldreansvar=[
            {**CURRENT, "ansvar": "felles", "ansvarlig": MOTHER},
            {**CURRENT, "ansvar": "felles", "ansvarlig": FATHER},
        ],
    )
    mother = _person(MOTHER, "Hemmeligveien")
    father = _person(FATHER, "Skogveien")
    role = _role()

    [answer] = oppvekst_answer([child], [mother, father], role, authorise_oppvekst(role))

    assert "bostedsadresse" not in answer
    guardians = {g["identifikasjonsnummer"]["foedselsEllerDNummer"]: g for g in answer["foreldreansvarlige"]}
    assert "bostedsadresse" not in guardians[MOTHER]
    assert guardians[FATHER]["bostedsadresse"]["vegadresse"]["adressenavn"] == "Skogveien"
    assert "Hemmeligveien" not in repr(answer)


def test_an_unknown_protected_address_hides_every_home_of_the_family_but_a_post_box() -> None:
    child = _person(
        CHILD,
        "Hemmeligveien",
        "strengtFortrolig",
        adressebeskyttelse=[{**CURRENT, "graderingsnivaa": "strengtFortrolig"}],
        foreldreansvar=[{**CURRENT, "ansvar": "mor", "ansvarlig": MOTHER}],
    )
    del child["bostedsadresse"]  # as every register gives it: the protected address is withheld
    mother = _person(
        MOTHER,
        "Solveien",
        postadresse=[{**CURRENT, "adressegradering": "ugradert", "postboksadresse": {"postboks": "Boks 1"}}],
    )
    role = _role()

    [answer] = oppvekst_answer([child], [mother], role, authorise_oppvekst(role))

    [guardian] = answer["foreldreansvarlige"]
    assert "bostedsadresse" not in guardian
    assert guardian["postadresse"] == {
        "adressegradering": "ugradert",
        "postboksadresse": {"postboks": "Boks 1"},
    }


def test_a_protection_entry_without_erGjeldende_still_hides_the_family_homes() -> None:
    # The one currency rule (domain/dokument.py): an entry without the flag is history, but a protection
    # entry applies unless it explicitly says `erGjeldende: false`.
    child = _person(
        CHILD,
        "Hemmeligveien",
        "strengtFortrolig",
        adressebeskyttelse=[{"graderingsnivaa": "strengtFortrolig"}],
        foreldreansvar=[{**CURRENT, "ansvar": "mor", "ansvarlig": MOTHER}],
    )
    del child["bostedsadresse"]
    mother = _person(MOTHER, "Solveien")
    role = _role()

    [answer] = oppvekst_answer([child], [mother], role, authorise_oppvekst(role))

    [guardian] = answer["foreldreansvarlige"]
    assert "bostedsadresse" not in guardian
    assert "Solveien" not in repr(answer)
    assert answer["adressebeskyttelse"] == "strengtFortrolig"
