"""Minimisation gives each rights package exactly what the rules allow: never more, never less."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from person_documents import GRADERINGER, PERSONSTATUSER, person_documents

from fiks_folkeregister.domain.dokument import is_current
from fiks_folkeregister.domain.informasjonselementer import (
    ADDRESS_ELEMENTS,
    ALIASES,
    CONFIDENTIAL_ELEMENTS,
    ELEMENTS,
    HISTORIKK,
    SINGLE_ENTRY_ELEMENTS,
    PartRequest,
    Rettighetspakke,
    elements_allowed,
    historic_elements_allowed,
    parse_parts,
)
from fiks_folkeregister.domain.minimering import OPEN_PERSON_STATUSES, minimise

MED = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
UTEN = Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL
PERSON = "folkeregisteret.tilgjengeliggjoering.person.v1."

part_requests = st.builds(
    lambda parts, historikk: parse_parts([*parts, HISTORIKK] if historikk else parts),
    st.lists(st.sampled_from([*ELEMENTS, *ALIASES]), max_size=6),
    st.booleans(),
)
packages = st.sampled_from(Rettighetspakke)
property_settings = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _entries(value: Any) -> list[Mapping[str, Any]]:
    """An element's entries as a list, whether the element is a list or a single object."""
    return [value] if isinstance(value, Mapping) else list(value)


def _grading_visible(package: Rettighetspakke, entry: Mapping[str, Any]) -> bool:
    grading = entry.get("adressegradering")
    if package is MED:
        return grading in {"ugradert", "fortrolig", "klientadresse"}
    return grading == "ugradert"


def _expected_status(package: Rettighetspakke, entry: Mapping[str, Any]) -> Mapping[str, Any]:
    if package is UTEN and entry["status"] not in OPEN_PERSON_STATUSES:
        return {**entry, "status": "aktiv"}
    return entry


# --- Properties over generated documents and requests, for both packages ------------------------------


@property_settings
@given(person_documents(), packages, part_requests)
def test_only_requested_elements_are_returned(
    document: dict[str, Any], package: Rettighetspakke, request: PartRequest
) -> None:
    result = minimise(document, package, request)
    assert set(result) <= request.elements | {"identifikasjonsnummer"}


@property_settings
@given(person_documents(), packages, part_requests)
def test_identifikasjonsnummer_is_always_returned(
    document: dict[str, Any], package: Rettighetspakke, request: PartRequest
) -> None:
    result = minimise(document, package, request)
    current = [entry for entry in document["identifikasjonsnummer"] if entry["erGjeldende"]]
    assert [entry for entry in result["identifikasjonsnummer"] if entry["erGjeldende"]] == current


@property_settings
@given(person_documents(), packages, part_requests.map(lambda r: PartRequest(r.elements, historikk=False)))
def test_no_historic_entry_without_historikk(
    document: dict[str, Any], package: Rettighetspakke, request: PartRequest
) -> None:
    result = minimise(document, package, request)
    for value in result.values():
        assert all(entry["erGjeldende"] is True for entry in _entries(value))


@property_settings
@given(person_documents(), packages, part_requests)
def test_history_only_where_the_package_allows_it(
    document: dict[str, Any], package: Rettighetspakke, request: PartRequest
) -> None:
    result = minimise(document, package, request)
    for name, value in result.items():
        if any(entry["erGjeldende"] is False for entry in _entries(value)):
            assert request.historikk
            assert name in historic_elements_allowed(package)


@property_settings
@given(person_documents(), part_requests)
def test_uten_hjemmel_gets_no_confidential_element(document: dict[str, Any], request: PartRequest) -> None:
    result = minimise(document, UTEN, request)
    assert not set(result) & CONFIDENTIAL_ELEMENTS


