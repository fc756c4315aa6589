"""The synthetic population: deterministic, valid against the register's contract, and realistic enough
that every rule of the register and the gateway has persons to act on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from fiks_folkeregister.domain.beskyttelse import GRADING_RANK, current_protection_level, place
from fiks_folkeregister.domain.identitetsnummer import IdentityNumberKind, parse_identitetsnummer
from fiks_folkeregister.register.population.examples import EXAMPLE_CATEGORIES, example_categories
from fiks_folkeregister.register.population.generator import generate_population
from fiks_folkeregister.register.population.geografi import FYLKER, kommuner_by_nummer, load_kommuner
from tests.contract import validate_against_spec

REFERENCE_DATE = date(2026, 11, 1)
PERSONS = 5000
SEED = 20240601
ADDRESS_ELEMENTS = ("bostedsadresse", "oppholdsadresse", "deltBosted", "postadresse", "postadresseIUtlandet")
INVERSE_ROLE = {
    "mor": "barn",
    "far": "barn",
    "medmor": "barn",
    "ektefelleEllerPartner": "ektefelleEllerPartner",
}

Document = dict[str, Any]


@pytest.fixture(scope="module")
def population() -> list[Document]:
    return list(generate_population(PERSONS, SEED, REFERENCE_DATE))


@pytest.fixture(scope="module")
def by_id(population: list[Document]) -> dict[str, Document]:
    return {identifier(document): document for document in population}


def identifier(document: Document) -> str:
    return next(e["foedselsEllerDNummer"] for e in document["identifikasjonsnummer"] if e["erGjeldende"])


def current(document: Document, element: str) -> list[dict[str, Any]]:
    return [entry for entry in document.get(element, ()) if entry["erGjeldende"]]


def status(document: Document) -> str:
    (entry,) = current(document, "status")
    return entry["status"]


def birth_date(document: Document) -> date:
    return date.fromisoformat(document["foedsel"][0]["foedselsdato"])


def age(document: Document) -> int:
    born = birth_date(document)
    ref = REFERENCE_DATE
    return ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}/{index}")


def address_parts(entry: dict[str, Any]) -> list[str]:
    """Every kommunenummer an address entry names."""
    numbers = []
    if "vegadresse" in entry:
        numbers.append(entry["vegadresse"]["kommunenummer"])
    if "matrikkeladresse" in entry:
        numbers.append(entry["matrikkeladresse"]["matrikkelnummer"]["kommunenummer"])
    if "ukjentBosted" in entry:
        numbers.append(entry["ukjentBosted"]["bostedskommune"])
    return numbers


def kommune_of(entry: dict[str, Any]) -> str:
    (number,) = address_parts(entry)
    return number


# ---------------------------------------------------------------- size and determinism


@pytest.mark.parametrize("persons", [0, 1, 5, 7, 123])
def test_yields_exactly_the_number_of_persons_asked_for(persons: int) -> None:
    assert len(list(generate_population(persons, 3, REFERENCE_DATE))) == persons


def test_the_full_population_has_the_size_asked_for(population: list[Document]) -> None:
    assert len(population) == PERSONS


def test_same_arguments_give_the_same_documents() -> None:
    first = list(generate_population(600, 99, REFERENCE_DATE))
    second = list(generate_population(600, 99, REFERENCE_DATE))
    assert first == second


def test_another_seed_gives_another_population() -> None:
    first = {identifier(d) for d in generate_population(300, 1, REFERENCE_DATE)}
    second = {identifier(d) for d in generate_population(300, 2, REFERENCE_DATE)}
    assert first != second


def test_a_smaller_population_is_not_required_to_be_a_prefix_but_is_deterministic() -> None:
    assert list(generate_population(50, 5, REFERENCE_DATE)) == list(
        generate_population(50, 5, REFERENCE_DATE)
    )


def test_negative_size_is_refused() -> None:
    with pytest.raises(ValueError):
        list(generate_population(-1, 1, REFERENCE_DATE))


@pytest.mark.parametrize("reference_date", [date(1950, 1, 1), date(2040, 1, 1)])
def test_reference_dates_outside_the_identity_number_ranges_are_refused(reference_date: date) -> None:
    with pytest.raises(ValueError, match="reference_date"):
        list(generate_population(10, 1, reference_date))


@pytest.mark.parametrize("reference_date", [date(1960, 1, 1), date(2039, 12, 31)])
def test_reference_dates_at_the_edges_work(reference_date: date) -> None:
    documents = list(generate_population(300, 4, reference_date))
    assert len(documents) == 300
    assert max(d["foedsel"][0]["foedselsdato"] for d in documents) <= reference_date.isoformat()


# ---------------------------------------------------------------- shape


def test_every_document_validates_against_the_register_spec(
    population: list[Document], register_spec: dict[str, Any]
) -> None:
    for document in population:
        validate_against_spec(register_spec, "person.v1.Folkeregisterperson", document)


def test_documents_hold_no_none_and_dates_are_iso(population: list[Document]) -> None:
    for document in population:
        for path, value in walk(document):
            assert value is not None, path
            if path.endswith(("tidspunkt",)):
                assert len(value) == 20 and value.endswith("Z") and value[10] == "T", (path, value)
            if path.endswith(("dato", "foedselsdato", "startdatoForKontrakt")):
                date.fromisoformat(value)


def test_every_entry_carries_metadata_and_history_is_ended(population: list[Document]) -> None:
    skip = {"foedselsEllerDNummer"}
    for document in population:
        for element, value in document.items():
            entries = [value] if isinstance(value, dict) else value
            for entry in entries:
                assert entry["kilde"] == "skatteetaten"
                assert {"erGjeldende", "gyldighetstidspunkt", "ajourholdstidspunkt"} <= entry.keys() - skip
                if entry["erGjeldende"]:
                    assert "opphoerstidspunkt" not in entry, element
                else:
                    assert entry["opphoerstidspunkt"] >= entry["gyldighetstidspunkt"], (element, entry)


def test_nothing_happens_after_the_reference_date(population: list[Document]) -> None:
    limit = REFERENCE_DATE.isoformat()
    for document in population:
        for path, value in walk(document):
            if path.endswith(("tidspunkt", "dato", "startdatoForKontrakt")):
                assert value[:10] <= limit, (path, value)


def test_at_most_one_current_entry_per_address_type_and_single_valued_elements(
    population: list[Document],
) -> None:
    for document in population:
        for element in (
            *ADDRESS_ELEMENTS,
            "navn",
            "kjoenn",
            "foedsel",
            "status",
            "sivilstand",
            "identitetsgrunnlag",
        ):
            assert len(current(document, element)) <= 1, (identifier(document), element)
        assert len(current(document, "identifikasjonsnummer")) == 1
        assert len(current(document, "navn")) == 1


def test_every_vegadresse_is_complete(population: list[Document]) -> None:
    seen = 0
    for document in population:
        for path, value in walk(document):
            if path.endswith("/vegadresse"):
                seen += 1
                assert value["kommunenummer"] and value["adressenavn"]
                assert value["adressenummer"]["husnummer"].isdigit()
                assert set(value["poststed"]) == {"postnummer", "poststedsnavn"}
    assert seen > PERSONS


# ---------------------------------------------------------------- identity numbers


def test_identity_numbers_are_unique_valid_and_synthetic_plus_80(population: list[Document]) -> None:
    numbers = [e["foedselsEllerDNummer"] for d in population for e in d["identifikasjonsnummer"]]
    assert len(numbers) == len(set(numbers))
    for document in population:
        for entry in document["identifikasjonsnummer"]:
            parsed = parse_identitetsnummer(entry["foedselsEllerDNummer"])
            assert parsed.synthetic == "skatteetaten"
            assert parsed.kind == entry["identifikatortype"]
            assert parsed.birth_date == birth_date(document)
            assert parsed.kjoenn == document["kjoenn"][0]["kjoenn"]


def test_d_number_holders_have_no_bostedsadresse_and_a_temporary_status(population: list[Document]) -> None:
    holders = [
        d for d in population if current(d, "identifikasjonsnummer")[0]["identifikatortype"] == "dNummer"
    ]
    assert holders
    for document in holders:
        assert "bostedsadresse" not in document
        assert status(document) in {"ikkeBosatt", "midlertidig"}
    assert any(current(d, "oppholdsadresse") for d in holders)


def test_some_former_d_number_holders_now_have_a_foedselsnummer(population: list[Document]) -> None:
    former = [
        d
        for d in population
        if any(
            e["identifikatortype"] == "dNummer" and e["status"] == "opphoert"
            for e in d["identifikasjonsnummer"]
        )
    ]
    assert former
    assert all(
        current(d, "identifikasjonsnummer")[0]["identifikatortype"] == "foedselsnummer" for d in former
    )


# ---------------------------------------------------------------- addresses


def test_foedselsnummer_holders_have_a_current_bostedsadresse_unless_emigrated(
    population: list[Document],
) -> None:
    """The decision: deceased persons keep their last bostedsadresse; emigrated ones have history only."""
    for document in population:
        if (
            current(document, "identifikasjonsnummer")[0]["identifikatortype"]
            != IdentityNumberKind.foedselsnummer
        ):
            continue
        if status(document) == "utflyttet":
            assert document["bostedsadresse"] and not current(document, "bostedsadresse")
            assert current(document, "utflytting")[0]["tilflyttingsland"]
        else:
            assert len(current(document, "bostedsadresse")) == 1, identifier(document)


def test_addresses_name_real_municipalities_postal_places_and_grunnkretser(
    population: list[Document],
) -> None:
    kommuner = kommuner_by_nummer()
    for document in population:
        for element in ("bostedsadresse", "oppholdsadresse", "deltBosted"):
            for entry in document.get(element, ()):
                for number in address_parts(entry):
                    assert number in kommuner
                for part in ("vegadresse", "matrikkeladresse"):
                    if part in entry:
                        postnummer = entry[part]["poststed"]["postnummer"]
                        knr = kommune_of(entry)
                        assert postnummer in {p.postnummer for p in kommuner[knr].poststeder}
                if element == "bostedsadresse" and "grunnkrets" in entry:
                    assert str(entry["grunnkrets"]).zfill(8).startswith(kommune_of(entry))
                    assert all(isinstance(entry[k], int) for k in ("skolekrets", "stemmekrets", "kirkekrets"))


def test_addresses_look_norwegian(population: list[Document]) -> None:
    vegadresser = [
        e["vegadresse"] for d in population for e in d.get("bostedsadresse", ()) if "vegadresse" in e
    ]
    assert any("bruksenhetsnummer" in v for v in vegadresser)
    assert any("husbokstav" in v["adressenummer"] for v in vegadresser)
    assert all(v.get("bruksenhetsnummer", "H0101")[0] == "H" for v in vegadresser)
    municipalities = {v["kommunenummer"] for v in vegadresser}
    assert len(municipalities) > 150  # spread over the country, weighted by population
    assert Counter(v["kommunenummer"] for v in vegadresser).most_common(1)[0][0] == "0301"


def test_children_with_delt_bosted_have_it_in_another_municipality(population: list[Document]) -> None:
    children = [d for d in population if current(d, "deltBosted")]
    assert children
    for child in children:
        (delt,) = current(child, "deltBosted")
        (bosted,) = current(child, "bostedsadresse")
        assert kommune_of(delt) != kommune_of(bosted)
        assert delt["startdatoForKontrakt"] >= child["foedsel"][0]["foedselsdato"]
        assert age(child) < 18


# ---------------------------------------------------------------- relations


def test_every_familierelasjon_is_mirrored_with_the_inverse_roles(
    population: list[Document], by_id: dict[str, Document]
) -> None:
    relations = 0
    for document in population:
        me = identifier(document)
        for relation in document.get("familierelasjon", ()):
            relations += 1
            other = by_id[relation["relatertPerson"]]
            mirror = [
                r
                for r in other.get("familierelasjon", ())
                if r["relatertPerson"] == me
                and r["relatertPersonsRolle"] == relation["minRolleForPerson"]
                and r["minRolleForPerson"] == relation["relatertPersonsRolle"]
                and r["erGjeldende"] == relation["erGjeldende"]
            ]
            assert len(mirror) == 1, (me, relation)
            mine, theirs = relation["minRolleForPerson"], relation["relatertPersonsRolle"]
            assert INVERSE_ROLE.get(theirs) == mine or INVERSE_ROLE.get(mine) == theirs
    assert relations > PERSONS / 2


def test_relations_are_yielded_household_by_household() -> None:
    """Whoever a person relates to has been yielded by the end of that person's family unit."""
    seen: set[str] = set()
    pending: set[str] = set()
    for document in generate_population(1500, 8, REFERENCE_DATE):
        me = identifier(document)
        seen.add(me)
        pending.discard(me)
        pending.update(
            r["relatertPerson"]
            for r in document.get("familierelasjon", ())
            if r["relatertPerson"] not in seen
        )
        assert len(pending) <= 5  # only members of the unit being yielded are outstanding
    assert not pending


