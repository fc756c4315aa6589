"""The simulator: every kind of life event gives the right event, and the population stays valid."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import pytest

import tests.register.test_population as population_checks
from fiks_folkeregister.domain.hendelse import Hendelsestype, egenskapshendelser, open_to_uten_hjemmel
from fiks_folkeregister.register.population.generator import generate_population
from fiks_folkeregister.register.simulator import KIND_NAMES, Endring, MemoryWorld, Simulator, age_on

DAY = date(2026, 11, 1)

#: kind → (event type of the person the life event is about, the entity and change it must show).
EXPECTED: dict[str, tuple[set[str], str, str]] = {
    "flytting": ({"endringIBostedsadresse"}, "bostedsadresse", "registrereNy"),
    "foedsel": ({"personErOpprettet"}, "foedsel", "registrereNy"),
    "doedsfall": ({"personErDoed"}, "doedsfall", "registrereNy"),
    "utflytting": ({"personErUtflyttet"}, "utflytting", "registrereNy"),
    "innflytting": ({"personErBosatt", "personErOpprettet"}, "innflytting", "registrereNy"),
    "ekteskap": ({"endringISivilstand"}, "sivilstand", "registrereNy"),
    "skilsmisse": ({"endringISivilstand"}, "sivilstand", "registrereNy"),
    "deltBostedNy": ({"endringIDeltBosted"}, "deltBosted", "registrereNy"),
    "deltBostedSlutt": ({"endringIDeltBosted"}, "deltBosted", "korrigere"),
    "adressebeskyttelseNy": ({"endringIAdressebeskyttelse"}, "adressebeskyttelse", "registrereNy"),
    "adressebeskyttelseOpphoert": ({"endringIAdressebeskyttelse"}, "bostedsadresse", "korrigere"),
    "korrigering": ({"endringINavn", "endringIBostedsadresseUtenFlytting"}, "", "korrigere"),
    "annullering": ({"endringIBostedsadresse"}, "bostedsadresse", "annullere"),
    "statsborgerskap": ({"endringIStatsborgerskap"}, "statsborgerskap", "registrereNy"),
    "oppholdsadresse": ({"endringIOppholdsadresse"}, "oppholdsadresse", "registrereNy"),
}
#: Checks of the population test module that must still hold after life went on (size, age-pyramid and
#: address-protection share checks are about the generator, and life moves shares; the reference-date
#: check does not apply to changes made later). Every assertion of these is about one document at a time,
#: so they run on the documents the simulation changed (test_population checks the generated ones) ...
DOCUMENT_INVARIANTS = (
    "test_documents_hold_no_none_and_dates_are_iso",
    "test_every_entry_carries_metadata_and_history_is_ended",
    "test_at_most_one_current_entry_per_address_type_and_single_valued_elements",
    "test_foedselsnummer_holders_have_a_current_bostedsadresse_unless_emigrated",
    "test_addresses_name_real_municipalities_postal_places_and_grunnkretser",
    "test_addresses_are_graded_like_their_person",
    "test_birth_is_in_norway_or_abroad",
)
#: ... and these look across documents or count over the population, so they run on all of it.
POPULATION_INVARIANTS = (
    "test_every_vegadresse_is_complete",
    "test_identity_numbers_are_unique_valid_and_synthetic_plus_80",
    "test_d_number_holders_have_no_bostedsadresse_and_a_temporary_status",
    "test_children_with_delt_bosted_have_it_in_another_municipality",
    "test_every_familierelasjon_is_mirrored_with_the_inverse_roles",
    "test_foreldreansvar_points_at_existing_persons_both_ways",
    "test_minors_have_foreldreansvar_and_felles_means_one_entry_per_parent",
    "test_married_couples_point_at_each_other",
    "test_marriage_name_changes_keep_the_earlier_name",
    "test_life_events_happen_in_a_plausible_order",
    "test_deceased_and_emigrated_persons",
    "test_no_relative_shows_a_protected_address_less_graded",
    "test_citizenship_is_mostly_norwegian_with_iso_alpha3_others",
)


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    return list(generate_population(population_checks.PERSONS, population_checks.SEED, DAY))


@pytest.fixture(scope="module")
def generated(documents: list[dict[str, Any]]) -> frozenset[bytes]:
    """The generated documents as JSON: test_population validates them against the spec once, so a
    simulation only needs to validate the documents that differ from these."""
    return frozenset(orjson.dumps(document) for document in documents)


def _apply(world: MemoryWorld, changes: list[Endring]) -> list[tuple[Endring, list[dict[str, Any]]]]:
    result = []
    for change in changes:
        before = None if change.ny else world.person(change.foedsels_eller_d_nummer)
        result.append((change, egenskapshendelser(before, change.dokument)))
    world.apply(changes)
    return result


def check_invariants(
    population: list[dict[str, Any]], generated: frozenset[bytes], register_spec: dict[str, Any]
) -> None:
    # Compared by content, so a document changed in place counts as changed too.
    changed = [document for document in population if orjson.dumps(document) not in generated]
    assert changed, "the simulation changed no document"
    by_id = {population_checks.identifier(d): d for d in population}
    for names, documents in ((DOCUMENT_INVARIANTS, changed), (POPULATION_INVARIANTS, population)):
        for name in names:
            check = getattr(population_checks, name)
            arguments = {"population": documents, "by_id": by_id}
            check(**{p: arguments[p] for p in check.__code__.co_varnames[: check.__code__.co_argcount]})
    population_checks.test_every_document_validates_against_the_register_spec(changed, register_spec)


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_each_life_event_gives_the_right_event_and_keeps_the_population_valid(
    kind: str, documents: list[dict[str, Any]], generated: frozenset[bytes], register_spec: dict[str, Any]
) -> None:
    world = MemoryWorld(list(documents))
    simulator = Simulator(5, DAY)
    types, entitet, endring = EXPECTED[kind]
    produced = 0
    for _ in range(400):
        changes = simulator.step(world, kind)
        if not changes:
            continue
        identifiers = [c.foedsels_eller_d_nummer for c in changes]
        assert len(identifiers) == len(set(identifiers)), "one event per person changed"
        applied = _apply(world, changes)
        main, entries = applied[0]
        assert main.hendelsestype in types, (kind, main.hendelsestype)
        assert all(isinstance(c.hendelsestype, Hendelsestype) for c in changes)
        assert all(e for _, e in applied), "every event changes something"
        if entitet:
            assert any(e["entitet"] == entitet and e["entitetsendring"] == endring for e in entries), entries
        else:
            assert all(e["entitetsendring"] == endring for e in entries), entries
        produced += 1
        if produced == 8:
            break
    assert produced >= 3, f"the simulator found too few persons for {kind}"
    check_invariants(world.documents, generated, register_spec)


def test_a_long_mixed_simulation_keeps_every_invariant(
    documents: list[dict[str, Any]], generated: frozenset[bytes], register_spec: dict[str, Any]
) -> None:
    world = MemoryWorld(list(documents))
    kinds: set[str] = set()
    for changes in Simulator(9, DAY).run(world, 4000):
        _apply(world, changes)
        kinds.add(changes[0].art)
    assert len(kinds) >= 12
    check_invariants(world.documents, generated, register_spec)


def _deaths(world: MemoryWorld, simulator: Simulator, wanted: int) -> list[dict[str, Any]]:
    """The documents of the next `wanted` persons who die, as they were just before."""
    died: list[dict[str, Any]] = []
    for _ in range(wanted * 3):
        changes = simulator.step(world, "doedsfall")
        if changes:
            died.append(world.person(changes[0].foedsels_eller_d_nummer) or {})
            world.apply(changes)
        if len(died) == wanted:
            break
    return died


def test_most_deaths_come_at_70_and_over(documents: list[dict[str, Any]]) -> None:
    died = _deaths(MemoryWorld(list(documents)), Simulator(12, DAY), 100)
    assert len(died) == 100
    ages = [age_on(document, DAY) for document in died]
    assert all(age >= 30 for age in ages)
    assert sum(age >= 70 for age in ages) >= 60, sorted(ages)


def test_deaths_still_happen_where_nobody_is_70_or_over(documents: list[dict[str, Any]]) -> None:
    young = [d for d in documents if age_on(d, DAY) < 70]
    died = _deaths(MemoryWorld(young), Simulator(13, DAY), 20)
    assert len(died) == 20, "each death step should find someone among the residents over 30"
    assert all(30 <= age_on(document, DAY) < 70 for document in died)


def test_births_make_a_child_with_parents_and_parental_responsibility(
    documents: list[dict[str, Any]],
) -> None:
    world = MemoryWorld(list(documents))
    simulator = Simulator(2, DAY)
    changes: list[Endring] = []
    while not changes:
        changes = simulator.step(world, "foedsel")
    child, *parents = changes
    assert child.ny and child.hendelsestype == Hendelsestype.personErOpprettet
    assert {p.hendelsestype for p in parents} == {Hendelsestype.endringIFamilierelasjon}
    assert {r["relatertPerson"] for r in child.dokument["familierelasjon"]} == {
        p.foedsels_eller_d_nummer for p in parents
    }
    assert {r["ansvarlig"] for r in child.dokument["foreldreansvar"]} == {
        p.foedsels_eller_d_nummer for p in parents
    }
    assert not open_to_uten_hjemmel(parents[0].hendelsestype, parents[0].dokument)