@property_settings
@given(person_documents(), packages, part_requests)
def test_no_strengt_fortrolig_address_is_ever_returned(
    document: dict[str, Any], package: Rettighetspakke, request: PartRequest
) -> None:
    result = minimise(document, package, request)
    for name in ADDRESS_ELEMENTS & set(result):
        assert all(entry["adressegradering"] != "strengtFortrolig" for entry in result[name])


@property_settings
@given(person_documents(), part_requests)
def test_uten_hjemmel_gets_only_ungraded_addresses(document: dict[str, Any], request: PartRequest) -> None:
    result = minimise(document, UTEN, request)
    for name in ADDRESS_ELEMENTS & set(result):
        assert all(entry["adressegradering"] == "ugradert" for entry in result[name])


@property_settings
@given(person_documents(), part_requests)
def test_uten_hjemmel_never_sees_a_confidential_status(
    document: dict[str, Any], request: PartRequest
) -> None:
    result = minimise(document, UTEN, request)
    for entry in result.get("status", []):
        assert entry["status"] in OPEN_PERSON_STATUSES | {"aktiv"}
    for original in document.get("status", []):
        if original["status"] not in OPEN_PERSON_STATUSES | {"aktiv"}:
            assert original not in result.get("status", [])


@property_settings
@given(person_documents(), packages, part_requests)
def test_no_null_and_no_empty_element_in_output(
    document: dict[str, Any], package: Rettighetspakke, request: PartRequest
) -> None:
    result = minimise(document, package, request)
    for value in result.values():
        assert value is not None
        assert value  # neither [] nor {}


@property_settings
@given(person_documents(), packages, part_requests)
def test_the_input_document_is_never_changed(
    document: dict[str, Any], package: Rettighetspakke, request: PartRequest
) -> None:
    before = copy.deepcopy(document)
    minimise(document, package, request)
    assert document == before


@property_settings
@given(person_documents(), packages, part_requests)
def test_every_permitted_entry_is_returned_in_order(
    document: dict[str, Any], package: Rettighetspakke, request: PartRequest
) -> None:
    """Minimisation does not drop too much: each entry the rules allow comes back, in the register's order."""
    result = minimise(document, package, request)
    wanted = (request.elements & elements_allowed(package)) | {"identifikasjonsnummer"}
    for name in wanted & set(document):
        history = request.historikk and name in historic_elements_allowed(package)
        permitted = [
            entry
            for entry in _entries(document[name])
            if (entry["erGjeldende"] or history)
            and (name not in ADDRESS_ELEMENTS or _grading_visible(package, entry))
        ]
        if name == "status":
            permitted = [_expected_status(package, entry) for entry in permitted]
        returned = _entries(result[name]) if name in result else []
        assert returned == permitted, name
        if name in SINGLE_ENTRY_ELEMENTS and name in result:
            assert isinstance(result[name], Mapping)  # stays a single object, as in the spec


def _rules_written_out(
    document: Mapping[str, Any], package: Rettighetspakke, request: PartRequest
) -> dict[str, Any]:
    """The rules of `minimise` applied key by key and entry by entry, as it once decided them for each
    document, to hold its plan (decided once per package and request) to the same answer."""
    elements = (request.elements & elements_allowed(package)) | {"identifikasjonsnummer"}
    historic = elements & historic_elements_allowed(package) if request.historikk else frozenset()
    gradings = {"ugradert", "fortrolig", "klientadresse"} if package is MED else {"ugradert"}
    result: dict[str, Any] = {}
    for name, value in document.items():
        if name not in elements or value is None:
            continue
        with_history = name in historic
        if name in SINGLE_ENTRY_ELEMENTS:
            if value and isinstance(value, Mapping) and (with_history or is_current(value)):
                result[name] = value
            continue
        kept = list(value) if with_history else [entry for entry in value if is_current(entry)]
        if name in ADDRESS_ELEMENTS:
            kept = [entry for entry in kept if entry.get("adressegradering") in gradings]
        elif name == "status" and package is UTEN:
            kept = [_expected_status(package, entry) for entry in kept]
        if kept:
            result[name] = kept
    return result