def test_foreldreansvar_points_at_existing_persons_both_ways(
    population: list[Document], by_id: dict[str, Document]
) -> None:
    kinds = Counter()
    for document in population:
        me = identifier(document)
        for entry in document.get("foreldreansvar", ()):
            if "ansvarlig" in entry:
                assert age(document) < 18
                holder = by_id[entry["ansvarlig"]]
                assert any(e.get("ansvarssubjekt") == me for e in holder["foreldreansvar"])
                kinds[entry["ansvar"]] += 1
            else:
                child = by_id[entry["ansvarssubjekt"]]
                assert any(e.get("ansvarlig") == me for e in child["foreldreansvar"])
    assert kinds["felles"] > 10 * (kinds["mor"] + kinds["far"]) / 2
    assert kinds["mor"] and kinds["far"]


def test_minors_have_foreldreansvar_and_felles_means_one_entry_per_parent(population: list[Document]) -> None:
    minors = [d for d in population if age(d) < 18 and status(d) == "bosatt"]
    assert minors
    for child in minors:
        entries = current(child, "foreldreansvar")
        assert entries, identifier(child)
        if entries[0]["ansvar"] == "felles":
            assert len(entries) == 2 and len({e["ansvarlig"] for e in entries}) == 2


def test_married_couples_point_at_each_other(by_id: dict[str, Document], population: list[Document]) -> None:
    married = [d for d in population if any(e["sivilstand"] == "gift" for e in current(d, "sivilstand"))]
    assert married
    for document in married:
        (gift,) = current(document, "sivilstand")
        spouse = by_id[gift["relatertVedSivilstand"]]
        (theirs,) = current(spouse, "sivilstand")
        assert theirs["relatertVedSivilstand"] == identifier(document)
        assert any(e["sivilstand"] == "ugift" and not e["erGjeldende"] for e in document["sivilstand"])


