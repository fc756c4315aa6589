"""The search page's three forms: their fields, what a case worker typed → the register's query, and the
plain-Norwegian explanation of every mistake a case worker can make in them.

Pure (no I/O). Messages are catalogue ids (`Melding`); the page translates them. The register's own parser
(`domain/soekeparametre.py`, run by the pipeline) stays the judge of a query: this module only turns form
input into that query and explains, before anything is looked up, what a person typing can get wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fiks_folkeregister.domain.identitetsnummer import InvalidIdentitetsnummer, parse_identitetsnummer
from fiks_folkeregister.domain.rolle import Rolle
from fiks_folkeregister.domain.rollepolicy import CriteriaNotAllowed, authorise_criteria
from fiks_folkeregister.domain.soekeparametre import parse_entydigsoek, parse_soek


@dataclass(frozen=True)
class Melding:
    """A message for the case worker: a catalogue id and its parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)


class Skjemafeil(ValueError):
    """What the case worker typed cannot be searched; `felt` names the field, `melding` says what to do."""

    def __init__(self, felt: str, melding: Melding) -> None:
        super().__init__(melding.msgid)
        self.felt = felt
        self.melding = melding


IDENTIFIKASJONSNUMMER = "identifikasjonsnummer"
_WHITESPACE = re.compile(r"\s+")
#: `InvalidIdentitetsnummer.reason` → what to tell the case worker (the domain's reasons, one each).
_REASONS = {
    "invalid check digits": Melding(
        "The check digits do not match. Check the last two digits against the case papers; one digit is "
        "probably mistyped."
    ),
    "invalid date part": Melding(
        "The first six digits are not a valid date. Check the birth date part of the number."
    ),
}


def identitetsnummer(raw: str | None) -> str:
    """The identity number a case worker typed (spaces allowed, as numbers are often written in groups),
    validated; or `Skjemafeil` saying why not: empty, not digits, length, check digits, date part."""
    value = _WHITESPACE.sub("", raw or "")
    if not value:
        raise Skjemafeil(IDENTIFIKASJONSNUMMER, Melding("Fill in the identity number."))
    if not (value.isascii() and value.isdigit()):
        raise Skjemafeil(
            IDENTIFIKASJONSNUMMER,
            Melding("The number may contain only digits. Remove letters, spaces and other signs."),
        )
    if len(value) != 11:
        raise Skjemafeil(
            IDENTIFIKASJONSNUMMER,
            Melding("The number must be 11 digits. You typed %(count)s digits.", {"count": len(value)}),
        )
    try:
        parse_identitetsnummer(value)
    except InvalidIdentitetsnummer as error:
        raise Skjemafeil(IDENTIFIKASJONSNUMMER, _REASONS[error.reason]) from error
    return value


_NORWEGIAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def foedselsdato(raw: str) -> str:
    """A birth date as typed (dd.mm.åååå, or åååå-mm-dd) → YYYYMMDD, as the register's query wants it."""
    text = raw.strip()
    norwegian, iso = _NORWEGIAN_DATE.fullmatch(text), _ISO_DATE.fullmatch(text)
    try:
        if norwegian:
            day, month, year = (int(part) for part in norwegian.groups())
            return date(year, month, day).strftime("%Y%m%d")
        if iso:
            return date.fromisoformat(text).strftime("%Y%m%d")
    except ValueError:
        pass
    raise Skjemafeil("foedselsdato", Melding("The birth date must be a real date written dd.mm.åååå."))


# ---------------------------------------------------------------- the forms' fields

TEKST = "tekst"
VALG = "valg"
AVKRYSNING = "avkrysning"


@dataclass(frozen=True)
class Felt:
    """One criterion of a form: the register's parameter name, how it is typed, label and help ids."""

    navn: str
    type: str
    etikett: str
    hjelp: str | None = None
    valg: tuple[tuple[str, str], ...] = ()


#: Identify one person (entydigsoek): a name and one of birth date, street + number, postnummer.
ENTYDIG_FELTER: tuple[Felt, ...] = (
    Felt("navn", TEKST, "Name", "Whole words, for example first name and surname."),
    Felt("foedselsdato", TEKST, "Birth date", "As dd.mm.åååå."),
    Felt("adressenavn", TEKST, "Street name", "At least 3 letters from the start of the name."),
    Felt("husnummer", TEKST, "House number"),
    Felt("postnummer", TEKST, "Postnummer"),
)

#: Search with a hit list (soek): every criterion the register has, in the spec's order.
SOEK_FELTER: tuple[Felt, ...] = (
    Felt("navn", TEKST, "Name", "Whole words, for example first name and surname."),
    Felt("kjoenn", VALG, "Gender", valg=(("", "Any"), ("kvinne", "Woman"), ("mann", "Man"))),
    Felt("foedselsdato", TEKST, "Birth date", "As dd.mm.åååå."),
    Felt("foedselsaarFraOgMed", TEKST, "Born from year"),
    Felt("foedselsaarTilOgMed", TEKST, "Born up to year"),
    Felt("adressenavn", TEKST, "Street name", "At least 3 letters from the start of the name."),
    Felt("husnummer", TEKST, "House number"),
    Felt("postnummer", TEKST, "Postnummer"),
    Felt("kommunenummer", TEKST, "Municipality number"),
    Felt("fylkesnummer", TEKST, "County number"),
    Felt("inkluderOppholdsadresse", AVKRYSNING, "Include oppholdsadresse"),
    Felt("soekFonetisk", AVKRYSNING, "Phonetic search (names that sound alike)"),
    Felt("inkluderDoede", AVKRYSNING, "Include deceased persons"),
    Felt("historisk", AVKRYSNING, "Also search historic names and addresses"),
)

