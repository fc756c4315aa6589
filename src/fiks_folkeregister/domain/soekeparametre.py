"""Search parameters as the caller sent them, parsed and validated into criteria (or a clear 400).

Pure, and the one parser of `personer/soek` and `personer/entydigsoek`: the register executes what it
returns, and the gateway authorises what it returns and forwards `canonical_query` of it, so what a role is
allowed is exactly what the register runs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from fiks_folkeregister.domain.heltall import is_ascii_digits
from fiks_folkeregister.domain.normalisering import street_key, words
from fiks_folkeregister.domain.parametre import UgyldigParameter

#: Parameters of `personer/soek`, exactly as the spec spells them.
SOEK_PARAMETERS = (
    "navn",
    "kjoenn",
    "foedselsdato",
    "foedselsaarFraOgMed",
    "foedselsaarTilOgMed",
    "adressenavn",
    "husnummer",
    "postnummer",
    "kommunenummer",
    "fylkesnummer",
    "inkluderOppholdsadresse",
    "soekFonetisk",
    "inkluderDoede",
    "opplysningsgrunnlag",
    "maksTreff",
)
#: Parameters of `personer/entydigsoek` (besides `part`), exactly as the spec spells them.
ENTYDIGSOEK_PARAMETERS = (
    "identifikasjonsnummer",
    "utenlandskpersonidentifikasjon",
    "legitimasjonsdokument",
    "utlendingsmyndighetenesidentifikasjonsnummer",
    "foedselsdato",
    "navn",
    "postnummer",
    "adressenavn",
    "husnummer",
    "soekFonetisk",
    "opplysningsgrunnlag",
)

#: The register refuses searches with more hits than this, and `maksTreff` may not exceed it.
MAX_HITS = 10_000
MIN_STREET_PREFIX = 3
MAX_NAME_LENGTH = 200
MAX_NAME_WORDS = 10

BOSTED = "bosted"
OPPHOLD = "opphold"

#: Kinds of foreign and document identifiers (the `art` column of the identifier index).
UTENLANDSK = "utenlandsk"
LEGITIMASJON = "legitimasjon"
DUF = "duf"

#: Entydigsoek parameters that search confidential (taushetsbelagte) elements.
CONFIDENTIAL_PARAMETERS = (
    "utenlandskpersonidentifikasjon",
    "legitimasjonsdokument",
    "utlendingsmyndighetenesidentifikasjonsnummer",
)
_IDENTIFIER_KINDS = {
    "utenlandskpersonidentifikasjon": UTENLANDSK,
    "legitimasjonsdokument": LEGITIMASJON,
    "utlendingsmyndighetenesidentifikasjonsnummer": DUF,
}
_FLAG_PARAMETERS = frozenset(
    {"inkluderOppholdsadresse", "soekFonetisk", "inkluderDoede", "opplysningsgrunnlag", "maksTreff"}
)
_NAME_PUNCTUATION = frozenset(" -'’.")
_STREET_PUNCTUATION = frozenset(" -'’./")
_HUSNUMMER = re.compile(r"([0-9]{1,5}) ?([A-Za-z])?")
_COUNTRY_PREFIXED = re.compile(r"([A-Za-z]{3})-([A-Za-z0-9][A-Za-z0-9 -]{0,39})")
_SEPARATORS = re.compile(r"[\s-]")
_PLAIN_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]{0,39}")


@dataclass(frozen=True)
class Navnekriterium:
    """Name words (folded); `entydig` adds the first-name/surname rule of entydigsoek."""

    ord: tuple[str, ...]
    fonetisk: bool = False
    entydig: bool = False


@dataclass(frozen=True)
class Adressekriterium:
    """Criteria that must all hold for one and the same address of the person."""

    adressenavn: str | None = None
    husnummer: str | None = None
    husbokstav: str | None = None
    husbokstav_eksakt: bool = False
    postnummer: str | None = None
    kommunenummer: str | None = None
    fylkesnummer: str | None = None
    adressetyper: tuple[str, ...] = (BOSTED,)


@dataclass(frozen=True)
class Soekekriterier:
    """Everything a search matches on, validated; `historisk` widens names and addresses to history."""

    navn: Navnekriterium | None = None
    kjoenn: str | None = None
    foedselsdato: str | None = None
    foedselsaar_fra_og_med: int | None = None
    foedselsaar_til_og_med: int | None = None
    adresse: Adressekriterium | None = None
    identifikasjonsnummer: str | None = None
    identifikasjoner: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    historisk: bool = False
    inkluder_doede: bool = False
    maks_treff: int = MAX_HITS


def identifier_key(kind: str, value: str) -> str:
    """A foreign or document identifier as compared: upper case, no spaces or hyphens in the number."""
    if kind == DUF:
        return _SEPARATORS.sub("", value).upper()
    country, _, number = value.partition("-")
    return country.upper() + "-" + _SEPARATORS.sub("", number).upper()


def parse_soek(raw: Mapping[str, Sequence[str]]) -> Soekekriterier:
    """Criteria of `personer/soek`, or a 400 naming what is wrong."""
    values = _single_values(raw, SOEK_PARAMETERS)
    if not set(values) - _FLAG_PARAMETERS:
        raise UgyldigParameter(
            "MANGLER_SOEKEKRITERIER",
            "No search criteria given: use at least one of navn, kjoenn, foedselsdato, foedselsaarFraOgMed, "
            "foedselsaarTilOgMed, adressenavn, husnummer, postnummer, kommunenummer, fylkesnummer",
        )
    fonetisk = _boolean(values, "soekFonetisk")
    fra, til = _year(values, "foedselsaarFraOgMed"), _year(values, "foedselsaarTilOgMed")
    if fra is not None and til is not None and fra > til:
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER",
            f"foedselsaarFraOgMed ({fra}) is after foedselsaarTilOgMed ({til})",
            parameter="foedselsaarFraOgMed",
        )
    kjoenn = values.get("kjoenn")
    if kjoenn is not None and kjoenn not in ("mann", "kvinne"):
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER", f"kjoenn must be 'mann' or 'kvinne', not '{kjoenn}'", parameter="kjoenn"
        )
    typer = (BOSTED, OPPHOLD) if _boolean(values, "inkluderOppholdsadresse") else (BOSTED,)
    return Soekekriterier(
        navn=_name(values, fonetisk, entydig=False),
        kjoenn=kjoenn,
        foedselsdato=_date(values),
        foedselsaar_fra_og_med=fra,
        foedselsaar_til_og_med=til,
        adresse=_address(values, typer, exact_letter=False),
        historisk=_historisk(values),
        inkluder_doede=_boolean(values, "inkluderDoede"),
        maks_treff=_maks_treff(values),
    )


def parse_entydigsoek(raw: Mapping[str, Sequence[str]]) -> Soekekriterier:
    """Criteria of `personer/entydigsoek`; 400 unless they hold an identifying combination."""
    values = _single_values(raw, ENTYDIGSOEK_PARAMETERS)
    navn = _name(values, _boolean(values, "soekFonetisk"), entydig=True)
    identifikasjonsnummer = values.get("identifikasjonsnummer")
    if identifikasjonsnummer is not None and not re.fullmatch(r"[0-9]{11}", identifikasjonsnummer):
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER",
            f"identifikasjonsnummer must be 11 digits, not '{identifikasjonsnummer}'",
            parameter="identifikasjonsnummer",
        )
    identifikasjoner = tuple(
        (kind, _identifier(values[name], name, kind))
        for name, kind in _IDENTIFIER_KINDS.items()
        if name in values
    )
    adresse = _address(values, (BOSTED, OPPHOLD), exact_letter=True)
    criteria = Soekekriterier(
        navn=navn,
        foedselsdato=_date(values),
        adresse=adresse,
        identifikasjonsnummer=identifikasjonsnummer,
        identifikasjoner=identifikasjoner,
        historisk=_historisk(values),
        inkluder_doede=True,
        maks_treff=2,
    )
    if not is_identifying(criteria):
        raise UgyldigParameter(
            "MANGLER_IDENTIFISERENDE_KRITERIER",
            "entydigsoek needs an identifying combination: navn (first and last name) with "
            "identifikasjonsnummer, foedselsdato, an address (adressenavn with husnummer or postnummer), "
            "postnummer, "
            "utenlandskpersonidentifikasjon, legitimasjonsdokument or "
            "utlendingsmyndighetenesidentifikasjonsnummer; or foedselsdato with legitimasjonsdokument or "
            "utenlandskpersonidentifikasjon",
        )
    return criteria


def is_identifying(criteria: Soekekriterier) -> bool:
    """Whether criteria hold one of the identifying combinations of entydigsoek (the register's spec)."""
    kinds = {kind for kind, _ in criteria.identifikasjoner}
    address = criteria.adresse
    if criteria.navn is not None:
        identifying_address = address is not None and (
            address.postnummer is not None
            or (address.adressenavn is not None and address.husnummer is not None)
        )
        return bool(criteria.identifikasjonsnummer or criteria.foedselsdato or identifying_address or kinds)
    return criteria.foedselsdato is not None and bool(kinds & {UTENLANDSK, LEGITIMASJON})


def canonical_query(criteria: Soekekriterier, entydig: bool) -> dict[str, list[str]]:
    """The query that parses back to exactly `criteria`: what the gateway authorises and forwards.

    Values are the parsed ones (trimmed, folded, upper-cased identifiers, `true` flags); flags that change
    nothing are left out (`soekFonetisk` without `navn`, `inkluderOppholdsadresse` without an address
    criterion, `maksTreff` at the default).
    """
    query: dict[str, list[str]] = {}
    if criteria.identifikasjonsnummer is not None:
        query["identifikasjonsnummer"] = [criteria.identifikasjonsnummer]
    names = {kind: name for name, kind in _IDENTIFIER_KINDS.items()}
    for kind, key in criteria.identifikasjoner:
        query[names[kind]] = [key]
    if criteria.navn is not None:
        query["navn"] = [" ".join(criteria.navn.ord)]
        if criteria.navn.fonetisk:
            query["soekFonetisk"] = ["true"]
    if criteria.kjoenn is not None:
        query["kjoenn"] = [criteria.kjoenn]
    if criteria.foedselsdato is not None:
        query["foedselsdato"] = [criteria.foedselsdato]
    if criteria.foedselsaar_fra_og_med is not None:
        query["foedselsaarFraOgMed"] = [f"{criteria.foedselsaar_fra_og_med:04d}"]
    if criteria.foedselsaar_til_og_med is not None:
        query["foedselsaarTilOgMed"] = [f"{criteria.foedselsaar_til_og_med:04d}"]
    address = criteria.adresse
    if address is not None:
        if address.adressenavn is not None:
            query["adressenavn"] = [address.adressenavn]
        if address.husnummer is not None:
            query["husnummer"] = [address.husnummer + (address.husbokstav or "")]
        for name, value in (
            ("postnummer", address.postnummer),
            ("kommunenummer", address.kommunenummer),
            ("fylkesnummer", address.fylkesnummer),
        ):
            if value is not None:
                query[name] = [value]
        if not entydig and OPPHOLD in address.adressetyper:
            query["inkluderOppholdsadresse"] = ["true"]
    if criteria.historisk:
        query["opplysningsgrunnlag"] = ["historisk"]
    if not entydig:
        if criteria.inkluder_doede:
            query["inkluderDoede"] = ["true"]
        if criteria.maks_treff != MAX_HITS:
            query["maksTreff"] = [str(criteria.maks_treff)]
    return query


def _single_values(raw: Mapping[str, Sequence[str]], allowed: Sequence[str]) -> dict[str, str]:
    unknown = sorted(name for name in raw if name not in allowed)
    if unknown:
        raise UgyldigParameter(
            "UKJENT_PARAMETER",
            f"Unknown parameter(s): {', '.join(unknown)}. Parameters are case-sensitive; valid ones are "
            f"{', '.join(allowed)}",
            ukjenteParametere=", ".join(unknown),
        )
    values: dict[str, str] = {}
    for name, given in raw.items():
        if len(given) != 1:
            raise UgyldigParameter("UGYLDIG_PARAMETER", f"{name} may be given only once", parameter=name)
        value = given[0].strip()
        if not value:
            raise UgyldigParameter("UGYLDIG_PARAMETER", f"{name} is empty", parameter=name)
        values[name] = value
    return values


def _boolean(values: Mapping[str, str], name: str) -> bool:
    value = values.get(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false"):
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER", f"{name} must be true or false, not '{value}'", parameter=name
        )
    return value.lower() == "true"


def _historisk(values: Mapping[str, str]) -> bool:
    value = values.get("opplysningsgrunnlag", "gjeldende")
    if value not in ("gjeldende", "historisk"):
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER",
            f"opplysningsgrunnlag must be 'gjeldende' or 'historisk', not '{value}'",
            parameter="opplysningsgrunnlag",
        )
    return value == "historisk"


