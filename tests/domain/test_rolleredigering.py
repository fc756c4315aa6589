"""The role editor's logic: groups as the register's, what a package never gives (the same answer as the
one validation), and a ticked choice back into the parts a role stores."""

from __future__ import annotations

import pytest

from fiks_folkeregister.domain.informasjonselementer import (
    ALIASES,
    CONFIDENTIAL_ELEMENTS,
    ELEMENTS,
    Rettighetspakke,
    expand,
)
from fiks_folkeregister.domain.rolle import RoleDefinitionError, role_definition
from fiks_folkeregister.domain.rolleredigering import (
    ANDRE,
    groups,
    never_given,
    package_of,
    parts_of_choice,
    picker,
)


def test_the_groups_are_the_registers_aliases_then_the_rest_and_hold_every_element_once() -> None:
    names = [name for name, _ in groups()]
    assert names == ["person-basis", "identitetsgrunnlag-utvidet", "relasjon-utvidet", ANDRE]
    everything = [e for _, elements in groups() for e in elements]
    assert sorted(everything) == sorted(ELEMENTS)
    assert dict(groups())["relasjon-utvidet"] == (
        "familierelasjon",
        "foreldreansvar",
        "vergemaalEllerFremtidsfullmakt",
    )


@pytest.mark.parametrize("package", list(Rettighetspakke))
def test_never_given_is_exactly_what_the_validation_refuses(package: Rettighetspakke) -> None:
    for element in ELEMENTS:
        if element in never_given(package):
            with pytest.raises(RoleDefinitionError) as refused:
                role_definition(package.value, ["sok-etter-person"], [element])
            assert refused.value.code == "ELEMENT_IKKE_TILLATT"
            assert refused.value.details["elementer"] == [element]
        else:
            assert role_definition(package.value, ["sok-etter-person"], [element]).elementer == {element}


def test_the_picker_marks_the_chosen_elements_and_what_the_package_never_gives() -> None:
    view = picker(Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL, ["person-basis", "familierelasjon", "historikk"])

    assert set(view.aldri) == CONFIDENTIAL_ELEMENTS
    person_basis = view.grupper[0]
    assert person_basis.navn == "person-basis" and person_basis.alle_valgt
    relations = {c.element: (c.valgt, c.aldri) for c in view.grupper[2].elementer}
    assert relations == {
        "familierelasjon": (True, True),
        "foreldreansvar": (False, True),
        "vergemaalEllerFremtidsfullmakt": (False, False),
    }
    assert view.historikk is True
    assert "sivilstand" in view.aldri_historikk and "navn" not in view.aldri_historikk
    assert picker(None, ["navn"]).aldri == ()  # no package chosen yet: nothing to warn of
    assert picker(Rettighetspakke.OFFENTLIG_MED_HJEMMEL, []).aldri == ()


def test_a_ticked_choice_is_stored_as_aliases_where_whole_and_expands_to_the_same_elements() -> None:
    ticked = [*ALIASES["person-basis"], "familierelasjon", "opphold"]

    parts = parts_of_choice(ticked, historikk=True)

    assert parts == ("person-basis", "familierelasjon", "opphold", "historikk")
    assert expand(parts) == frozenset(ticked)
    assert parts_of_choice(["navn", "ukjent"], historikk=False) == ("navn", "ukjent")


def test_a_package_named_by_a_form() -> None:
    assert package_of("offentlig-uten-hjemmel") is Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL
    assert package_of("") is None and package_of("hemmelig") is None