def test_marriage_name_changes_keep_the_earlier_name(population: list[Document]) -> None:
    changed = [d for d in population if len(d["navn"]) > 1]
    assert changed
    for document in changed:
        (now,) = current(document, "navn")
        (before,) = [n for n in document["navn"] if not n["erGjeldende"]]
        assert before["etternavn"] != now["etternavn"]
        assert before["opphoerstidspunkt"] == now["gyldighetstidspunkt"]


def test_life_events_happen_in_a_plausible_order(
    population: list[Document], by_id: dict[str, Document]
) -> None:
    for document in population:
        born = birth_date(document)
        adult_from = born.replace(year=born.year + 16) if (born.month, born.day) != (2, 29) else born
        for entry in document["sivilstand"]:
            if entry["sivilstand"] != "ugift":
                assert date.fromisoformat(entry["sivilstandsdato"]) >= adult_from, identifier(document)
        for relation in document.get("familierelasjon", ()):
            if relation["relatertPersonsRolle"] == "barn":
                child_born = birth_date(by_id[relation["relatertPerson"]])
                assert (child_born - born).days > 15 * 365, identifier(document)
        for element in ("bostedsadresse", "navn", "status", "statsborgerskap"):
            for entry in document.get(element, ()):
                assert entry["gyldighetstidspunkt"][:10] >= born.isoformat(), (identifier(document), element)
        if "doedsfall" in document:
            assert document["doedsfall"]["doedsdato"] >= born.isoformat()