def _maks_treff(values: Mapping[str, str]) -> int:
    value = values.get("maksTreff")
    if value is None:
        return MAX_HITS
    if not re.fullmatch(r"[0-9]{1,9}", value) or not 1 <= int(value) <= MAX_HITS:
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER",
            f"maksTreff must be a whole number from 1 to {MAX_HITS}, not '{value}'",
            parameter="maksTreff",
        )
    return int(value)


def _year(values: Mapping[str, str], name: str) -> int | None:
    value = values.get(name)
    if value is None:
        return None
    if not re.fullmatch(r"[0-9]{4}", value):
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER", f"{name} must be a year of 4 digits, not '{value}'", parameter=name
        )
    return int(value)


def _date(values: Mapping[str, str]) -> str | None:
    value = values.get("foedselsdato")
    if value is None:
        return None
    problem = f"foedselsdato must be a date written YYYYMMDD, not '{value}'"
    if not re.fullmatch(r"[0-9]{8}", value):
        raise UgyldigParameter("UGYLDIG_PARAMETER", problem, parameter="foedselsdato")
    try:
        date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise UgyldigParameter("UGYLDIG_PARAMETER", problem, parameter="foedselsdato") from None
    return value


def _digits(values: Mapping[str, str], name: str, length: int) -> str | None:
    value = values.get(name)
    if value is not None and not re.fullmatch(rf"[0-9]{{{length}}}", value):
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER", f"{name} must be {length} digits, not '{value}'", parameter=name
        )
    return value


