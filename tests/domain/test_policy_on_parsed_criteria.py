"""The role's policy judges criteria as the register's parser reads them, and forwards exactly that."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiks_folkeregister.domain.hendelse import Hendelsestype
from fiks_folkeregister.domain.informasjonselementer import ELEMENTS, Rettighetspakke
from fiks_folkeregister.domain.parametre import UgyldigParameter, whole_number
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.domain.rollepolicy import (
    EVENT_TYPE_ELEMENTS,
    CriteriaNotAllowed,
    HistoryNotAllowed,
    authorise_criteria,
    authorise_extract_criteria,
    event_visible,
)
from fiks_folkeregister.domain.soekeparametre import (
    ENTYDIGSOEK_PARAMETERS,
    SOEK_PARAMETERS,
    canonical_query,
    parse_entydigsoek,
    parse_soek,
)
from fiks_folkeregister.domain.uttrekkskriterier import STATUS_TYPES, canonical_body, parse_tilpasset


def _role(*elements: str, historikk: bool = False) -> Rolle:
    return Rolle(
        id=uuid.uuid4(),
        orgnr="910000004",
        navn="test",
        rettighetspakke=Rettighetspakke.OFFENTLIG_MED_HJEMMEL,
        bruksomraader=frozenset({Bruksomraade.SOK_ETTER_PERSON}),
        elementer=frozenset(elements),
        historikk=historikk,
    )


PADDED = [" true", "true ", "\ttrue", "\u00a0true", "TRUE", "True"]


@pytest.mark.parametrize("value", PADDED)
def test_padded_or_cased_flags_are_judged_as_the_register_reads_them(value: str) -> None:
    role = _role("navn", "bostedsadresse")
    with pytest.raises(CriteriaNotAllowed) as dead:
        authorise_criteria(role, parse_soek({"navn": ["Ola Nordmann"], "inkluderDoede": [value]}), False)
    assert dead.value.details["ikkeTillatteKriterier"] == ["inkluderDoede"]
    opphold = {"adressenavn": ["Storgata"], "inkluderOppholdsadresse": [value]}
    with pytest.raises(CriteriaNotAllowed) as address:
        authorise_criteria(role, parse_soek(opphold), False)
    assert address.value.details["ikkeTillatteKriterier"] == ["inkluderOppholdsadresse"]


@pytest.mark.parametrize("value", [" historisk", "historisk ", "\u2003historisk"])
def test_padded_historisk_needs_the_roles_history(value: str) -> None:
    query = {"navn": ["Ola Nordmann"], "opplysningsgrunnlag": [value]}
    with pytest.raises(HistoryNotAllowed):
        authorise_criteria(_role("navn"), parse_soek(query), False)
    entydig = {
        "navn": ["Ola Nordmann"],
        "identifikasjonsnummer": ["01010112345"],
        "opplysningsgrunnlag": [value],
    }
    with pytest.raises(HistoryNotAllowed):
        authorise_criteria(_role("navn"), parse_entydigsoek(entydig), True)
    assert authorise_criteria(_role("navn", historikk=True), parse_soek(query), False) == {
        "navn": ["ola nordmann"],
        "opplysningsgrunnlag": ["historisk"],
    }


def test_flags_that_change_nothing_are_neither_refused_nor_forwarded() -> None:
    # inkluderOppholdsadresse without an address criterion, soekFonetisk without navn: nothing to authorise.
    query = {"kjoenn": [" kvinne"], "inkluderOppholdsadresse": ["true"], "soekFonetisk": ["TRUE"]}
    assert authorise_criteria(_role("kjoenn"), parse_soek(query), False) == {"kjoenn": ["kvinne"]}


@pytest.mark.parametrize(
    "query",
    [
        {"foedselsaarFraOgMed": ["١٩٨٠"]},
        {"foedselsdato": ["１９８００１０１"]},
        {"kommunenummer": ["٠٣٠١"]},
        {"navn": ["Ola"], "maksTreff": ["²"]},
        {"husnummer": ["1²"], "adressenavn": ["Storgata"]},
    ],
)
def test_digits_are_ascii_only(query: dict[str, list[str]]) -> None:
    with pytest.raises(UgyldigParameter) as raised:
        parse_soek(query)
    assert raised.value.http_status == 400 and raised.value.feilkode == "UGYLDIG_PARAMETER"


@pytest.mark.parametrize("value", ["²", "١", "-", "1e3", " ", "+1", "0x1", "1" * 20])
def test_whole_numbers_are_ascii_digits(value: str) -> None:
    if value.strip() == "":
        assert whole_number(value.strip(), "seq") is None
        return
    with pytest.raises(UgyldigParameter):
        whole_number(value, "seq")


def test_whole_numbers_are_ascii_digits_and_nothing_else() -> None:
    # One strict reading on both sides: nothing is normalised, so nothing is read differently.
    assert whole_number("12", "seq") == 12
    for value in (" 12\t", "-3", "+5", "1_000", "١٢", "²"):
        with pytest.raises(UgyldigParameter, match="seq must be a whole number"):
            whole_number(value, "seq")


_VALUES = {
    "navn": st.text(alphabet="abcøåéüÄ -'.", max_size=30),
    "kjoenn": st.sampled_from(["mann", " kvinne", "Mann", "x"]),
    "foedselsdato": st.sampled_from(["19800101", " 19800101 ", "19801301"]),
    "foedselsaarFraOgMed": st.sampled_from(["1970", "0070", " 1980"]),
    "foedselsaarTilOgMed": st.sampled_from(["1990", "2000 "]),
    "adressenavn": st.text(alphabet="abcæøå 12-./", max_size=20),
    "husnummer": st.sampled_from(["1", "01", "12b", "12 B", "7A"]),
    "postnummer": st.sampled_from(["0150", " 0150"]),
    "kommunenummer": st.sampled_from(["0301", "3401"]),
    "fylkesnummer": st.sampled_from(["03", "34"]),
    "inkluderOppholdsadresse": st.sampled_from([*PADDED, "false"]),
    "soekFonetisk": st.sampled_from([*PADDED, "false"]),
    "inkluderDoede": st.sampled_from([*PADDED, "false"]),
    "opplysningsgrunnlag": st.sampled_from(["historisk", " historisk", "gjeldende"]),
    "maksTreff": st.sampled_from(["1", "10000", "0025"]),
    "identifikasjonsnummer": st.sampled_from(["01010112345", " 01010112345"]),
    "utenlandskpersonidentifikasjon": st.sampled_from(["swe-123 45", "NOR-1-2"]),
    "legitimasjonsdokument": st.sampled_from(["nor-A 1", "DEU-x"]),
    "utlendingsmyndighetenesidentifikasjonsnummer": st.sampled_from(["12 34", "ab-1"]),
}


@pytest.mark.parametrize("entydig", [False, True])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_canonical_query_parses_back_to_the_same_criteria(entydig: bool, data: st.DataObject) -> None:
    names = ENTYDIGSOEK_PARAMETERS if entydig else SOEK_PARAMETERS
    chosen = data.draw(st.sets(st.sampled_from(names), min_size=1, max_size=6))
    # entydigsoek needs an identifying combination: start from one, let the draw add to or replace it.
    query = {"navn": ["Kari Nordmann"], "foedselsdato": ["19800101"]} if entydig else {}
    query |= {name: [data.draw(_VALUES[name])] for name in sorted(chosen)}
    parse = parse_entydigsoek if entydig else parse_soek
    try:
        criteria = parse(query)
    except UgyldigParameter:
        return  # refused alike on both sides: nothing is forwarded
    assert parse(canonical_query(criteria, entydig)) == criteria


def test_extract_criteria_need_the_elements_they_read() -> None:
    cases = {
        "personstatustyper": ({"personstatustyper": ["doed"]}, ["status"]),
        "kommunenummer.bostedskommunenummer": (
            {"personstatustyper": list(STATUS_TYPES), "kommunenummer": {"bostedskommunenummer": "0301"}},
            ["bostedsadresse"],
        ),
        "kommunenummer.oppholdskommunenummer": (
            {"personstatustyper": list(STATUS_TYPES), "kommunenummer": {"oppholdskommunenummer": "0301"}},
            ["oppholdsadresse"],
        ),
        "doedsaarFraOgMed": (
            {"personstatustyper": list(STATUS_TYPES), "doedsaarFraOgMed": 2020},
            ["doedsfall"],
        ),
        "sivilstandstype": (
            {"personstatustyper": list(STATUS_TYPES), "sivilstandstype": "gift"},
            ["sivilstand"],
        ),
        "statsborgerskap": (
            {"personstatustyper": list(STATUS_TYPES), "statsborgerskap": "SWE"},
            ["statsborgerskap"],
        ),
        "kjoenn": ({"personstatustyper": list(STATUS_TYPES), "kjoenn": "mann"}, ["kjoenn"]),
        "foedselsaarTilOgMed": (
            {"personstatustyper": list(STATUS_TYPES), "foedselsaarTilOgMed": "1950"},
            ["foedsel"],
        ),
    }
    for name, (body, missing) in cases.items():
        with pytest.raises(CriteriaNotAllowed) as refused:
            authorise_extract_criteria(_role("navn"), parse_tilpasset(body))
        assert refused.value.details["ikkeTillatteKriterier"] == [name]
        assert refused.value.details["manglendeElementer"] == {name: missing}
        assert authorise_extract_criteria(_role(*ELEMENTS), parse_tilpasset(body)) == canonical_body(
            parse_tilpasset(body)
        )


def test_every_status_type_selects_nobody_out_and_needs_no_status() -> None:
    body = {"personstatustyper": ["doed", "aktiv", "bosatt", "inaktiv", "utflyttet"]}
    assert authorise_extract_criteria(_role("navn"), parse_tilpasset(body)) == {
        "personstatustyper": list(STATUS_TYPES)
    }


@pytest.mark.parametrize(
    "body",
    [
        {"personstatustyper": ["bosatt"], "foedselsaarFraOgMed": "²⁰¹⁹"},
        {"personstatustyper": ["bosatt"], "foedselsaarFraOgMed": "١٩٨٠"},
        {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": "٠٣٠١"}},
        {"personstatustyper": ["bosatt"], "statsborgerskap": "ÆØÅ"},
    ],
)
def test_extract_criteria_digits_and_letters_are_ascii(body: dict) -> None:
    with pytest.raises(UgyldigParameter) as raised:
        parse_tilpasset(body)
    assert raised.value.feilkode == "UGYLDIG_KRITERIUM"


def test_the_canonical_extract_body_parses_back_to_the_same_criteria() -> None:
    body = {
        "personstatustyper": ["aktiv", "doed"],
        "kommunenummer": {"bostedskommunenummer": "0301", "oppholdskommunenummer": None},
        "foedselsaarFraOgMed": 1950,
        "foedselsaarTilOgMed": "1960",
        "doedsaarFraOgMed": "2001",
        "kjoenn": "kvinne",
        "statsborgerskap": "NOR",
        "sivilstandstype": "gift",
    }
    kriterier = parse_tilpasset(body)
    assert parse_tilpasset(canonical_body(kriterier)) == kriterier


def test_every_event_type_concerns_known_elements() -> None:
    assert set(EVENT_TYPE_ELEMENTS) == {t.value for t in Hendelsestype}
    assert all(elements and elements <= set(ELEMENTS) for elements in EVENT_TYPE_ELEMENTS.values())


def test_an_event_reaches_a_role_only_if_it_holds_every_element_of_the_type() -> None:
    navn = _role("navn")
    assert event_visible(navn, "endringINavn")
    assert event_visible(navn, "endringIIdentifikasjonsnummer")  # always returned
    for hidden in ("personErDoed", "endringISivilstand", "endringIBostedsadresse", "endringIFamilierelasjon"):
        assert not event_visible(navn, hidden)
    assert not event_visible(navn, "noeNytt") and not event_visible(navn, None)
    assert not event_visible(
        _role(*(set(ELEMENTS) - {"vergemaalEllerFremtidsfullmakt"})), "personErOppdatert"
    )
    assert event_visible(_role(*ELEMENTS), "personErOppdatert")
