"""Hand-made person documents for the Oppvekst API's tests: families with every case the contract covers."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from fiks_folkeregister.domain.identitetsnummer import generate_synthetic


def meta(current: bool = True, since: str = "2019-01-01", until: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "erGjeldende": current,
        "gyldighetstidspunkt": f"{since}T00:00:00Z",
        "ajourholdstidspunkt": f"{since}T00:00:00Z",
        "kilde": "test",
    }
    if until:
        meta["opphoerstidspunkt"] = f"{until}T00:00:00Z"
    return meta


def veg(street: str, number: str, kommune: str = "0301", postnummer: str = "0150") -> dict[str, Any]:
    return {
        "vegadresse": {
            "adressenavn": street,
            "adressenummer": {"husnummer": number},
            "kommunenummer": kommune,
            "poststed": {"postnummer": postnummer, "poststedsnavn": "OSLO"},
            "adressekode": "12345",
        },
        "adresseIdentifikatorFraMatrikkelen": f"{street}-{number}",
    }


def bosted(street: str, number: str, grading: str = "ugradert", **more: Any) -> dict[str, Any]:
    return {
        **meta(since="2020-06-01"),
        "adressegradering": grading,
        **veg(street, number),
        "flyttedato": "2020-06-01",
        "skolekrets": 301012,
        "grunnkrets": 3010101,
        "kirkekrets": 30101,
        "stemmekrets": 301001,
        **more,
    }


class People:
    """Synthetic numbers that do not collide with each other (the seeded population uses other dates)."""

    def __init__(self) -> None:
        self.rng = random.Random(uuid.uuid4().int)
        self.taken: set[str] = set()

    def number(self, born: date, kjoenn: str, d_nummer: bool = False) -> str:
        return generate_synthetic(born, kjoenn, self.rng, d_nummer=d_nummer, taken=self.taken)  # type: ignore[arg-type]

    def person(
        self,
        fornavn: str,
        born: date,
        kjoenn: str,
        status: str = "bosatt",
        d_nummer: bool = False,
        **elements: Any,
    ) -> dict[str, Any]:
        number = self.number(born, kjoenn, d_nummer)
        document: dict[str, Any] = {
            "identifikasjonsnummer": [
                {
                    **meta(),
                    "foedselsEllerDNummer": number,
                    "identifikatortype": "dNummer" if d_nummer else "foedselsnummer",
                    "status": "iBruk",
                }
            ],
            "navn": [{**meta(), "fornavn": fornavn, "etternavn": "Oppvekstsen"}],
            "kjoenn": [{**meta(), "kjoenn": kjoenn}],
            "foedsel": [
                {
                    **meta(),
                    "foedselsdato": born.isoformat(),
                    "foedselsaar": str(born.year),
                    "foedeland": "NOR",
                }
            ],
            "status": [{**meta(), "status": status}],
            "statsborgerskap": [{**meta(), "statsborgerskap": "NOR"}],
            "sivilstand": [{**meta(), "sivilstand": "ugift"}],
        }
        document.update(elements)
        return document


def number_of(document: dict[str, Any]) -> str:
    return document["identifikasjonsnummer"][0]["foedselsEllerDNummer"]


def responsibility(child: dict[str, Any], ansvar: str, *holders: dict[str, Any]) -> None:
    """Parental responsibility and family relations, on the child and on each holder."""
    for holder in holders:
        child.setdefault("foreldreansvar", []).append(
            {**meta(), "ansvar": ansvar, "ansvarlig": number_of(holder)}
        )
        holder.setdefault("foreldreansvar", []).append(
            {**meta(), "ansvar": ansvar, "ansvarssubjekt": number_of(child)}
        )
        role = "mor" if holder["kjoenn"][0]["kjoenn"] == "kvinne" else "far"
        child.setdefault("familierelasjon", []).append(
            {
                **meta(),
                "relatertPerson": number_of(holder),
                "relatertPersonsRolle": role,
                "minRolleForPerson": "barn",
            }
        )


@dataclass
class Families:
    """The hand-made families, by what each child shows."""

    children: dict[str, dict[str, Any]]
    adults: dict[str, dict[str, Any]]

    def child(self, name: str) -> str:
        return number_of(self.children[name])

    def adult(self, name: str) -> str:
        return number_of(self.adults[name])


def make_families() -> Families:
    people = People()
    born = date(2019, 3, 14)
    # 1. An ordinary family, parents apart: deltBosted at the father's, an earlier d-number, two citizenships.
    mother = people.person("Mor", date(1988, 2, 3), "kvinne", bostedsadresse=[bosted("Solveien", "1")])
    father = people.person("Far", date(1986, 5, 6), "mann", bostedsadresse=[bosted("Skogveien", "9")])
    father["postadresse"] = [
        {**meta(), "adressegradering": "ugradert", "postboksadresse": {"postboks": "Postboks 12"}}
    ]
    delt = people.person(
        "Delt",
        born,
        "kvinne",
        bostedsadresse=[bosted("Solveien", "1")],
        deltBosted=[
            {
                **meta(since="2023-01-01"),
                "adressegradering": "ugradert",
                "startdatoForKontrakt": "2023-01-01",
                **veg("Skogveien", "9"),
            }
        ],
        statsborgerskap=[
            {**meta(), "statsborgerskap": "POL"},
            {**meta(), "statsborgerskap": "NOR", "ervervsdato": "2019-04-01"},
        ],
    )
    earlier = people.number(born, "kvinne", d_nummer=True)
    delt["identifikasjonsnummer"].append(
        {
            **meta(False, "2019-03-14", "2019-04-01"),
            "foedselsEllerDNummer": earlier,
            "identifikatortype": "dNummer",
            "status": "opphoert",
        }
    )
    responsibility(delt, "felles", mother, father)

    # 2. A d-number child with foreign ids; one guardian dead, one abroad, one without identity number.
    dead = people.person(
        "Doed", date(1980, 1, 2), "kvinne", status="doed", bostedsadresse=[bosted("Kirkeveien", "3")]
    )
    dead["doedsfall"] = {**meta(since="2024-01-01"), "doedsdato": "2024-01-01"}
    abroad = people.person("Borte", date(1979, 7, 8), "mann", status="utflyttet")
    abroad["bostedsadresse"] = [{**bosted("Gamleveien", "2"), **meta(False, "2015-01-01", "2022-01-01")}]
    abroad["postadresseIUtlandet"] = [
        {
            **meta(),
            "adressegradering": "ugradert",
            "utenlandskAdresseIFrittFormat": {"adresselinje": ["Calle 1"], "landkode": "ESP"},
        }
    ]
    d_child = people.person(
        "Dnr",
        date(2019, 9, 1),
        "mann",
        status="midlertidig",
        d_nummer=True,
        oppholdsadresse=[
            {
                **meta(),
                "adressegradering": "ugradert",
                "oppholdsadressedato": "2024-01-01",
                "utenlandskAdresse": {"adressenavn": "Rua 5", "landkode": "PRT", "byEllerStedsnavn": "Porto"},
            }
        ],
        utenlandskPersonidentifikasjon=[
            {
                **meta(),
                "identifikasjonsnummer": "PT-998877",
                "identifikasjonsnummertype": "pass",
                "utstederland": "PRT",
            }
        ],
        utlendingsmyndighetenesIdentifikasjonsnummer=[
            {
                **meta(),
                "identifikasjonsnummer": "DUF-20190901",
                "identifikasjonsnummertype": "duf",
                "utstederland": "NOR",
            }
        ],
    )
    responsibility(d_child, "felles", dead, abroad)
    d_child["foreldreansvar"].append(
        {
            **meta(),
            "ansvar": "andre",
            "ansvarligUtenIdentifikator": {"navn": {"fornavn": "Uten", "etternavn": "Nummer"}},
        }
    )

    # 3. A strengtFortrolig child; its mother (not protected in the data) lives at the same address.
    hidden = people.person(
        "Skjult",
        born,
        "kvinne",
        bostedsadresse=[bosted("Hemmeligveien", "7", "strengtFortrolig")],
        adressebeskyttelse=[{**meta(), "graderingsnivaa": "strengtFortrolig"}],
        postadresse=[
            {
                **meta(),
                "adressegradering": "ugradert",
                "postboksadresse": {"postbokseier": "SOT6 Vika", "postboks": "Postboks 2094 Vika"},
            }
        ],
    )
    hidden_mother = people.person(
        "Skjultmor", date(1990, 1, 1), "kvinne", bostedsadresse=[bosted("Hemmeligveien", "7")]
    )
    hidden_mother["postadresse"] = [{**meta(), "adressegradering": "ugradert", **veg("Hemmeligveien", "7")}]
    responsibility(hidden, "mor", hidden_mother)

    # 4. The reverse: a strengtFortrolig father, his child (not protected in the data) lives with him.
    protected_father = people.person(
        "Vernetfar",
        date(1985, 1, 1),
        "mann",
        bostedsadresse=[bosted("Skjultgata", "4", "strengtFortrolig")],
        adressebeskyttelse=[{**meta(), "graderingsnivaa": "strengtFortrolig"}],
    )
    with_father = people.person("Medfar", born, "mann", bostedsadresse=[bosted("Skjultgata", "4")])
    responsibility(with_father, "far", protected_father)

    # 5. A fortrolig child: a role with offentlig-med-hjemmel sees its address, graded.
    confidential = people.person(
        "Fortrolig",
        born,
        "kvinne",
        bostedsadresse=[bosted("Lukketveien", "5", "fortrolig")],
        adressebeskyttelse=[{**meta(), "graderingsnivaa": "fortrolig"}],
    )
    confidential_mother = people.person(
        "Fortroligmor",
        date(1991, 1, 1),
        "kvinne",
        bostedsadresse=[bosted("Lukketveien", "5", "fortrolig")],
        adressebeskyttelse=[{**meta(), "graderingsnivaa": "fortrolig"}],
    )
    responsibility(confidential, "mor", confidential_mother)

    # 6. A ceased person (personstatus opphoert).
    ceased = people.person(
        "Opphoert", born, "mann", status="opphoert", bostedsadresse=[bosted("Solveien", "3")]
    )

    return Families(
        children={
            "delt": delt,
            "dnummer": d_child,
            "skjult": hidden,
            "medfar": with_father,
            "fortrolig": confidential,
            "opphoert": ceased,
        },
        adults={
            "mor": mother,
            "far": father,
            "doed": dead,
            "borte": abroad,
            "skjultmor": hidden_mother,
            "vernetfar": protected_father,
            "fortroligmor": confidential_mother,
        },
    )