def _oddly(entry: Mapping[str, Any]) -> st.SearchStrategy[Mapping[str, Any]]:
    """The entry as it is, as another kind of mapping, or with `erGjeldende` missing or not a boolean."""
    return st.one_of(
        st.just(entry),
        st.just(MappingProxyType(entry)),
        st.sampled_from([1, "true", None, 0]).map(lambda flag: {**entry, "erGjeldende": flag}),
        st.just({key: value for key, value in entry.items() if key != "erGjeldende"}),
    )


def _oddly_entered(document: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            name: _oddly(value)
            if isinstance(value, Mapping)
            else st.tuples(*(_oddly(entry) for entry in value)).map(list)
            for name, value in document.items()
        }
    )


@property_settings
@given(
    st.one_of(person_documents(), person_documents().flatmap(_oddly_entered)),
    packages,
    part_requests,
)
def test_the_plan_gives_what_the_rules_written_out_give(
    document: dict[str, Any], package: Rettighetspakke, request: PartRequest
) -> None:
    """The same elements in the same order with the same entries, down to entries that are not plain dicts
    or whose `erGjeldende` is missing or not `true` (never current)."""
    result = minimise(document, package, request)
    expected = _rules_written_out(document, package, request)
    assert list(result.items()) == list(expected.items())


# --- The generator is a faithful Folkeregisterperson, and so is what minimisation returns -------------


