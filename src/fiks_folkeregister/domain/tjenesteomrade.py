"""The Fiks role model's pure catalogues: service areas (`tjenesteOmrade`), usage areas (`bruksomrader`)
and the default legal bases (`lovhjemler`) per service area, with the names KS's Konfigurasjon API uses.

Which service areas may fetch confidential (taushetsbelagt) information is this project's reading of the
areas' own statutes, not a table published by KS: the areas whose work rests on a statutory duty to know
family relations and identity (child welfare, health and care, schools and kindergartens, social services,
tax collection, burial authority) may; the rest (technical services, support schemes, citizen services,
business) may not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class TjenesteOmrade(StrEnum):
    """The twelve municipal service areas a Fiks role serves, spelt as KS spells them."""

    BARNEVERN = "BARNEVERN"
    HELSE = "HELSE"
    GRAVFERDSMYNDIGHET = "GRAVFERDSMYNDIGHET"
    OMSORG = "OMSORG"
    OPPVEKST = "OPPVEKST"
    BARNEHAGE = "BARNEHAGE"
    SKATTEOPPKREVER = "SKATTEOPPKREVER"
    SOSIAL = "SOSIAL"
    TEKNISK = "TEKNISK"
    STOTTE = "STOTTE"
    INNBYGGERTJENESTER = "INNBYGGERTJENESTER"
    NAERINGSLIV = "NAERINGSLIV"


#: The service area of a role for which none was named (and of every role made before roles had one): support
#: functions, an area that gives no access of its own to confidential information.
DEFAULT_TJENESTEOMRADE = TjenesteOmrade.STOTTE


@dataclass(frozen=True, slots=True)
class Tjenesteomradebeskrivelse:
    """One service area: its name, a description for people, and whether it may fetch confidential data."""

    omrade: TjenesteOmrade
    beskrivelse: str
    kan_hente_taushetsbelagt_info: bool


def _area(omrade: TjenesteOmrade, beskrivelse: str, taushet: bool) -> Tjenesteomradebeskrivelse:
    return Tjenesteomradebeskrivelse(omrade, beskrivelse, taushet)


#: Every service area, in KS's order.
TJENESTEOMRADER: tuple[Tjenesteomradebeskrivelse, ...] = (
    _area(TjenesteOmrade.BARNEVERN, "Barnevern", True),
    _area(TjenesteOmrade.HELSE, "Helse", True),
    _area(TjenesteOmrade.GRAVFERDSMYNDIGHET, "Gravferdsmyndighet", True),
    _area(TjenesteOmrade.OMSORG, "Pleie og omsorg", True),
    _area(TjenesteOmrade.OPPVEKST, "Oppvekst og skole", True),
    _area(TjenesteOmrade.BARNEHAGE, "Barnehage", True),
    _area(TjenesteOmrade.SKATTEOPPKREVER, "Skatteoppkrever", True),
    _area(TjenesteOmrade.SOSIAL, "Sosialtjeneste (NAV kommune)", True),
    _area(TjenesteOmrade.TEKNISK, "Tekniske tjenester", False),
    _area(TjenesteOmrade.STOTTE, "Støttefunksjoner", False),
    _area(TjenesteOmrade.INNBYGGERTJENESTER, "Innbyggertjenester", False),
    _area(TjenesteOmrade.NAERINGSLIV, "Næringsliv", False),
)
_BY_AREA: Mapping[TjenesteOmrade, Tjenesteomradebeskrivelse] = MappingProxyType(
    {area.omrade: area for area in TJENESTEOMRADER}
)


def tjenesteomrade(omrade: TjenesteOmrade) -> Tjenesteomradebeskrivelse:
    """The catalogue entry of one service area."""
    return _BY_AREA[omrade]


class Bruksomrade(StrEnum):
    """What a Fiks role may be used for, as KS's Konfigurasjon API names it."""

    OPPSLAG = "OPPSLAG"
    HENDELSESLISTE = "HENDELSESLISTE"
    UTTREKK = "UTTREKK"


@dataclass(frozen=True, slots=True)
class Bruksomradebeskrivelse:
    """One usage area, described for people, with who delivers it (`SKATT` the register, `KS` the platform)."""

    bruksomrade: Bruksomrade
    beskrivelse: str
    leverandor: str


BRUKSOMRADER: tuple[Bruksomradebeskrivelse, ...] = (
    Bruksomradebeskrivelse(Bruksomrade.OPPSLAG, "Oppslag og søk på enkeltpersoner", "SKATT"),
    Bruksomradebeskrivelse(Bruksomrade.HENDELSESLISTE, "Hendelser i Folkeregisteret", "SKATT"),
    Bruksomradebeskrivelse(Bruksomrade.UTTREKK, "Uttrekk (lister) av personer", "SKATT"),
)


@dataclass(frozen=True, slots=True)
class Lovhjemmel:
    """A legal basis: its text, the service areas it serves, and links to the law."""

    beskrivelse: str
    omrader: tuple[TjenesteOmrade, ...]
    urler: tuple[str, ...]


def _lov(beskrivelse: str, omrader: tuple[TjenesteOmrade, ...], *urler: str) -> Lovhjemmel:
    return Lovhjemmel(beskrivelse, omrader, urler)


#: The catalogue a fresh installation starts with (Lovdata's links).
STANDARD_LOVHJEMLER: tuple[Lovhjemmel, ...] = (
    _lov(
        "Barnevernsloven § 13-4",
        (TjenesteOmrade.BARNEVERN,),
        "https://lovdata.no/lov/2021-06-18-97/§13-4",
    ),
    _lov(
        "Helse- og omsorgstjenesteloven § 12-1",
        (TjenesteOmrade.HELSE, TjenesteOmrade.OMSORG),
        "https://lovdata.no/lov/2011-06-24-30/§12-1",
    ),
    _lov(
        "Gravferdsloven § 9",
        (TjenesteOmrade.GRAVFERDSMYNDIGHET,),
        "https://lovdata.no/lov/1996-06-07-32/§9",
    ),
    _lov(
        "Opplæringslova § 22-1",
        (TjenesteOmrade.OPPVEKST,),
        "https://lovdata.no/lov/2023-06-09-30/§22-1",
    ),
    _lov(
        "Barnehageloven § 19 e",
        (TjenesteOmrade.BARNEHAGE,),
        "https://lovdata.no/lov/2005-06-17-64/§19e",
    ),
    _lov(
        "Skattebetalingsloven § 2-1",
        (TjenesteOmrade.SKATTEOPPKREVER,),
        "https://lovdata.no/lov/2005-06-17-67/§2-1",
    ),
    _lov(
        "Sosialtjenesteloven § 43",
        (TjenesteOmrade.SOSIAL,),
        "https://lovdata.no/lov/2009-12-18-131/§43",
    ),
)


def lovhjemler_for(catalogue: tuple[Lovhjemmel, ...], omrade: TjenesteOmrade) -> tuple[Lovhjemmel, ...]:
    """The legal bases of a catalogue that serve one service area."""
    return tuple(lov for lov in catalogue if omrade in lov.omrader)
