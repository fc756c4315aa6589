"""Which search criteria a role may use (for the search forms) is the decision the pipeline makes."""

from __future__ import annotations

import uuid

import pytest

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.domain.rollepolicy import (
    CriteriaNotAllowed,
    HistoryNotAllowed,
    authorise_criteria,
    search_criteria,
)
from fiks_folkeregister.domain.soekeparametre import parse_entydigsoek, parse_soek

pytestmark = pytest.mark.unit

#: A valid value for each criterion, with what it needs beside it to be a valid query (base: a name).
SOEK_VALUES = {
    "navn": {"navn": "Ola Nordmann"},
    "kjoenn": {"kjoenn": "kvinne"},
    "foedselsdato": {"foedselsdato": "19800101"},
    "foedselsaarFraOgMed": {"foedselsaarFraOgMed": "1950"},
    "foedselsaarTilOgMed": {"foedselsaarTilOgMed": "1990"},
    "adressenavn": {"adressenavn": "Storgata"},
    "husnummer": {"adressenavn": "Storgata", "husnummer": "1"},
    "postnummer": {"postnummer": "0150"},
    "kommunenummer": {"kommunenummer": "0301"},
    "fylkesnummer": {"fylkesnummer": "03"},
    "inkluderOppholdsadresse": {"adressenavn": "Storgata", "inkluderOppholdsadresse": "true"},
    "soekFonetisk": {"soekFonetisk": "true"},
    "inkluderDoede": {"inkluderDoede": "true"},
    "opplysningsgrunnlag": {"opplysningsgrunnlag": "historisk"},
}
ENTYDIG_VALUES = {
    "identifikasjonsnummer": {"identifikasjonsnummer": "01016050012"},
    "utenlandskpersonidentifikasjon": {"utenlandskpersonidentifikasjon": "SWE-12345"},
    "legitimasjonsdokument": {"legitimasjonsdokument": "SWE-AB1234"},
    "utlendingsmyndighetenesidentifikasjonsnummer": {
        "utlendingsmyndighetenesidentifikasjonsnummer": "123456789012"
    },
    "foedselsdato": {"foedselsdato": "19800101"},
    "navn": {"identifikasjonsnummer": "01016050012"},
    "postnummer": {"postnummer": "0150"},
    "adressenavn": {"adressenavn": "Storgata", "husnummer": "1"},
    "husnummer": {"adressenavn": "Storgata", "husnummer": "1"},
    "soekFonetisk": {"identifikasjonsnummer": "01016050012", "soekFonetisk": "true"},
    "opplysningsgrunnlag": {"identifikasjonsnummer": "01016050012", "opplysningsgrunnlag": "historisk"},
}
ROLES = [
    ("navn",),
    ("navn", "foedsel"),
    ("navn", "bostedsadresse"),
    ("navn", "bostedsadresse", "oppholdsadresse", "doedsfall", "kjoenn"),
    ("navn", "foedsel", "utenlandskPersonidentifikasjon", "legitimasjonsdokument"),
]


def _role(elements: tuple[str, ...], historikk: bool) -> Rolle:
    return Rolle(
        id=uuid.uuid4(),
        orgnr="910000004",
        navn="test",
        rettighetspakke=Rettighetspakke.OFFENTLIG_MED_HJEMMEL,
        bruksomraader=frozenset({Bruksomraade.SOK_ETTER_PERSON}),
        elementer=frozenset(elements),
        historikk=historikk,
    )


def _pipeline_allows(role: Rolle, query: dict[str, str], entydig: bool, criterion: str) -> bool:
    parse = parse_entydigsoek if entydig else parse_soek
    criteria = parse({"navn": ["Ola Nordmann"], **{name: [value] for name, value in query.items()}})
    try:
        authorise_criteria(role, criteria, entydig)
    except CriteriaNotAllowed as refusal:
        return criterion not in refusal.details["ikkeTillatteKriterier"]
    except HistoryNotAllowed:
        return criterion != "opplysningsgrunnlag"
    return True


@pytest.mark.parametrize("historikk", [False, True])
@pytest.mark.parametrize("elements", ROLES)
@pytest.mark.parametrize("entydig", [False, True])
def test_the_forms_offer_exactly_the_criteria_the_pipeline_allows(
    elements: tuple[str, ...], historikk: bool, entydig: bool
) -> None:
    role = _role(elements, historikk)
    values = ENTYDIG_VALUES if entydig else SOEK_VALUES
    offered = search_criteria(role, entydig)

    assert [c.kriterium for c in offered] == list(values)
    for access in offered:
        assert access.tillatt == _pipeline_allows(
            role, values[access.kriterium], entydig, access.kriterium
        ), access


def test_a_refused_criterion_says_what_the_role_lacks() -> None:
    by_name = {c.kriterium: c for c in search_criteria(_role(("navn",), False), entydig=False)}

    assert by_name["navn"].tillatt and by_name["soekFonetisk"].tillatt
    assert by_name["postnummer"].manglende_elementer == ("bostedsadresse",)
    assert by_name["inkluderDoede"].manglende_elementer == ("doedsfall",)
    assert by_name["opplysningsgrunnlag"].mangler_historikk and not by_name["opplysningsgrunnlag"].tillatt
