"""The catalogue of the person document's information elements, their aliases, and who may see which."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Rettighetspakke(StrEnum):
    """The register's rights packages this project serves; the value is the path segment the register uses."""

    OFFENTLIG_MED_HJEMMEL = "offentlig-med-hjemmel"
    OFFENTLIG_UTEN_HJEMMEL = "offentlig-uten-hjemmel"

    @property
    def scope(self) -> str:
        """The Maskinporten scope a token needs to use this package at the register."""
        return _SCOPES[self]


_SCOPES: Mapping[Rettighetspakke, str] = MappingProxyType(
    {
        Rettighetspakke.OFFENTLIG_MED_HJEMMEL: "folkeregister:deling/offentligmedhjemmel",
        Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL: "folkeregister:deling/offentligutenhjemmel",
    }
)

#: Every top-level property of `Folkeregisterperson` in the register's spec, in the spec's order.
ELEMENTS: tuple[str, ...] = (
    "adressebeskyttelse",
    "bibehold",
    "bostedsadresse",
    "brukAvSamiskSpraak",
    "deltBosted",
    "doedsfall",
    "falskIdentitet",
    "familierelasjon",
    "foedsel",
    "foedselINorge",
    "foreldreansvar",
    "forholdTilSametingetsValgmanntall",
    "identifikasjonsnummer",
    "identitetsgrunnlag",
    "innflytting",
    "kjoenn",
    "kontaktinformasjonForDoedsbo",
    "legitimasjonsdokument",
    "navn",
    "opphold",
    "oppholdPaaSvalbard",
    "oppholdsadresse",
    "postadresse",
    "postadresseIUtlandet",
    "preferertKontaktadresse",
    "sivilstand",
    "statsborgerskap",
    "status",
    "utenlandskPersonidentifikasjon",
    "utflytting",
    "utlendingsmyndighetenesIdentifikasjonsnummer",
    "vergemaalEllerFremtidsfullmakt",
)
_ELEMENT_SET = frozenset(ELEMENTS)

#: The element returned with every lookup, whatever was asked for.
IDENTIFIKASJONSNUMMER = "identifikasjonsnummer"

#: Not an element: a flag asking for historic entries (`erGjeldende: false`) of the elements returned.
HISTORIKK = "historikk"

PERSON_BASIS = "person-basis"

#: The register's aliases for groups of elements (Skatteetaten's API documentation, `dataminimering/`).
ALIASES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        PERSON_BASIS: frozenset(
            {
                "identifikasjonsnummer",
                "identitetsgrunnlag",
                "status",
                "doedsfall",
                "sivilstand",
                "foedsel",
                "statsborgerskap",
                "kjoenn",
                "navn",
                "bostedsadresse",
                "oppholdsadresse",
                "deltBosted",
                "postadresse",
                "postadresseIUtlandet",
                "adressebeskyttelse",
                "kontaktinformasjonForDoedsbo",
            }
        ),
        "identitetsgrunnlag-utvidet": frozenset(
            {"falskIdentitet", "legitimasjonsdokument", "utenlandskPersonidentifikasjon"}
        ),
        "relasjon-utvidet": frozenset(
            {"familierelasjon", "foreldreansvar", "vergemaalEllerFremtidsfullmakt"}
        ),
    }
)

#: Elements that are one object rather than a list of entries (the object still carries `erGjeldende`).
SINGLE_ENTRY_ELEMENTS = frozenset({"doedsfall", "falskIdentitet"})

#: Elements whose entries carry `adressegradering` and so fall under address protection.
ADDRESS_ELEMENTS = frozenset(
    {
        "bostedsadresse",
        "oppholdsadresse",
        "deltBosted",
        "postadresse",
        "postadresseIUtlandet",
        "preferertKontaktadresse",
    }
)

#: Confidential (taushetsbelagte) elements that offentlig-uten-hjemmel never receives.
CONFIDENTIAL_ELEMENTS = frozenset(
    {
        "familierelasjon",
        "foreldreansvar",
        "falskIdentitet",
        "legitimasjonsdokument",
        "utenlandskPersonidentifikasjon",
        "utlendingsmyndighetenesIdentifikasjonsnummer",
        "opphold",
        "bibehold",
        "brukAvSamiskSpraak",
        "forholdTilSametingetsValgmanntall",
    }
)

