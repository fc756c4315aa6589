"""Parsing search parameters: what is accepted, and a clear 400 for everything else."""

from __future__ import annotations

import pytest

from fiks_folkeregister.domain.soekeparametre import (
    BOSTED,
    OPPHOLD,
    UgyldigParameter,
    is_identifying,
    parse_entydigsoek,
    parse_soek,
)


def _raw(**params: str) -> dict[str, list[str]]:
    return {name: [value] for name, value in params.items()}


def test_soek_parameters_become_criteria() -> None:
    criteria = parse_soek(
        _raw(
            navn="Kari  Nordmann",
            kjoenn="kvinne",
            foedselsaarFraOgMed="1970",
            foedselsaarTilOgMed="1980",
            adressenavn="Storg",
            husnummer="12b",
            kommunenummer="0301",
            inkluderOppholdsadresse="true",
            soekFonetisk="TRUE",
            inkluderDoede="false",
            opplysningsgrunnlag="historisk",
            maksTreff="25",
        )
    )
    assert criteria.navn is not None and criteria.navn.ord == ("kari", "nordmann") and criteria.navn.fonetisk
    assert criteria.kjoenn == "kvinne"
    assert (criteria.foedselsaar_fra_og_med, criteria.foedselsaar_til_og_med) == (1970, 1980)
    assert criteria.adresse is not None
    assert (criteria.adresse.adressenavn, criteria.adresse.husnummer, criteria.adresse.husbokstav) == (
        "storg",
        "12",
        "B",
    )
    assert criteria.adresse.adressetyper == (BOSTED, OPPHOLD)
    assert criteria.historisk and not criteria.inkluder_doede and criteria.maks_treff == 25


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "No search criteria"),
        ({"inkluderDoede": "true", "maksTreff": "5"}, "No search criteria"),
        ({"navn": "Kari", "kjoenn": "ukjent"}, "kjoenn"),
        ({"foedselsdato": "1990-01-01"}, "YYYYMMDD"),
        ({"foedselsdato": "19900231"}, "YYYYMMDD"),
        ({"foedselsaarFraOgMed": "90"}, "4 digits"),
        ({"foedselsaarFraOgMed": "1990", "foedselsaarTilOgMed": "1980"}, "after"),
        ({"adressenavn": "St"}, "at least the first 3"),
        ({"adressenavn": "Sto%"}, "wildcards"),
        ({"husnummer": "12-14"}, "husnummer"),
        ({"postnummer": "123"}, "postnummer must be 4 digits"),
        ({"kommunenummer": "03O1"}, "kommunenummer must be 4 digits"),
        ({"fylkesnummer": "3"}, "fylkesnummer must be 2 digits"),
        ({"navn": "Kari", "maksTreff": "10001"}, "maksTreff"),
        ({"navn": "Kari", "maksTreff": "-1"}, "maksTreff"),
        ({"navn": "Kari", "maksTreff": "0"}, "maksTreff"),
        ({"navn": "Kari", "soekFonetisk": "ja"}, "true or false"),
        ({"navn": "Kari", "opplysningsgrunnlag": "alt"}, "opplysningsgrunnlag"),
        ({"navn": "Kar*"}, "Wildcards"),
        ({"navn": "Kar%"}, "Wildcards"),
        ({"navn": "Kari_Nordmann"}, "Wildcards"),
        ({"navn": "x' OR 1=1 --"}, "Wildcards"),
        ({"navn": "Robert'); DROP TABLE person;--"}, "Wildcards"),
        ({"navn": "   "}, "empty"),
    ],
)
def test_bad_soek_input_is_a_400_that_says_what_is_wrong(params: dict[str, str], fragment: str) -> None:
    with pytest.raises(UgyldigParameter) as raised:
        parse_soek(_raw(**params))
    assert raised.value.http_status == 400
    assert fragment in raised.value.feilmelding