def _only(value: str, allowed_punctuation: frozenset[str], digits: bool) -> bool:
    for char in value:
        category = unicodedata.category(char)
        if category[0] in "LM" or char in allowed_punctuation or (digits and is_ascii_digits(char)):
            continue
        return False
    return True


def _name(values: Mapping[str, str], fonetisk: bool, entydig: bool) -> Navnekriterium | None:
    value = values.get("navn")
    if value is None:
        return None
    if len(value) > MAX_NAME_LENGTH:
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER", f"navn is longer than {MAX_NAME_LENGTH} characters", parameter="navn"
        )
    if not _only(value, _NAME_PUNCTUATION, digits=False):
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER",
            f"navn may hold only letters, spaces, hyphens, apostrophes and periods, not '{value}'. Wildcards "
            "and patterns are not supported: each word must be a whole word of the name",
            parameter="navn",
        )
    found = tuple(words(value))
    if not found:
        raise UgyldigParameter("UGYLDIG_PARAMETER", "navn holds no word", parameter="navn")
    if len(found) > MAX_NAME_WORDS:
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER", f"navn has more than {MAX_NAME_WORDS} words", parameter="navn"
        )
    if entydig and len(found) < 2:
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER",
            "navn in entydigsoek needs at least a first name and a surname",
            parameter="navn",
        )
    return Navnekriterium(ord=found, fonetisk=fonetisk, entydig=entydig)


