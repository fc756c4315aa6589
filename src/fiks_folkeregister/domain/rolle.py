"""A municipal role: which legal basis, usage areas and information elements a request may use."""

from __future__ import annotations

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
