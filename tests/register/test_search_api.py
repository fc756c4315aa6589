"""Person search over HTTP (personer/soek, personer/entydigsoek) on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select

from fiks_folkeregister.domain.identitetsnummer import generate_synthetic
from fiks_folkeregister.register.repository import new_dokumentidentifikator
from fiks_folkeregister.register.tables import person
from tests.contract import validate_against_spec
from tests.register.conftest import MED, UTEN, ServedRegister
from tests.register.search_fixtures import (
    Persons,
    add_crowd,
    add_search_persons,
    entry,
    person_document,
    vegadresse,
)

MED_PKG = "offentlig-med-hjemmel"
UTEN_PKG = "offentlig-uten-hjemmel"
CROWD = 10_001
CROWD_BORN_1_JANUARY = 30


@dataclass
class Search:
    served: ServedRegister
    persons: Persons

    def soek(self, package: str = MED_PKG, **params: Any) -> httpx.Response:
        scope = MED if package == MED_PKG else UTEN
        return self.served.client.get(
            self.served.url(package, "personer/soek"), params=params, headers=self.served.auth(scope)
        )

    def found(self, package: str = MED_PKG, **params: Any) -> list[str]:
        response = self.soek(package, **params)
        assert response.status_code == 200, response.text
        return response.json()["foedselsEllerDNummer"]

    def entydig(self, package: str = MED_PKG, params: Any = None) -> httpx.Response:
        scope = MED if package == MED_PKG else UTEN
        return self.served.client.get(
            self.served.url(package, "personer/entydigsoek"), params=params, headers=self.served.auth(scope)
        )


@pytest.fixture(scope="module")
def search(served_register: ServedRegister) -> Search:
    persons = add_search_persons(served_register.repository)
    add_crowd(served_register.repository, CROWD, CROWD_BORN_1_JANUARY)
    return Search(served_register, persons)


# ---------------------------------------------------------------- soek: names


def test_name_words_match_whole_words_case_and_accent_insensitively(search: Search) -> None:
    assert search.found(navn="thone aasvangen") == [search.persons["thone"]]
    assert search.found(navn="MATHILDE") == [search.persons["thone"]]
    assert search.found(navn="Mathild") == []
    assert search.found(navn="Aasvange") == []


def test_every_word_must_match_the_same_name(search: Search) -> None:
    assert search.found(navn="Thone Carlssen") == []
    assert search.found(navn="Thone Carlssen", opplysningsgrunnlag="historisk") == [search.persons["thone"]]
    assert search.found(navn="Aasvangen Carlssen", opplysningsgrunnlag="historisk") == []


def test_phonetic_search_finds_spelling_variants(search: Search) -> None:
    thone, christian = search.persons["thone"], search.persons["christian"]
    assert search.found(navn="Tone Åsvangen") == []
    assert search.found(navn="Tone Åsvangen", soekFonetisk="true") == [thone]
    assert search.found(navn="Kristian Sorensen", soekFonetisk="true") == [christian]
    assert search.found(navn="Kristian Sørensen") == []
    assert search.found(navn="Tore Åsvangen", soekFonetisk="true") == []


def test_deceased_persons_are_found_only_with_inkluderDoede(search: Search) -> None:
    thone, dead = search.persons["thone"], search.persons["dead"]
    assert search.found(navn="Tone Åsvangen", soekFonetisk="true") == [thone]
    with_dead = search.found(navn="Tone Åsvangen", soekFonetisk="true", inkluderDoede="true")
    assert with_dead == sorted([thone, dead])


# ---------------------------------------------------------------- soek: person and address criteria


def test_birth_date_year_range_and_kjoenn_narrow_the_hits(search: Search) -> None:
    twins = sorted([search.persons["twin1"], search.persons["twin2"]])
    assert search.found(navn="Tvillingsen", foedselsdato="19900615") == twins
    assert search.found(navn="Tvillingsen", foedselsdato="19900616") == []
    assert search.found(navn="Tvillingsen", foedselsaarFraOgMed="1990", foedselsaarTilOgMed="1990") == twins
    assert search.found(navn="Tvillingsen", foedselsaarFraOgMed="1991") == []
    assert search.found(navn="Tvillingsen", foedselsaarTilOgMed="1989") == []
    assert search.found(navn="Tvillingsen", kjoenn="mann") == twins
    assert search.found(navn="Tvillingsen", kjoenn="kvinne") == []


def test_street_prefix_house_number_and_letter(search: Search) -> None:
    thone, christian = search.persons["thone"], search.persons["christian"]
    assert search.found(adressenavn="blåklokke", husnummer="7") == sorted([thone, christian])
    assert search.found(adressenavn="Blåklokkevegen", husnummer="7B") == [thone]
    assert search.found(adressenavn="Blå", husnummer="7", kommunenummer="3401", postnummer="2208") == sorted(
        [thone, christian]
    )
    assert search.found(adressenavn="Blåklokkevegen", husnummer="8") == []


def test_area_criteria_use_the_current_bostedsadresse(search: Search) -> None:
    thone = search.persons["thone"]
    assert thone in search.found(navn="Aasvangen", kommunenummer="3401")
    assert search.found(navn="Aasvangen", fylkesnummer="34") == [thone]
    assert search.found(navn="Aasvangen", kommunenummer="3401", fylkesnummer="03") == []  # not in that fylke
    assert search.found(navn="Aasvangen", kommunenummer="0301") == []
    assert search.found(navn="Aasvangen", postnummer="0150") == []


def test_historic_addresses_match_only_with_opplysningsgrunnlag_historisk(search: Search) -> None:
    thone = search.persons["thone"]
    assert search.found(adressenavn="Gamle Zylinder", husnummer="12") == []
    historic = search.found(adressenavn="Gamle Zylinder", husnummer="12", opplysningsgrunnlag="historisk")
    assert historic == [thone]
    assert search.found(navn="Aasvangen", kommunenummer="0301", opplysningsgrunnlag="historisk") == [thone]


def test_oppholdsadresse_matches_only_with_inkluderOppholdsadresse(search: Search) -> None:
    dnummer = search.persons["dnummer"]
    assert search.found(adressenavn="Oppholdsgata") == []
    assert search.found(adressenavn="Oppholdsgata", inkluderOppholdsadresse="true") == [dnummer]


# ---------------------------------------------------------------- soek: limits and response


def test_more_than_ten_thousand_hits_asks_for_narrower_criteria(search: Search) -> None:
    response = search.soek(navn="Mengdesen")
    assert response.status_code == 400
    body = response.json()
    assert body["feilkode"] == "FOR_MANGE_TREFF" and "narrow" in body["feilmelding"]
    assert search.soek(navn="Mengdesen", maksTreff="5").status_code == 400


def test_maksTreff_cuts_the_sorted_hit_list(search: Search, register_spec: dict) -> None:
    everyone = search.found(navn="Massimo Mengdesen", foedselsdato="19010101")
    assert len(everyone) == CROWD_BORN_1_JANUARY and everyone == sorted(everyone)
    assert search.found(navn="Massimo Mengdesen", foedselsdato="19010101", maksTreff="7") == everyone[:7]
    body = search.soek(navn="Massimo Mengdesen", foedselsdato="19010101").json()
    validate_against_spec(register_spec, "soek.response.PersonsoekResponse", body)


def test_a_search_without_hits_is_an_empty_list(search: Search) -> None:
    assert search.soek(navn="Ingenslikenavnsen").json() == {"foedselsEllerDNummer": []}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"navn": "Kar*"},
        {"navn": "' OR 1=1 --"},
        {"adressenavn": "Bl"},
        {"foedselsdato": "1990-06-15"},
        {"navn": "Kari", "maksTreff": "10001"},
        {"navn": "Kari", "maksTreff": "-3"},
        {"navn": "Kari", "kjoenn": "annet"},
        {"navn": "Kari", "fornavn": "Kari"},
        {"navn": "Kari", "part": "navn"},
    ],
)
def test_bad_input_is_a_400_in_the_registers_error_format(
    search: Search, params: dict[str, str], register_spec: dict
) -> None:
    response = search.soek(**params)
    assert response.status_code == 400
    body = response.json()
    assert body["httpStatus"] == 400 and body["feilkode"] and body["feilmelding"]
    validate_against_spec(register_spec, "FolkeregisterFeilmelding", body)


def test_search_needs_a_valid_token(search: Search) -> None:
    response = search.served.client.get(search.served.url(MED_PKG, "personer/soek"), params={"navn": "Kari"})
    assert response.status_code == 401


# ---------------------------------------------------------------- rights packages and address protection


def test_protected_addresses_find_nobody_through_offentlig_uten_hjemmel(search: Search) -> None:
    fortrolig, klient = search.persons["fortrolig"], search.persons["klient"]
    assert search.found(MED_PKG, adressenavn="Skjulteveien", husnummer="3") == [fortrolig]
    assert search.found(UTEN_PKG, adressenavn="Skjulteveien", husnummer="3") == []
    assert search.found(UTEN_PKG, navn="Hemmeligsen", kommunenummer="3403") == []
    assert search.found(UTEN_PKG, navn="Hemmeligsen", postnummer="2317") == []
    assert search.found(MED_PKG, adressenavn="Institusjonsveien") == [klient]
    assert search.found(UTEN_PKG, adressenavn="Institusjonsveien") == []


def test_a_strengt_fortrolig_address_is_never_searchable(search: Search) -> None:
    strengt = search.persons["strengt"]
    for package in (MED_PKG, UTEN_PKG):
        assert search.found(package, adressenavn="Skjulteveien", husnummer="5") == []
        assert search.found(package, navn="Strengsen", kommunenummer="3403") == []
        assert search.found(package, navn="Zenobia Strengsen") == [strengt]


def test_names_of_protected_persons_are_searchable_as_a_lookup_shows_them(search: Search) -> None:
    fortrolig = search.persons["fortrolig"]
    assert search.found(UTEN_PKG, navn="Zenobia Hemmeligsen") == [fortrolig]
    # The historic, ungraded address is shown by a lookup with historikk, so it may be searched.
    assert search.found(UTEN_PKG, adressenavn="Åpenveien", opplysningsgrunnlag="historisk") == [fortrolig]


# ---------------------------------------------------------------- entydigsoek


def test_name_and_birth_date_identify_one_person(search: Search, register_spec: dict) -> None:
    response = search.entydig(params={"navn": "Thone Aasvangen", "foedselsdato": "19710305"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == search.persons["thone"]
    assert {"navn", "foedsel", "bostedsadresse"} <= set(body)
    validate_against_spec(register_spec, "Folkeregisterperson", body)


def test_entydigsoek_minimises_with_part_as_a_lookup_does(search: Search) -> None:
    params = [
        ("navn", "Thone Aasvangen"),
        ("foedselsdato", "19710305"),
        ("part", "navn"),
        ("part", "historikk"),
    ]
    body = search.entydig(params=params).json()
    assert set(body) == {"identifikasjonsnummer", "navn"}
    assert any(not name["erGjeldende"] for name in body["navn"])
    bad = search.entydig(
        params={"navn": "Thone Aasvangen", "foedselsdato": "19710305", "part": "skostoerrelse"}
    )
    assert bad.status_code == 400 and bad.json()["feilkode"] == "UGYLDIG_PART"


def test_first_word_must_be_a_first_name_and_last_word_a_surname(search: Search) -> None:
    thone = search.persons["thone"]
    ok = {"foedselsdato": "19710305"}
    assert search.entydig(params={**ok, "navn": "Mathilde Aasvangen"}).status_code == 200
    assert search.entydig(params={**ok, "navn": "Thone Mathilde Aasvangen"}).status_code == 200
    assert search.entydig(params={**ok, "navn": "Aasvangen Thone"}).status_code == 404
    assert search.entydig(params={**ok, "navn": "Thone Mathilde"}).status_code == 404
    found = search.entydig(params={**ok, "navn": "Tone Åsvangen", "soekFonetisk": "true"})
    assert found.status_code == 200
    assert found.json()["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == thone


def test_historic_names_identify_only_with_historisk(search: Search) -> None:
    params = {"navn": "Thone Carlssen", "foedselsdato": "19710305"}
    assert search.entydig(params=params).status_code == 404
    assert search.entydig(params={**params, "opplysningsgrunnlag": "historisk"}).status_code == 200


def test_several_matches_or_none_is_a_404(search: Search) -> None:
    several = search.entydig(params={"navn": "Jonatan Tvillingsen", "foedselsdato": "19900615"})
    assert several.status_code == 404 and several.json()["feilkode"] == "INGEN_ENTYDIG_TREFF"
    assert several.json()["tilleggsinformasjon"] == {"treff": "flere"}  # the portal says: add criteria
    none = search.entydig(params={"navn": "Jonatan Tvillingsen", "foedselsdato": "19900616"})
    assert none.status_code == 404 and none.json()["tilleggsinformasjon"] == {"treff": "ingen"}
    narrowed = search.entydig(
        params={
            "navn": "Jonatan Tvillingsen",
            "foedselsdato": "19900615",
            "adressenavn": "Tvil",
            "husnummer": "4",
        }
    )
    assert narrowed.status_code == 200
    assert narrowed.json()["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == search.persons["twin2"]


def test_address_needs_the_house_letter_exactly_as_registered(search: Search) -> None:
    base = {"navn": "Thone Aasvangen", "adressenavn": "Blåklokkevegen"}
    assert search.entydig(params={**base, "husnummer": "7B"}).status_code == 200
    assert search.entydig(params={**base, "husnummer": "7"}).status_code == 404
    christian = {"navn": "Christian Sørenssen", "adressenavn": "Blåk"}
    assert search.entydig(params={**christian, "husnummer": "7"}).status_code == 200
    assert search.entydig(params={**christian, "husnummer": "7B"}).status_code == 404
    assert search.entydig(params={**christian, "postnummer": "2208"}).status_code == 200


def test_identity_numbers_match_historic_numbers_too(search: Search) -> None:
    served = search.served
    with served.repository.engine.connect() as connection:
        taken = set(connection.execute(select(person.c.foedsels_eller_d_nummer)).scalars())
    born = date(1960, 2, 2)
    rng = random.Random(3)
    old, new = (generate_synthetic(born, "mann", rng, taken=taken) for _ in range(2))
    document = person_document(new, "Bartholomeus", "Nyttnummersen", born, "mann")
    document["identifikasjonsnummer"].append(
        entry(False, foedselsEllerDNummer=old, identifikatortype="foedselsnummer", status="opphoert")
    )
    served.repository.add_persons([document], [new_dokumentidentifikator()])
    for number in (old, new):
        params = {"navn": "Bartholomeus Nyttnummersen", "identifikasjonsnummer": number}
        response = search.entydig(params=params)
        assert response.status_code == 200
        assert response.json()["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == new


def test_foreign_identifiers_identify_for_offentlig_med_hjemmel_only(search: Search) -> None:
    dnummer = search.persons["dnummer"]
    cases = [
        {"navn": "Wojciech Zawadzki", "utenlandskpersonidentifikasjon": "pol-ABC123"},
        {"navn": "Wojciech Zawadzki", "legitimasjonsdokument": "SWE-PA998877"},
        {"navn": "Wojciech Zawadzki", "utlendingsmyndighetenesidentifikasjonsnummer": "1234 5678 9012"},
        {"foedselsdato": "19900909", "legitimasjonsdokument": "SWE-PA998877"},
    ]
    for params in cases:
        response = search.entydig(MED_PKG, params)
        assert response.status_code == 200, params
        assert response.json()["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == dnummer
        refused = search.entydig(UTEN_PKG, params)
        assert refused.status_code == 403 and refused.json()["feilkode"] == "MANGLER_TILGANG"


def test_oppholdsadresse_identifies_in_entydigsoek(search: Search) -> None:
    params = {"navn": "Wojciech Zawadzki", "adressenavn": "Oppholdsgata", "husnummer": "1"}
    assert search.entydig(params=params).status_code == 200


def test_entydigsoek_never_finds_a_person_by_an_address_the_package_may_not_see(search: Search) -> None:
    fortrolig = {"navn": "Zenobia Hemmeligsen", "adressenavn": "Skjulteveien", "husnummer": "3"}
    assert search.entydig(MED_PKG, fortrolig).status_code == 200
    assert search.entydig(UTEN_PKG, fortrolig).status_code == 404
    strengt = {"navn": "Zenobia Strengsen", "adressenavn": "Skjulteveien", "husnummer": "5"}
    assert search.entydig(MED_PKG, strengt).status_code == 404
    by_date = search.entydig(UTEN_PKG, {"navn": "Zenobia Hemmeligsen", "foedselsdato": "19850505"})
    assert by_date.status_code == 200
    assert "bostedsadresse" not in by_date.json()


def test_confidential_status_is_masked_in_the_entydigsoek_answer(search: Search) -> None:
    body = search.entydig(UTEN_PKG, {"navn": "Wojciech Zawadzki", "foedselsdato": "19900909"}).json()
    assert [entry["status"] for entry in body["status"]] == ["aktiv"]


def test_entydigsoek_without_identifying_combination_is_a_400(search: Search) -> None:
    response = search.entydig(params={"navn": "Thone Aasvangen"})
    assert response.status_code == 400
    assert response.json()["feilkode"] == "MANGLER_IDENTIFISERENDE_KRITERIER"


# ---------------------------------------------------------------- the index follows document changes


def test_reindexing_a_person_makes_search_follow_the_new_document(search: Search) -> None:
    served = search.served
    number = search.persons["christian"]
    stored = served.repository.current_documents([number])[number]
    document = orjson.loads(stored.dokument)
    document["navn"] = [
        entry(fornavn="Christian", etternavn="Nyttnavnsen"),
        entry(False, **{"fornavn": "Christian", "etternavn": "Sørenssen"}),
    ]
    document["bostedsadresse"] = [
        vegadresse("Flytteveien", "2", "0301", "0150"),
        {**document["bostedsadresse"][0], "erGjeldende": False},
    ]
    with served.repository.engine.connect() as connection:
        person_id = connection.execute(
            select(person.c.id).where(person.c.foedsels_eller_d_nummer == number)
        ).scalar_one()
    served.repository.reindex_person(person_id, document)
    try:
        assert search.found(navn="Christian Nyttnavnsen") == [number]
        assert search.found(navn="Christian Sørenssen") == []
        assert search.found(navn="Christian Sørenssen", opplysningsgrunnlag="historisk") == [number]
        assert search.found(adressenavn="Flytteveien", husnummer="2") == [number]
    finally:
        served.repository.reindex_person(person_id, orjson.loads(stored.dokument))
    assert search.found(navn="Christian Sørenssen") == [number]


# ---------------------------------------------------------------- the seeded population


def test_seeded_persons_are_found_by_their_current_name_and_birth_date(search: Search) -> None:
    number = search.served.examples["ordinary-adult"][0]
    body = search.served.client.get(
        search.served.url(MED_PKG, f"personer/{number}"), headers=search.served.auth(MED)
    ).json()
    navn = body["navn"][0]
    foedselsdato = body["foedsel"][0]["foedselsdato"].replace("-", "")
    parts = (navn["fornavn"], navn.get("mellomnavn"), navn["etternavn"])
    full_name = " ".join(part for part in parts if part)
    assert number in search.found(navn=full_name, foedselsdato=foedselsdato)
    first = navn["fornavn"].split()[0]
    found = search.entydig(params={"navn": f"{first} {navn['etternavn']}", "foedselsdato": foedselsdato})
    assert found.status_code == 200
