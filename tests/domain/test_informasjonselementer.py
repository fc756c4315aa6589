"""The element catalogue matches the register's spec; `part` values are read as the register reads them."""

from __future__ import annotations

from typing import Any

import pytest

from fiks_folkeregister.domain.informasjonselementer import (
    ADDRESS_ELEMENTS,
    ALIASES,
    CONFIDENTIAL_ELEMENTS,
    ELEMENTS,
    HISTORIKK,
    SINGLE_ENTRY_ELEMENTS,
    PartRequest,
    Rettighetspakke,
    UnknownPartError,
    elements_allowed,
    expand,
    historic_elements_allowed,
    parse_parts,
)

PERSON = "folkeregisteret.tilgjengeliggjoering.person.v1."
MED = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
UTEN = Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL


def _person_properties(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"][PERSON + "Folkeregisterperson"]["properties"]


def _schema_of(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_elements_are_exactly_the_specs_person_properties(register_spec: dict[str, Any]) -> None:
    assert list(ELEMENTS) == list(_person_properties(register_spec))
    assert len(ELEMENTS) == 32


def test_single_entry_elements_are_the_specs_non_array_properties(register_spec: dict[str, Any]) -> None:
    singles = {
        name for name, schema in _person_properties(register_spec).items() if schema.get("type") != "array"
    }
    assert singles == SINGLE_ENTRY_ELEMENTS


def test_address_elements_are_those_whose_entries_carry_adressegradering(
    register_spec: dict[str, Any],
) -> None:
    graded = {
        name
        for name, schema in _person_properties(register_spec).items()
        if schema.get("type") == "array"
        and "adressegradering" in _schema_of(register_spec, schema["items"]["$ref"])["properties"]
    }
    assert graded == ADDRESS_ELEMENTS


def test_every_alias_member_is_an_element() -> None:
    for alias, members in ALIASES.items():
        assert members <= set(ELEMENTS), alias


def test_aliases_hold_what_the_register_documents() -> None:
    assert len(ALIASES["person-basis"]) == 16
    assert "identifikasjonsnummer" in ALIASES["person-basis"]
    assert ALIASES["identitetsgrunnlag-utvidet"] == {
        "falskIdentitet",
        "legitimasjonsdokument",
        "utenlandskPersonidentifikasjon",
    }
    assert ALIASES["relasjon-utvidet"] == {
        "familierelasjon",
        "foreldreansvar",
        "vergemaalEllerFremtidsfullmakt",
    }


def test_rights_packages_have_their_path_values_and_scopes() -> None:
    assert Rettighetspakke("offentlig-med-hjemmel") is MED
    assert MED.scope == "folkeregister:deling/offentligmedhjemmel"
    assert UTEN.scope == "folkeregister:deling/offentligutenhjemmel"


def test_med_hjemmel_may_see_everything_with_history() -> None:
    assert elements_allowed(MED) == set(ELEMENTS)
    assert historic_elements_allowed(MED) == set(ELEMENTS)


def test_uten_hjemmel_never_gets_confidential_elements() -> None:
    allowed = elements_allowed(UTEN)
    assert not allowed & CONFIDENTIAL_ELEMENTS
    assert allowed | CONFIDENTIAL_ELEMENTS == set(ELEMENTS)
    # Of relasjon-utvidet only the guardianship element remains.
    assert ALIASES["relasjon-utvidet"] & allowed == {"vergemaalEllerFremtidsfullmakt"}


def test_uten_hjemmel_history_covers_only_ids_names_and_addresses() -> None:
    assert historic_elements_allowed(UTEN) == {"identifikasjonsnummer", "navn"} | ADDRESS_ELEMENTS
    assert historic_elements_allowed(UTEN) <= elements_allowed(UTEN)


@pytest.mark.parametrize("parts", [None, [], ()])
def test_no_parts_means_person_basis_without_history(parts: list[str] | None) -> None:
    assert parse_parts(parts) == PartRequest(elements=ALIASES["person-basis"], historikk=False)


def test_only_historikk_means_person_basis_with_history() -> None:
    assert parse_parts([HISTORIKK]) == PartRequest(elements=ALIASES["person-basis"], historikk=True)


def test_identifikasjonsnummer_is_always_added() -> None:
    request = parse_parts(["navn", "historikk"])
    assert request == PartRequest(elements=frozenset({"navn", "identifikasjonsnummer"}), historikk=True)


def test_aliases_and_elements_combine() -> None:
    request = parse_parts(["relasjon-utvidet", "kjoenn", "kjoenn"])
    assert request.elements == ALIASES["relasjon-utvidet"] | {"kjoenn", "identifikasjonsnummer"}
    assert request.historikk is False


def test_unknown_parts_are_all_named() -> None:
    with pytest.raises(UnknownPartError) as caught:
        parse_parts(["navn", "foo", "Navn", "bar", "foo"])
    assert caught.value.unknown == ("foo", "Navn", "bar")
    message = str(caught.value)
    assert "'foo', 'Navn', 'bar'" in message
    assert "person-basis" in message and "historikk" in message


def test_comma_separated_parts_are_not_split() -> None:
    with pytest.raises(UnknownPartError) as caught:
        parse_parts(["navn,kjoenn"])
    assert caught.value.unknown == ("navn,kjoenn",)


def test_expand_gives_a_roles_elements_without_adding_identifikasjonsnummer() -> None:
    assert (
        expand(["navn", "identitetsgrunnlag-utvidet", "historikk"])
        == {"navn"} | ALIASES["identitetsgrunnlag-utvidet"]
    )
    assert expand([]) == frozenset()
    with pytest.raises(UnknownPartError):
        expand(["adresse"])
