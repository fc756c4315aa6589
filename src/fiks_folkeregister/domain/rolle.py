"""A municipal role: which legal basis, usage areas and information elements a request may use."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

from fiks_folkeregister.domain.informasjonselementer import (
    HISTORIKK,
    Rettighetspakke,
    UnknownPartError,
    elements_allowed,
    expand,
)
from fiks_folkeregister.domain.tjenesteomrade import (
    DEFAULT_TJENESTEOMRADE,
    Lovhjemmel,
    TjenesteOmrade,
    lovhjemler_for,
)


class Bruksomraade(StrEnum):
    """What a role may be used for (bruksområde)."""

    SOK_ETTER_PERSON = "sok-etter-person"
    HENDELSESLISTE = "hendelsesliste"
    UTTREKK = "uttrekk"


#: Where a role may be used (its `gyldighet`, as Fiks roles say): the machine API, the search portal, the
#: extract pages, asynchronous jobs. A role left without one is valid for the machine API only.
API = "api"
SOEK_WEB = "soekWeb"
UTTREKK_WEB = "uttrekkWeb"
ASYNKRON = "asynkron"
GYLDIGHETER = (API, SOEK_WEB, UTTREKK_WEB, ASYNKRON)
DEFAULT_GYLDIGHET = frozenset({API})


class RoleDefinitionError(ValueError):
    """A role definition that cannot be saved: a machine code, a message saying what to change, details."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


@dataclass(frozen=True, slots=True)
class Rolle:
    """A role as the gateway enforces it. `elementer` is expanded (no aliases); history is a flag."""

    id: UUID
    orgnr: str
    navn: str
    rettighetspakke: Rettighetspakke
    bruksomraader: frozenset[Bruksomraade]
    elementer: frozenset[str]
    historikk: bool
    beskrivelse: str = ""
    #: Where the role may be used (`GYLDIGHETER`): the machine API refuses a role without `api`, the portal
    #: offers only roles with `soekWeb`.
    gyldighet: frozenset[str] = DEFAULT_GYLDIGHET
    #: The organisation's id in Fiks (a UUID), where known: the deprecated Oppvekst path names it. It
    #: belongs to the organisation, not to the role's definition, so it takes no part in comparisons.
    fiks_org_id: UUID | None = field(default=None, compare=False)
    #: False when an administrator deactivated the role: it then authorises nothing (its grants are kept).
    aktiv: bool = True


@dataclass(frozen=True, slots=True)
class RoleDefinition:
    """A validated role definition: what an administrator chose (`deler`) and what it expands to."""

    rettighetspakke: Rettighetspakke
    bruksomraader: frozenset[Bruksomraade]
    deler: tuple[str, ...]
    elementer: frozenset[str]
    historikk: bool
    gyldighet: frozenset[str] = DEFAULT_GYLDIGHET


def role_definition(
    rettighetspakke: str,
    bruksomraader: Iterable[str],
    deler: Iterable[str],
    gyldighet: Iterable[str] | None = None,
) -> RoleDefinition:
    """Validate a role's rights package, usage areas, parts and where it may be used (`gyldighet`; `api`
    when None), or refuse with an error saying what to change.

    The one place a role definition is checked: unknown names and elements the rights package may
    not receive are refused, naming every one.
    """
    try:
        package = Rettighetspakke(rettighetspakke)
    except ValueError:
        valid = [p.value for p in Rettighetspakke]
        raise RoleDefinitionError(
            "UKJENT_RETTIGHETSPAKKE",
            f"Unknown rights package {rettighetspakke!r}; use one of {', '.join(valid)}",
            rettighetspakke=rettighetspakke,
            gyldige=valid,
        ) from None
    areas = list(dict.fromkeys(bruksomraader))
    valid_areas = [b.value for b in Bruksomraade]
    unknown_areas = [area for area in areas if area not in valid_areas]
    if unknown_areas:
        raise RoleDefinitionError(
            "UKJENT_BRUKSOMRAADE",
            f"Unknown usage area(s): {', '.join(unknown_areas)}; use {', '.join(valid_areas)}",
            ukjente=unknown_areas,
            gyldige=valid_areas,
        )
    if not areas:
        raise RoleDefinitionError(
            "MANGLER_BRUKSOMRAADE", f"A role needs at least one usage area ({', '.join(valid_areas)})"
        )
    parts = tuple(dict.fromkeys(deler))
    elementer, historikk = role_elements(package, parts)
    return RoleDefinition(
        rettighetspakke=package,
        bruksomraader=frozenset(Bruksomraade(area) for area in areas),
        deler=parts,
        elementer=elementer,
        historikk=historikk,
        gyldighet=role_validity(gyldighet),
    )