# ---------------------------------------------------------------- statuses and protection


def test_deceased_and_emigrated_persons(population: list[Document]) -> None:
    deceased = [d for d in population if status(d) == "doed"]
    emigrated = [d for d in population if status(d) == "utflyttet"]
    assert deceased and emigrated
    for document in deceased:
        assert document["doedsfall"]["doedsdato"] >= document["foedsel"][0]["foedselsdato"]
        assert any(e["status"] == "bosatt" and not e["erGjeldende"] for e in document["status"])
    for document in emigrated:
        assert "doedsfall" not in document
        (utflytting,) = document["utflytting"]
        assert len(utflytting["tilflyttingsland"]) == 3


def test_address_protection_shares(population: list[Document]) -> None:
    levels = Counter(e["graderingsnivaa"] for d in population for e in current(d, "adressebeskyttelse"))
    assert 0.002 * PERSONS <= levels["fortrolig"] <= 0.012 * PERSONS
    assert 1 <= levels["strengtFortrolig"] <= 0.004 * PERSONS


def test_addresses_are_graded_like_their_person(population: list[Document]) -> None:
    for document in population:
        grading = next((e["graderingsnivaa"] for e in current(document, "adressebeskyttelse")), "ugradert")
        for element in ("bostedsadresse", "deltBosted", "oppholdsadresse"):
            for entry in current(document, element):
                assert entry["adressegradering"] == grading
        if grading == "strengtFortrolig":
            (post,) = current(document, "postadresse")
            assert post["adressegradering"] == "ugradert"
            assert post["postboksadresse"]["postboks"]