def _address(
    values: Mapping[str, str], typer: tuple[str, ...], exact_letter: bool
) -> Adressekriterium | None:
    adressenavn = values.get("adressenavn")
    prefix = None
    if adressenavn is not None:
        if not _only(adressenavn, _STREET_PUNCTUATION, digits=True):
            raise UgyldigParameter(
                "UGYLDIG_PARAMETER",
                f"adressenavn may hold only letters, digits, spaces, hyphens, periods and slashes, not "
                f"'{adressenavn}'; wildcards are not supported (give the start of the street name)",
                parameter="adressenavn",
            )
        prefix = street_key(adressenavn)
        if len(prefix) < MIN_STREET_PREFIX:
            raise UgyldigParameter(
                "UGYLDIG_PARAMETER",
                f"adressenavn must hold at least the first {MIN_STREET_PREFIX} characters of the street "
                f"name, not '{adressenavn}'",
                parameter="adressenavn",
            )
    husnummer = husbokstav = None
    if "husnummer" in values:
        match = _HUSNUMMER.fullmatch(values["husnummer"])
        if match is None:
            raise UgyldigParameter(
                "UGYLDIG_PARAMETER",
                f"husnummer must be a number, optionally followed by one letter (12 or 12B), not "
                f"'{values['husnummer']}'",
                parameter="husnummer",
            )
        husnummer = str(int(match.group(1)))
        husbokstav = match.group(2).upper() if match.group(2) else None
    postnummer = _digits(values, "postnummer", 4)
    kommunenummer = _digits(values, "kommunenummer", 4)
    fylkesnummer = _digits(values, "fylkesnummer", 2)
    if not any((prefix, husnummer, postnummer, kommunenummer, fylkesnummer)):
        return None
    return Adressekriterium(
        adressenavn=prefix,
        husnummer=husnummer,
        husbokstav=husbokstav,
        husbokstav_eksakt=exact_letter,
        postnummer=postnummer,
        kommunenummer=kommunenummer,
        fylkesnummer=fylkesnummer,
        adressetyper=typer,
    )


def _identifier(value: str, name: str, kind: str) -> str:
    pattern = _PLAIN_IDENTIFIER if kind == DUF else _COUNTRY_PREFIXED
    if not pattern.fullmatch(value):
        expected = (
            "letters and digits" if kind == DUF else "a country code (ISO alpha-3), a hyphen and the number"
        )
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER", f"{name} must be {expected}, not '{value}'", parameter=name
        )
    return identifier_key(kind, value)


__all__ = [
    "ENTYDIGSOEK_PARAMETERS",
    "MAX_HITS",
    "SOEK_PARAMETERS",
    "Adressekriterium",
    "Navnekriterium",
    "Soekekriterier",
    "UgyldigParameter",
    "canonical_query",
    "is_identifying",
    "parse_entydigsoek",
    "parse_soek",
]