def role_validity(gyldighet: Iterable[str] | None) -> frozenset[str]:
    """Where a role may be used: `api` when None; unknown values and an empty choice are refused."""
    if gyldighet is None:
        return DEFAULT_GYLDIGHET
    if isinstance(gyldighet, str):
        gyldighet = [gyldighet]
    chosen = list(dict.fromkeys(gyldighet))
    unknown = [value for value in chosen if value not in GYLDIGHETER]
    if unknown:
        raise RoleDefinitionError(
            "UKJENT_GYLDIGHET",
            f"Unknown gyldighet: {', '.join(unknown)}; use {', '.join(GYLDIGHETER)}",
            ukjente=unknown,
            gyldige=list(GYLDIGHETER),
        )
    if not chosen:
        raise RoleDefinitionError(
            "MANGLER_GYLDIGHET",
            f"A role needs at least one gyldighet (where it may be used: {', '.join(GYLDIGHETER)})",
        )
    return frozenset(chosen)


def role_elements(rettighetspakke: Rettighetspakke, parts: Iterable[str]) -> tuple[frozenset[str], bool]:
    """Expand the parts an administrator chose into (elements, history allowed), or refuse clearly.

    Unknown names and elements the rights package may not receive are refused, naming every one.
    """
    parts = tuple(parts)
    try:
        elements = expand(parts)
    except UnknownPartError as error:
        raise RoleDefinitionError("UKJENT_PART", str(error), ukjente=list(error.unknown)) from None
    if not elements:
        raise RoleDefinitionError(
            "MANGLER_ELEMENTER", "A role needs at least one information element or alias"
        )
    refused = sorted(elements - elements_allowed(rettighetspakke))
    if refused:
        raise RoleDefinitionError(
            "ELEMENT_IKKE_TILLATT",
            f"The rights package {rettighetspakke.value} may not receive: {', '.join(refused)}",
            rettighetspakke=rettighetspakke.value,
            elementer=refused,
        )
    return elements, HISTORIKK in parts


#: A tag's characters as KS's Konfigurasjon API allows them (`Tagg.navn`): letters (Norwegian and accented),
#: digits and some punctuation; spaces only inside, so a tag is at least two characters.
_TAG_CHARACTERS = "A-ZÆØÅa-zæøå0-9ÁáÀàÂâÉéÈèÊêÍíÌìÎîÓóÒòÔôÚúÙùÛûÝýÄäËëÏïÖöÜü,.!?\\-:;/\\\\'()&+*=%§"
_TAG = re.compile(f"[{_TAG_CHARACTERS}]+[{_TAG_CHARACTERS} ]*[{_TAG_CHARACTERS}]+")
MAX_TAG = 100


def role_area(tjeneste_omrade: str | None) -> TjenesteOmrade:
    """The service area a role serves (`DEFAULT_TJENESTEOMRADE` when None), or a refusal naming the valid ones."""
    if tjeneste_omrade is None:
        return DEFAULT_TJENESTEOMRADE
    try:
        return TjenesteOmrade(tjeneste_omrade)
    except ValueError:
        valid = [area.value for area in TjenesteOmrade]
        raise RoleDefinitionError(
            "UKJENT_TJENESTEOMRADE",
            f"Unknown service area {tjeneste_omrade!r}; use one of {', '.join(valid)}",
            tjenesteOmrade=tjeneste_omrade,
            gyldige=valid,
        ) from None


def role_tags(tagger: Iterable[str]) -> tuple[str, ...]:
    """A role's tags, trimmed, duplicates dropped, in the order given; a tag KS would refuse is refused."""
    if isinstance(tagger, str):
        tagger = [tagger]
    cleaned = tuple(dict.fromkeys(tag.strip() for tag in tagger))
    invalid = [tag for tag in cleaned if len(tag) > MAX_TAG or _TAG.fullmatch(tag) is None]
    if invalid:
        raise RoleDefinitionError(
            "UGYLDIG_TAGG",
            f"Invalid tag(s): {', '.join(repr(tag) for tag in invalid)}; a tag is 2 to {MAX_TAG} letters, "
            "digits and punctuation (,.!?-:;/\\'()&+*=%§), spaces only inside",
            ugyldige=invalid,
        )
    return cleaned


def role_legal_basis(
    beskrivelse: str | None, omrade: TjenesteOmrade, catalogue: Iterable[Lovhjemmel]
) -> Lovhjemmel | None:
    """The legal basis named by its text, from the catalogue's entries serving the role's service area (None
    when none is named); a text the area's catalogue does not hold is refused, naming the ones it does."""
    if beskrivelse is None or not beskrivelse.strip():
        return None
    offered = lovhjemler_for(tuple(catalogue), omrade)
    for lov in offered:
        if lov.beskrivelse == beskrivelse.strip():
            return lov
    valid = [lov.beskrivelse for lov in offered]
    raise RoleDefinitionError(
        "UKJENT_LOVHJEMMEL",
        f"The service area {omrade.value} has no legal basis {beskrivelse!r}"
        + (f"; choose one of: {'; '.join(valid)}" if valid else "; its catalogue holds none"),
        lovhjemmel=beskrivelse,
        tjenesteOmrade=omrade.value,
        gyldige=valid,
    )