def _closed(schema: Any) -> Any:
    """The schema with unknown properties forbidden, so that a misspelt field name fails validation."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in schema and schema.get("type") == "object":
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


@pytest.fixture(scope="module")
def person_validator(register_spec: dict[str, Any]) -> Any:
    from openapi_schema_validator import OAS30Validator, oas30_format_checker

    root = {
        "components": _closed(register_spec["components"]),
        "allOf": [{"$ref": f"#/components/schemas/{PERSON}Folkeregisterperson"}],
    }
    validator = OAS30Validator(root, format_checker=oas30_format_checker)

    def validate(instance: Mapping[str, Any]) -> None:  # a plain function keeps Hypothesis' reports short
        validator.validate(instance)

    return validate


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=person_documents(), package=packages, request=part_requests)
def test_generated_and_minimised_documents_match_the_spec(
    person_validator: Any, document: dict[str, Any], package: Rettighetspakke, request: PartRequest
) -> None:
    person_validator(document)
    person_validator(minimise(document, package, request))


def test_the_generator_draws_from_the_specs_whole_grading_and_status_vocabulary(
    register_spec: dict[str, Any],
) -> None:
    schemas = register_spec["components"]["schemas"]
    assert set(GRADERINGER) == set(
        schemas[PERSON + "Bostedsadresse"]["properties"]["adressegradering"]["enum"]
    )
    assert set(PERSONSTATUSER) == set(
        schemas[PERSON + "Folkeregisterpersonstatus"]["properties"]["status"]["enum"]
    )


# --- Concrete examples a reader can follow ----------------------------------------------------------

FNR = "01818000010"  # a synthetic (month + 80) fødselsnummer


def _meta(current: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "erGjeldende": current,
        "kilde": "Skatteetaten",
        "gyldighetstidspunkt": "2020-01-01T00:00:00Z",
    }
    if not current:
        entry["opphoerstidspunkt"] = "2021-01-01T00:00:00Z"
    return entry


def _address(grading: str, street: str, current: bool = True) -> dict[str, Any]:
    return {
        **_meta(current),
        "adressegradering": grading,
        "vegadresse": {"adressenavn": street, "kommunenummer": "0301", "adressenummer": {"husnummer": "1"}},
    }


def _person(grading: str = "ugradert", status: str = "bosatt") -> dict[str, Any]:
    return {
        "identifikasjonsnummer": [
            {
                **_meta(True),
                "foedselsEllerDNummer": FNR,
                "identifikatortype": "foedselsnummer",
                "status": "iBruk",
            }
        ],
        "navn": [{**_meta(True), "fornavn": "Vakker", "etternavn": "Blomst"}],
        "status": [{**_meta(True), "status": status}],
        "adressebeskyttelse": [{**_meta(True), "graderingsnivaa": grading}],
        "bostedsadresse": [
            _address(grading, "Hemmelig gate"),
            _address("ugradert", "Gammel gate", current=False),
        ],
        "postadresse": [
            {
                **_meta(True),
                "adressegradering": "ugradert",
                "postboksadresse": {"postboks": "Postboks 2094 Vika", "poststed": {"postnummer": "0125"}},
            }
        ],
        "familierelasjon": [{**_meta(True), "relatertPerson": "02818012345", "relatertPersonsRolle": "mor"}],
        "doedsfall": {**_meta(False), "doedsdato": "2020-01-01"},
    }


def test_asking_for_bostedsadresse_gives_the_current_address_and_the_id_only() -> None:
    person = _person()
    result = minimise(person, UTEN, parse_parts(["bostedsadresse"]))
    assert result == {
        "identifikasjonsnummer": person["identifikasjonsnummer"],
        "bostedsadresse": [person["bostedsadresse"][0]],
    }


def test_with_historikk_the_old_address_comes_too() -> None:
    person = _person()
    result = minimise(person, UTEN, parse_parts(["bostedsadresse", "historikk"]))
    assert [a["vegadresse"]["adressenavn"] for a in result["bostedsadresse"]] == [
        "Hemmelig gate",
        "Gammel gate",
    ]


@pytest.mark.parametrize("package", list(Rettighetspakke))
def test_strengt_fortrolig_person_shows_only_the_open_post_address(package: Rettighetspakke) -> None:
    person = _person(grading="strengtFortrolig")
    result = minimise(person, package, parse_parts(None))
    assert "bostedsadresse" not in result
    assert result["postadresse"] == person["postadresse"]
    assert result["adressebeskyttelse"][0]["graderingsnivaa"] == "strengtFortrolig"


def test_fortrolig_address_is_shown_with_hjemmel_only() -> None:
    person = _person(grading="fortrolig")
    assert (
        minimise(person, MED, parse_parts(["bostedsadresse"]))["bostedsadresse"][0]["vegadresse"][
            "adressenavn"
        ]
        == "Hemmelig gate"
    )
    assert "bostedsadresse" not in minimise(person, UTEN, parse_parts(["bostedsadresse"]))


def test_an_address_without_grading_is_withheld() -> None:
    person = _person()
    del person["bostedsadresse"][0]["adressegradering"]
    assert "bostedsadresse" not in minimise(person, MED, parse_parts(["bostedsadresse"]))


def test_confidential_status_is_shown_as_aktiv_without_hjemmel_and_the_input_keeps_it() -> None:
    person = _person(status="midlertidig")
    assert minimise(person, UTEN, parse_parts(["status"]))["status"][0]["status"] == "aktiv"
    assert minimise(person, MED, parse_parts(["status"]))["status"][0]["status"] == "midlertidig"
    assert person["status"][0]["status"] == "midlertidig"


def test_person_basis_leaves_out_family_even_with_hjemmel() -> None:
    result = minimise(_person(), MED, parse_parts(None))
    assert "familierelasjon" not in result
    assert "familierelasjon" in minimise(_person(), MED, parse_parts(["relasjon-utvidet"]))
    assert "familierelasjon" not in minimise(_person(), UTEN, parse_parts(["relasjon-utvidet"]))


def test_a_historic_doedsfall_needs_historikk() -> None:
    person = _person()
    assert "doedsfall" not in minimise(person, MED, parse_parts(["doedsfall"]))
    assert minimise(person, MED, parse_parts(["doedsfall", "historikk"]))["doedsfall"] == person["doedsfall"]
