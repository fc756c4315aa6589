"""Hand-made persons for the search tests, added to a seeded register so every case has a known answer."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from fiks_folkeregister.domain.identitetsnummer import generate_synthetic
from fiks_folkeregister.register.repository import PersonRepository, new_dokumentidentifikator
from fiks_folkeregister.register.tables import person

META = {
    "gyldighetstidspunkt": "2000-01-01T00:00:00Z",
    "ajourholdstidspunkt": "2000-01-01T00:00:00Z",
    "kilde": "skatteetaten",
}


def entry(current: bool = True, **fields: Any) -> dict[str, Any]:
    return {"erGjeldende": current, **META, **fields}


def vegadresse(
    adressenavn: str,
    husnummer: str,
    kommunenummer: str,
    postnummer: str,
    *,
    husbokstav: str | None = None,
    gradering: str = "ugradert",
    current: bool = True,
) -> dict[str, Any]:
    nummer = {"husnummer": husnummer, **({"husbokstav": husbokstav} if husbokstav else {})}
    return entry(
        current,
        adressegradering=gradering,
        vegadresse={
            "kommunenummer": kommunenummer,
            "adressenavn": adressenavn,
            "adressenummer": nummer,
            "poststed": {"postnummer": postnummer, "poststedsnavn": "TESTSTED"},
        },
    )


@dataclass
class Persons:
    """Identity numbers of the hand-made persons, by nickname."""

    ids: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.ids[name]


def person_document(
    number: str,
    fornavn: str,
    etternavn: str,
    born: date,
    kjoenn: str,
    *,
    mellomnavn: str | None = None,
    historic_names: list[dict[str, Any]] | None = None,
    **elements: Any,
) -> dict[str, Any]:
    navn = {"fornavn": fornavn, "etternavn": etternavn, **({"mellomnavn": mellomnavn} if mellomnavn else {})}
    document: dict[str, Any] = {
        "identifikasjonsnummer": [
            entry(foedselsEllerDNummer=number, identifikatortype="foedselsnummer", status="iBruk")
        ],
        "navn": [entry(**navn), *[entry(False, **old) for old in historic_names or []]],
        "foedsel": [entry(foedselsdato=born.isoformat(), foedselsaar=str(born.year))],
        "kjoenn": [entry(kjoenn=kjoenn)],
        "status": [entry(status="bosatt")],
    }
    document.update(elements)
    return document


def add_search_persons(repository: PersonRepository) -> Persons:
    """Add the hand-made persons (names unknown to the synthetic population) and return their numbers."""
    with repository.engine.connect() as connection:
        taken = set(connection.execute(select(person.c.foedsels_eller_d_nummer)).scalars())
    rng = random.Random(99)
    persons = Persons()

    def number(nickname: str, born: date, kjoenn: str, d_nummer: bool = False) -> str:
        persons.ids[nickname] = generate_synthetic(born, kjoenn, rng, d_nummer=d_nummer, taken=taken)
        return persons.ids[nickname]

    documents = []
    born = date(1971, 3, 5)
    documents.append(
        person_document(
            number("thone", born, "kvinne"),
            "Thone Mathilde",
            "Aasvangen",
            born,
            "kvinne",
            historic_names=[{"fornavn": "Thone Mathilde", "etternavn": "Carlssen"}],
            bostedsadresse=[
                vegadresse("Blåklokkevegen", "7", "3401", "2208", husbokstav="B"),
                vegadresse("Gamle Zylinderveien", "12", "0301", "0150", current=False),
            ],
        )
    )
    born = date(1980, 1, 1)
    documents.append(
        person_document(
            number("christian", born, "mann"),
            "Christian",
            "Sørenssen",
            born,
            "mann",
            bostedsadresse=[vegadresse("Blåklokkevegen", "7", "3401", "2208")],
        )
    )
    born = date(1930, 7, 9)
    documents.append(
        person_document(
            number("dead", born, "kvinne"),
            "Tone",
            "Åsvangen",
            born,
            "kvinne",
            status=[entry(status="doed")],
            doedsfall=entry(doedsdato="2020-02-02"),
            bostedsadresse=[vegadresse("Blåklokkevegen", "9", "3401", "2208")],
        )
    )
    born = date(1985, 5, 5)
    documents.append(
        person_document(
            number("fortrolig", born, "kvinne"),
            "Zenobia",
            "Hemmeligsen",
            born,
            "kvinne",
            adressebeskyttelse=[entry(graderingsnivaa="fortrolig")],
            bostedsadresse=[
                vegadresse("Skjulteveien", "3", "3403", "2317", gradering="fortrolig"),
                vegadresse("Åpenveien", "4", "3403", "2317", current=False),
            ],
        )
    )
    born = date(1986, 6, 6)
    documents.append(
        person_document(
            number("strengt", born, "kvinne"),
            "Zenobia",
            "Strengsen",
            born,
            "kvinne",
            adressebeskyttelse=[entry(graderingsnivaa="strengtFortrolig")],
            bostedsadresse=[vegadresse("Skjulteveien", "5", "3403", "2317", gradering="strengtFortrolig")],
        )
    )
    born = date(1987, 7, 7)
    documents.append(
        person_document(
            number("klient", born, "mann"),
            "Zacharias",
            "Klientsen",
            born,
            "mann",
            bostedsadresse=[vegadresse("Institusjonsveien", "1", "3403", "2317", gradering="klientadresse")],
        )
    )
    born = date(1990, 9, 9)
    documents.append(
        person_document(
            number("dnummer", born, "mann", d_nummer=True),
            "Wojciech",
            "Zawadzki",
            born,
            "mann",
            status=[entry(status="midlertidig")],
            oppholdsadresse=[vegadresse("Oppholdsgata", "1", "3401", "2208")],
            utenlandskPersonidentifikasjon=[entry(identifikasjonsnummer="ABC 123", utstederland="POL")],
            legitimasjonsdokument=[entry(identifikasjonsdokumentnummer="PA998877", utstederland="SWE")],
            utlendingsmyndighetenesIdentifikasjonsnummer=[entry(identifikasjonsnummer="123456789012")],
        )
    )
    born = date(1990, 6, 15)
    for twin in ("twin1", "twin2"):
        documents.append(
            person_document(
                number(twin, born, "mann"),
                "Jonatan",
                "Tvillingsen",
                born,
                "mann",
                bostedsadresse=[vegadresse("Tvillingveien", "2" if twin == "twin1" else "4", "3401", "2208")],
            )
        )
    repository.add_persons(documents, [new_dokumentidentifikator() for _ in documents])
    return persons


def add_crowd(repository: PersonRepository, size: int, born_on_first_day: int) -> None:
    """`size` persons named "Massimo Mengdesen", born 1901; the first `born_on_first_day` on 1 January."""
    with repository.engine.connect() as connection:
        taken = set(connection.execute(select(person.c.foedsels_eller_d_nummer)).scalars())
    rng = random.Random(5)
    documents = []
    for index in range(size):
        born = date(1901, 1, 1) if index < born_on_first_day else date(1901, 1 + index % 12, 2 + index % 27)
        kjoenn = "mann" if index % 2 else "kvinne"
        number = generate_synthetic(born, kjoenn, rng, taken=taken)
        documents.append(person_document(number, "Massimo", "Mengdesen", born, kjoenn))
    repository.add_persons(documents, [new_dokumentidentifikator() for _ in documents])