#: Criteria whose value is a choice the case worker ticks, sent to the register as `true`.
_FLAGS = frozenset(felt.navn for felt in SOEK_FELTER if felt.type == AVKRYSNING)


def skjemaverdier(form: Mapping[str, str], felter: tuple[Felt, ...]) -> dict[str, str]:
    """The non-empty values of `felter` in a posted form, trimmed (a ticked box is `true`)."""
    values: dict[str, str] = {}
    for felt in felter:
        value = (form.get(felt.navn) or "").strip()
        if felt.type == AVKRYSNING:
            if value:
                values[felt.navn] = "true"
        elif value:
            values[felt.navn] = value
    return values


def spoerring(verdier: Mapping[str, str]) -> dict[str, list[str]]:
    """Form values → the register's query parameters (dates to YYYYMMDD, `historisk` to opplysningsgrunnlag);
    `Skjemafeil` for what cannot be sent, and when nothing at all was filled in."""
    query: dict[str, list[str]] = {}
    for navn, value in verdier.items():
        if navn == "foedselsdato":
            query[navn] = [foedselsdato(value)]
        elif navn == "historisk":
            query["opplysningsgrunnlag"] = ["historisk"]
        else:
            query[navn] = [value]
    if not set(query) - _FLAGS - {"opplysningsgrunnlag"}:
        raise Skjemafeil("navn", Melding("Give at least one search criterion."))
    return query


def entydig_spoerring(verdier: Mapping[str, str]) -> dict[str, list[str]]:
    """Identify-one: a name with a birth date, a street and house number, or a postnummer — else say so."""
    identifying = "navn" in verdier and (
        "foedselsdato" in verdier
        or "postnummer" in verdier
        or ("adressenavn" in verdier and "husnummer" in verdier)
    )
    if not identifying:
        raise Skjemafeil(
            "navn",
            Melding("Give the name together with a birth date, a street with house number, or a postnummer."),
        )
    return spoerring(verdier)


#: The register's parameter names (in its 400 answers) → the case worker's explanation.
_PARAMETER_MESSAGES = {
    "foedselsdato": Melding("The birth date must be a real date written dd.mm.åååå."),
    "adressenavn": Melding("The street name needs at least 3 letters."),
    "postnummer": Melding("The postnummer must be 4 digits."),
}


def forklar_parameter(parameter: str | None, detalj: str) -> Melding:
    """What to tell the case worker when the register's parser refused a criterion of the query."""
    if parameter in _PARAMETER_MESSAGES:
        return _PARAMETER_MESSAGES[parameter]
    return Melding(
        "The search could not be run: %(detail)s. Correct the field and try again.", {"detail": detalj}
    )


def felt_for_parameter(parameter: str | None) -> str:
    """The form field a register parameter came from (so the error is shown beside it)."""
    return "historisk" if parameter == "opplysningsgrunnlag" else (parameter or "navn")


# ---------------------------------------------------------------- what the role may search by

#: One value per criterion, valid for the register's parser: together they name every criterion at once.
_PROBE_SOEK = {
    "navn": "Ola",
    "kjoenn": "mann",
    "foedselsdato": "20000101",
    "foedselsaarFraOgMed": "1990",
    "foedselsaarTilOgMed": "2000",
    "adressenavn": "Storgata",
    "husnummer": "1",
    "postnummer": "0150",
    "kommunenummer": "0301",
    "fylkesnummer": "03",
    "inkluderOppholdsadresse": "true",
    "soekFonetisk": "true",
    "inkluderDoede": "true",
}
_PROBE_ENTYDIG = {
    **{key: _PROBE_SOEK[key] for key in ("foedselsdato", "adressenavn", "husnummer", "postnummer")},
    "navn": "Ola Nordmann",
}
HISTORISK = "historisk"


def ikke_tillatte_kriterier(rolle: Rolle, entydig: bool) -> dict[str, tuple[str, ...]]:
    """The form's criteria the role may not use, each with the elements it lacks for it (`historisk`: the
    role holds no history). The decision is the role policy's own (`authorise_criteria`, as for the
    machine API), asked once with every criterion filled in."""
    probe = _PROBE_ENTYDIG if entydig else _PROBE_SOEK
    raw = {name: [value] for name, value in probe.items()}
    criteria = parse_entydigsoek(raw) if entydig else parse_soek(raw)
    refused: dict[str, tuple[str, ...]] = {}
    try:
        authorise_criteria(rolle, criteria, entydig)
    except CriteriaNotAllowed as error:
        missing = error.details.get("manglendeElementer", {})
        refused = {name: tuple(elements) for name, elements in missing.items()}
    if not rolle.historikk:
        refused[HISTORISK] = ()
    return refused
