"""A municipal role: which legal basis, usage areas and information elements a request may use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from fiks_folkeregister.domain.informasjonselementer import (
    ALIASES,
    ELEMENTS,
    HISTORIKK,
    Rettighetspakke,
    elements_allowed,
)


class Bruksomraade(StrEnum):
    """What a role may be used for (bruksområde)."""

    SOK_ETTER_PERSON = "sok-etter-person"
    HENDELSESLISTE = "hendelsesliste"
    UTTREKK = "uttrekk"


class RoleDefinitionError(ValueError):
    """A role definition that cannot be saved; the message says what to change."""


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
    #: The organisation's id in Fiks (a UUID), where known: the deprecated Oppvekst path names it. It
    #: belongs to the organisation, not to the role's definition, so it takes no part in comparisons.
    fiks_org_id: UUID | None = field(default=None, compare=False)


def role_elements(rettighetspakke: Rettighetspakke, parts: Iterable[str]) -> tuple[frozenset[str], bool]:
    """Expand the parts an administrator chose into (elements, history allowed), or refuse clearly.

    Unknown names and elements the rights package may not receive are refused, naming every one.
    """
    elements: set[str] = set()
    historikk = False
    unknown: list[str] = []
    for part in parts:
        if part == HISTORIKK:
            historikk = True
        elif part in ALIASES:
            elements |= ALIASES[part]
        elif part in ELEMENTS:
            elements.add(part)
        else:
            unknown.append(part)
    if unknown:
        raise RoleDefinitionError(f"Unknown information element(s): {', '.join(sorted(set(unknown)))}")
    if not elements:
        raise RoleDefinitionError("A role needs at least one information element")
    refused = elements - elements_allowed(rettighetspakke)
    if refused:
        raise RoleDefinitionError(
            f"The rights package {rettighetspakke.value} may not receive: {', '.join(sorted(refused))}"
        )
    return frozenset(elements), historikk