def test_no_relative_shows_a_protected_address_less_graded(
    population: list[Document], by_id: dict[str, Document]
) -> None:
    """The register's rule: who lives (or lived, or has deltBosted) at a protected person's address has it
    graded at least as strictly there, so no relative's entry, current or historic, gives it out."""
    checked = 0
    for document in population:
        level = current_protection_level(document)
        if level == "ugradert":
            continue
        homes = {place(entry) for entry in current(document, "bostedsadresse")} - {None}
        numbers = {e["relatertPerson"] for e in document.get("familierelasjon", ())}
        numbers |= {
            e["relatertVedSivilstand"] for e in document.get("sivilstand", ()) if "relatertVedSivilstand" in e
        }
        for other in [document, *(by_id[n] for n in numbers if n in by_id)]:
            for element in ADDRESS_ELEMENTS:
                for entry in other.get(element, ()):
                    if place(entry) in homes:
                        checked += 1
                        assert GRADING_RANK[entry["adressegradering"]] >= GRADING_RANK[level], (
                            identifier(document),
                            identifier(other),
                            element,
                        )
    assert checked


def test_citizenship_is_mostly_norwegian_with_iso_alpha3_others(population: list[Document]) -> None:
    codes = Counter(e["statsborgerskap"] for d in population for e in current(d, "statsborgerskap"))
    assert codes["NOR"] > 0.75 * PERSONS
    assert len(codes) > 8
    assert all(len(code) == 3 and code.isupper() for code in codes)


def test_birth_is_in_norway_or_abroad(population: list[Document]) -> None:
    for document in population:
        (foedsel,) = document["foedsel"]
        assert foedsel["foedselsaar"] == foedsel["foedselsdato"][:4]
        if foedsel["foedeland"] == "NOR":
            assert foedsel["foedekommuneINorge"] in kommuner_by_nummer()
        else:
            assert "foedekommuneINorge" not in foedsel