def test_unknown_and_repeated_parameters_are_refused_by_name() -> None:
    with pytest.raises(UgyldigParameter) as raised:
        parse_soek({"navn": ["Kari"], "fornavn": ["Kari"], "Kjoenn": ["mann"]})
    assert raised.value.feilkode == "UKJENT_PARAMETER"
    assert raised.value.tilleggsinformasjon == {"ukjenteParametere": "Kjoenn, fornavn"}
    with pytest.raises(UgyldigParameter) as raised:
        parse_soek({"navn": ["Kari", "Ola"]})
    assert "only once" in raised.value.feilmelding


def test_a_kommune_and_a_fylke_are_kept_as_given() -> None:
    # Both are matched against the same address row, so a kommune outside the fylke matches nothing.
    criteria = parse_soek(_raw(kommunenummer="0301", fylkesnummer="46"))
    assert criteria.adresse is not None
    assert (criteria.adresse.kommunenummer, criteria.adresse.fylkesnummer) == ("0301", "46")


@pytest.mark.parametrize(
    "params",
    [
        {"navn": "Kari Nordmann", "identifikasjonsnummer": "01010112345"},
        {"navn": "Kari Nordmann", "foedselsdato": "19800101"},
        {"navn": "Kari Nordmann", "adressenavn": "Storgata", "husnummer": "1"},
        {"navn": "Kari Nordmann", "adressenavn": "Sto", "postnummer": "0150"},
        {"navn": "Kari Nordmann", "postnummer": "0150"},
        {"navn": "Kari Nordmann", "utenlandskpersonidentifikasjon": "POL-123"},
        {"navn": "Kari Nordmann", "legitimasjonsdokument": "IRL-195509132386"},
        {"navn": "Kari Nordmann", "utlendingsmyndighetenesidentifikasjonsnummer": "1234"},
        {"foedselsdato": "19800101", "legitimasjonsdokument": "IRL-195509132386"},
        {"foedselsdato": "19800101", "utenlandskpersonidentifikasjon": "AFG-1458-4555"},
    ],
)
def test_identifying_combinations_are_accepted(params: dict[str, str]) -> None:
    assert is_identifying(parse_entydigsoek(_raw(**params)))


@pytest.mark.parametrize(
    "params",
    [
        {"navn": "Kari Nordmann"},
        {"navn": "Kari Nordmann", "adressenavn": "Storgata"},
        {"navn": "Kari Nordmann", "husnummer": "1"},
        {"foedselsdato": "19800101"},
        {"foedselsdato": "19800101", "utlendingsmyndighetenesidentifikasjonsnummer": "1234"},
        {"identifikasjonsnummer": "01010112345"},
        {"adressenavn": "Storgata", "husnummer": "1", "postnummer": "0150"},
    ],
)
def test_criteria_without_an_identifying_combination_are_a_400(params: dict[str, str]) -> None:
    with pytest.raises(UgyldigParameter) as raised:
        parse_entydigsoek(_raw(**params))
    assert raised.value.http_status == 400
    assert raised.value.feilkode == "MANGLER_IDENTIFISERENDE_KRITERIER"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"navn": "Kari", "foedselsdato": "19800101"}, "at least a first name and a surname"),
        ({"navn": "Kari Nordmann", "identifikasjonsnummer": "123"}, "11 digits"),
        ({"navn": "Kari Nordmann", "legitimasjonsdokument": "195509132386"}, "country code"),
        ({"navn": "Kari Nordmann", "foedselsdato": "19800101", "inkluderDoede": "true"}, "Unknown parameter"),
        ({"navn": "Kari Nordmann", "foedselsdato": "19800101", "maksTreff": "1"}, "Unknown parameter"),
    ],
)
def test_bad_entydigsoek_input_is_a_400(params: dict[str, str], fragment: str) -> None:
    with pytest.raises(UgyldigParameter) as raised:
        parse_entydigsoek(_raw(**params))
    assert raised.value.http_status == 400 and fragment in raised.value.feilmelding


def test_entydigsoek_requires_the_house_letter_as_registered() -> None:
    criteria = parse_entydigsoek(_raw(navn="Kari Nordmann", adressenavn="Storgata", husnummer="3"))
    assert criteria.adresse is not None and criteria.adresse.husbokstav_eksakt
    assert criteria.adresse.husbokstav is None
