"""Data minimisation: cut a person document down to what a rights package and a `part` request allow."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


#: What a plan keeps of one element's value (anything falsy: nothing, the element is left out).
Rule = Callable[[Any], Any]


class Plan:
    """What to keep of each element for one (package, request) pair: decided once, then applied to every
    document (a bulk answer applies one plan to up to 1000), so no document re-decides it key by key."""

    __slots__ = ("_rules",)

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        #: The rule for each element kept; an element without one is left out.
        self._rules = rules

    def apply(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """`minimise` of `document` by this plan (see there)."""
        rules = self._rules
        result: dict[str, Any] = {}
        for name, value in document.items():
            rule = rules.get(name)
            if rule is not None and value is not None:
                kept = rule(value)
                if kept:
                    result[name] = kept
        return result


@lru_cache(maxsize=256)
def plan(rettighetspakke: Rettighetspakke, request: PartRequest) -> Plan:
    """The plan `minimise` follows for this package and request."""
    elements = (request.elements & elements_allowed(rettighetspakke)) | {IDENTIFIKASJONSNUMMER}
    historic = elements & historic_elements_allowed(rettighetspakke) if request.historikk else frozenset()
    gradings = VISIBLE_ADDRESS_GRADINGS[rettighetspakke]
    mask_status = rettighetspakke is Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL
    return Plan({name: _rule(name, name in historic, gradings, mask_status) for name in elements})


def _rule(name: str, with_history: bool, gradings: frozenset[str], mask_status: bool) -> Rule:
    if name in SINGLE_ENTRY_ELEMENTS:
        return _entry_object if with_history else _current_entry_object
    entries = list if with_history else _current_entries
    if name in ADDRESS_ELEMENTS:
        return lambda value: [entry for entry in entries(value) if entry.get("adressegradering") in gradings]
    if name == "status" and mask_status:
        return lambda value: [_masked_status(entry) for entry in entries(value)]
    return entries


def _entry_object(value: Any) -> Any:
    return value if isinstance(value, Mapping) else None


def _current_entry_object(value: Any) -> Any:
    return value if isinstance(value, Mapping) and is_current(value) else None


def _masked_status(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    status = entry.get("status")
    if status is None or status in OPEN_PERSON_STATUSES:
        return entry
    return {**entry, "status": MASKED_PERSON_STATUS}


def _current_entries(value: Any) -> list[Any]:
    """The entries `is_current` keeps, in order. Its rule is spelled out for plain dicts (all that parsed
    JSON holds), whose check costs a fraction of the `Mapping` check it makes; any other entry goes to it."""
    return [e for e in value if (e.get("erGjeldende") is True if type(e) is dict else is_current(e))]


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
    return plan(rettighetspakke, request).apply(document)