def test_age_pyramid_is_shaped_like_norways(population: list[Document]) -> None:
    residents = [d for d in population if status(d) == "bosatt"]
    ages = [age(d) for d in residents]
    children = sum(a < 18 for a in ages) / len(ages)
    working = sum(18 <= a <= 66 for a in ages) / len(ages)
    elderly = sum(a >= 67 for a in ages) / len(ages)
    # Norway 2024: about 21 % under 18, 62 % 18-66, 17 % 67 and over.
    assert 0.15 <= children <= 0.27, children
    assert 0.52 <= working <= 0.70, working
    assert 0.11 <= elderly <= 0.24, elderly
    assert max(ages) >= 90


# ---------------------------------------------------------------- examples


def test_every_example_category_is_present(population: list[Document]) -> None:
    found = Counter(c for d in population for c in example_categories(d, REFERENCE_DATE))
    assert set(found) == set(EXAMPLE_CATEGORIES), set(EXAMPLE_CATEGORIES) - set(found)


def test_ordinary_adults_have_none_of_the_special_features(population: list[Document]) -> None:
    for document in population:
        categories = example_categories(document, REFERENCE_DATE)
        if "ordinary-adult" in categories:
            assert categories == ["ordinary-adult"]
            assert status(document) == "bosatt" and age(document) >= 18


def test_examples_classify_hand_made_documents() -> None:
    def meta(current: bool = True) -> dict[str, Any]:
        return {"erGjeldende": current}

    deceased = {"status": [{**meta(), "status": "doed"}], "doedsfall": {"doedsdato": "2020-01-01"}}
    assert example_categories(deceased, REFERENCE_DATE) == ["deceased"]
    child = {
        "foedsel": [{**meta(), "foedselsdato": "2019-05-01", "foedselsaar": "2019"}],
        "status": [{**meta(), "status": "bosatt"}],
        "deltBosted": [{**meta(), "adressegradering": "ugradert", "startdatoForKontrakt": "2022-01-01"}],
    }
    assert example_categories(child, REFERENCE_DATE) == ["child-with-delt-bosted"]
    adult = {
        "identifikasjonsnummer": [{**meta(), "identifikatortype": "foedselsnummer"}],
        "foedsel": [{**meta(), "foedselsdato": "1980-05-01", "foedselsaar": "1980"}],
        "status": [{**meta(), "status": "bosatt"}],
        "bostedsadresse": [{**meta(), "adressegradering": "ugradert", "vegadresse": {}}],
        "navn": [{**meta(), "fornavn": "Kari", "etternavn": "Nordmann"}],
    }
    assert example_categories(adult, REFERENCE_DATE) == ["ordinary-adult"]
    renamed = {**adult, "navn": [*adult["navn"], {**meta(False), "fornavn": "Kari", "etternavn": "Hansen"}]}
    assert example_categories(renamed, REFERENCE_DATE) == ["name-history"]
    protected = {**adult, "adressebeskyttelse": [{**meta(), "graderingsnivaa": "strengtFortrolig"}]}
    assert example_categories(protected, REFERENCE_DATE) == ["strengt-fortrolig"]


# ---------------------------------------------------------------- the data file


def test_the_data_file_has_the_2024_municipalities() -> None:
    kommuner = load_kommuner()
    assert len(kommuner) == 357
    assert len({k.kommunenummer for k in kommuner}) == 357
    assert {k.fylkesnummer for k in kommuner} == set(FYLKER)
    assert len(FYLKER) == 15
    assert all(k.poststeder and k.innbyggere > 0 for k in kommuner)
    assert kommuner_by_nummer()["0301"].kommunenavn == "Oslo"
    assert kommuner_by_nummer()["4601"].kommunenavn == "Bergen"
    assert 5_000_000 < sum(k.innbyggere for k in kommuner) < 6_000_000
    assert len(kommuner_by_nummer()["0301"].poststeder) > 5