_ALLOWED: Mapping[Rettighetspakke, frozenset[str]] = MappingProxyType(
    {
        Rettighetspakke.OFFENTLIG_MED_HJEMMEL: _ELEMENT_SET,
        Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL: _ELEMENT_SET - CONFIDENTIAL_ELEMENTS,
    }
)
_HISTORIC_ALLOWED: Mapping[Rettighetspakke, frozenset[str]] = MappingProxyType(
    {
        Rettighetspakke.OFFENTLIG_MED_HJEMMEL: _ELEMENT_SET,
        Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL: frozenset({IDENTIFIKASJONSNUMMER, "navn"}) | ADDRESS_ELEMENTS,
    }
)


def elements_allowed(rettighetspakke: Rettighetspakke) -> frozenset[str]:
    """The elements a consumer with this rights package may receive at all."""
    return _ALLOWED[rettighetspakke]


def historic_elements_allowed(rettighetspakke: Rettighetspakke) -> frozenset[str]:
    """The elements whose historic entries a consumer with this rights package may receive."""
    return _HISTORIC_ALLOWED[rettighetspakke]


class UnknownPartError(ValueError):
    """A `part` value names neither an element nor an alias; carries every offending value."""

    def __init__(self, unknown: Iterable[str]) -> None:
        self.unknown: tuple[str, ...] = tuple(dict.fromkeys(unknown))
        names = ", ".join(repr(part) for part in self.unknown)
        aliases = ", ".join([*ALIASES, HISTORIKK])
        super().__init__(
            f"Unknown part(s): {names}. Valid parts are elements of Folkeregisterperson "
            f"({', '.join(ELEMENTS)}) and the aliases {aliases}. Parts are case-sensitive; "
            f"repeat the part parameter for several parts."
        )


@dataclass(frozen=True)
class PartRequest:
    """What a caller asked for: the elements (aliases expanded) and whether historic entries are wanted."""

    elements: frozenset[str]
    historikk: bool


def expand(parts: Iterable[str]) -> frozenset[str]:
    """Expand aliases into elements.

    `historikk` is accepted and contributes nothing (it is a flag, read by `parse_parts`). The
    always-returned `identifikasjonsnummer` is not added, so a role stores exactly what was named.
    Raises `UnknownPartError` naming every value that is neither an element nor an alias.
    """
    elements: set[str] = set()
    unknown: list[str] = []
    for part in parts:
        if part in _ELEMENT_SET:
            elements.add(part)
        elif part in ALIASES:
            elements |= ALIASES[part]
        elif part != HISTORIKK:
            unknown.append(part)
    if unknown:
        raise UnknownPartError(unknown)
    return frozenset(elements)


def parse_parts(parts: Sequence[str] | None) -> PartRequest:
    """Read the `part` query values of a lookup the way the register does.

    No parts, or only `historikk`, means `person-basis`. `identifikasjonsnummer` is always added.
    Each value is one part, matched case-sensitively: the spec declares `part` as a repeatable
    parameter (`style: form, explode: true`), so "navn,kjoenn" is rejected as unknown rather than
    split, which keeps the gateway and the register strictly equal to the contract.
    """
    values = parts or ()
    historikk = HISTORIKK in values
    elements = expand(values)
    if not elements:
        elements = ALIASES[PERSON_BASIS]
    return PartRequest(elements=elements | {IDENTIFIKASJONSNUMMER}, historikk=historikk)


@dataclass(frozen=True, slots=True)
class Del:
    """A part a role may be given (KS's `deler`): an alias of the register, or one element on its own."""

    navn: str
    elementer: tuple[str, ...]


def parts_catalogue() -> tuple[Del, ...]:
    """Every part: the register's aliases first, then each element no alias holds, in the spec's order."""
    in_alias = frozenset().union(*ALIASES.values())
    aliases = tuple(
        Del(name, tuple(e for e in ELEMENTS if e in members)) for name, members in ALIASES.items()
    )
    return aliases + tuple(Del(element, (element,)) for element in ELEMENTS if element not in in_alias)
