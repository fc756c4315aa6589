"""Data minimisation: cut a person document down to what a rights package and a `part` request allow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from fiks_folkeregister.domain.dokument import is_current
from fiks_folkeregister.domain.informasjonselementer import (
    ADDRESS_ELEMENTS,
    IDENTIFIKASJONSNUMMER,
    SINGLE_ENTRY_ELEMENTS,
    PartRequest,
    Rettighetspakke,
    elements_allowed,
    historic_elements_allowed,
)

#: Person statuses offentlig-uten-hjemmel may see; any other status is shown to it as `aktiv`.
OPEN_PERSON_STATUSES = frozenset({"bosatt", "utflyttet", "doed", "opphoert", "inaktiv"})

#: What a confidential status is replaced with for offentlig-uten-hjemmel (why `aktiv` is in the enum).
MASKED_PERSON_STATUS = "aktiv"

#: The `adressegradering` values whose addresses each package may receive. A missing or unknown grading
#: is in neither set, so such an address is withheld: the gateway must fail closed, never open.
VISIBLE_ADDRESS_GRADINGS: Mapping[Rettighetspakke, frozenset[str]] = MappingProxyType(
    {
        Rettighetspakke.OFFENTLIG_MED_HJEMMEL: frozenset({"ugradert", "fortrolig", "klientadresse"}),
        Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL: frozenset({"ugradert"}),
    }
)


@dataclass(frozen=True)
class _Plan:
    """What to keep for one (package, request) pair, computed once and reused for every document."""

    elements: frozenset[str]
    historic: frozenset[str]
    gradings: frozenset[str]
    mask_status: bool


@lru_cache(maxsize=256)
def _plan(rettighetspakke: Rettighetspakke, request: PartRequest) -> _Plan:
    elements = (request.elements & elements_allowed(rettighetspakke)) | {IDENTIFIKASJONSNUMMER}
    historic = elements & historic_elements_allowed(rettighetspakke) if request.historikk else frozenset()
    return _Plan(
        elements=elements,
        historic=historic,
        gradings=VISIBLE_ADDRESS_GRADINGS[rettighetspakke],
        mask_status=rettighetspakke is Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL,
    )


def _masked_status(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    status = entry.get("status")
    if status is None or status in OPEN_PERSON_STATUSES:
        return entry
    return {**entry, "status": MASKED_PERSON_STATUS}


def minimise(
    document: Mapping[str, Any], rettighetspakke: Rettighetspakke, request: PartRequest
) -> dict[str, Any]:
    """Return the part of `document` that `rettighetspakke` may see and `request` asked for.

    Keeps only requested, permitted elements (plus `identifikasjonsnummer`, always); only current
    entries unless history was asked for and the package may see that element's history; withholds
    addresses whose grading the package may not see (`strengtFortrolig` for everyone); shows
    offentlig-uten-hjemmel confidential person statuses as `aktiv`. Elements left empty are omitted,
    so the result holds no empty lists and no nulls at the top level.

    The input is never mutated. The result is a new dict with new lists; unchanged entry dicts are
    shared with the input (no deep copy, this runs on the register's hot path), so callers must not
    mutate the result's entries either.
    """
    plan = _plan(rettighetspakke, request)
    result: dict[str, Any] = {}
    for name, value in document.items():
        if name not in plan.elements or value is None:
            continue
        with_history = name in plan.historic
        if name in SINGLE_ENTRY_ELEMENTS:
            if value and isinstance(value, Mapping) and (with_history or is_current(value)):
                result[name] = value
            continue
        kept = list(value) if with_history else [entry for entry in value if is_current(entry)]
        if name in ADDRESS_ELEMENTS:
            kept = [entry for entry in kept if entry.get("adressegradering") in plan.gradings]
        elif name == "status" and plan.mask_status:
            kept = [_masked_status(entry) for entry in kept]
        if kept:
            result[name] = kept
    return result
