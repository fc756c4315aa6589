"""Address protection governs every version: a person's current document grades every older version's addresses.

Protection (adressebeskyttelse) is often given without a move: the entries current at that moment are
regraded, but the versions before, and the event documents written then, still hold the same address as
`ugradert`. The rule, applied by the register to whatever it serves (the current document, any archived
version, any event document): an address entry is given out at least as strictly graded as

- the same entry (same element and `gyldighetstidspunkt`) is graded in the person's current document,
- or, when the current document no longer holds that entry (corrected, annulled), as the person's current
  adressebeskyttelse `graderingsnivaa`,
- and as any address of the current document at the same place (same vegadresse house, matrikkel unit,
  ukjentBosted municipality) is graded, in any address element and in history too,
- and, at a place the current document holds nowhere (an annulled move), as the current documents of the
  person's relatives grade that place: the household rule grades a relative's entries only where the
  relative's current document still holds them, so an annulled stay at what is now a protected relative's
  home would otherwise come out ungraded from the older versions. The register fetches the relatives'
  current documents only for such versions (`relatives_needed`).

Grading is only ever raised, never lowered: a version from a period of protection that has since been
lifted keeps its own grading. Minimisation (`domain/minimering.py`) then withholds what the package may not
see, as for any graded address. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from fiks_folkeregister.domain.dokument import (
    GRADING_RANK,
    UGRADERT,
    current_protection_level,
    grading_rank,
    stricter,
)
from fiks_folkeregister.domain.hendelse import ENTITETER
from fiks_folkeregister.domain.informasjonselementer import ADDRESS_ELEMENTS

#: Event-document property → person-document element, for the address elements.
_EVENT_ADDRESS_PROPERTIES: Mapping[str, str] = {
    prop: element for element, (_entitet, prop) in ENTITETER.items() if element in ADDRESS_ELEMENTS
}
#: The keys of an address entry that say where it is (the rest is metadata, districts, dates).
_PLACE_KEYS = (
    "vegadresse",
    "matrikkeladresse",
    "ukjentBosted",
    "utenlandskAdresse",
    "postboksadresse",
    "postadresseIFrittFormat",
    "utenlandskAdresseIFrittFormat",
)
#: Parts of a place that name one dwelling of a house: left out, so another flat of the same house is the
#: same place (a protected person's building is as telling as the flat).
_DWELLING_KEYS = frozenset({"bruksenhetsnummer", "bruksenhetstype", "adressetilleggsnavn", "coAdressenavn"})


def place(entry: Mapping[str, Any]) -> bytes | None:
    """Where an address entry is, independent of dwelling and metadata; None when it names no place."""
    parts = {}
    for key in _PLACE_KEYS:
        value = entry.get(key)
        if isinstance(value, Mapping):
            parts[key] = {k: v for k, v in value.items() if k not in _DWELLING_KEYS}
        elif value is not None:
            parts[key] = value
    return orjson.dumps(parts, option=orjson.OPT_SORT_KEYS) if parts else None


@dataclass(frozen=True, slots=True)
class Beskyttelse:
    """What a person's current document says about the grading of its addresses."""

    level: str
    """The current adressebeskyttelse: the grading of entries the current document no longer holds."""
    entries: Mapping[tuple[str, Any], str]
    """(element, gyldighetstidspunkt) → grading, for every address entry of the current document."""
    places: Mapping[bytes, str]
    """place → grading, for every graded (not `ugradert`) address of the current document."""
    elsewhere: Mapping[bytes, str] = field(default_factory=dict)
    """place → grading, for every graded address of the relatives' current documents at a place the
    person's current document holds nowhere."""

    def grading_for(self, element: str, entry: Mapping[str, Any]) -> Any:
        """The grading an entry of `element` (of any version of this person) is given out with."""
        grading = entry.get("adressegradering")
        grading = stricter(grading, self.entries.get((element, entry.get("gyldighetstidspunkt")), self.level))
        where = place(entry)
        if where is not None:
            grading = stricter(grading, self.places.get(where, UGRADERT))
            grading = stricter(grading, self.elsewhere.get(where, UGRADERT))
        return grading


def _person_addresses(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(element, entry) for every address entry of a person document."""
    for element in ADDRESS_ELEMENTS:
        value = document.get(element)
        for entry in [value] if isinstance(value, Mapping) else value or ():
            if isinstance(entry, Mapping):
                yield element, entry


def _event_addresses(event_document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(element, entry) for every address entry of an event document."""
    hendelse = event_document.get("hendelse")
    if not isinstance(hendelse, Mapping):
        return
    for entry in hendelse.get("egenskapshendelse") or ():
        for prop, element in _EVENT_ADDRESS_PROPERTIES.items():
            value = entry.get(prop) if isinstance(entry, Mapping) else None
            if isinstance(value, Mapping):
                yield element, value


def relatives(document: Mapping[str, Any]) -> list[str]:
    """The identity numbers a person document relates to (family, marriage, parental responsibility), now
    or before."""
    numbers = [e.get("relatertPerson") for e in _entries(document.get("familierelasjon"))]
    numbers += [
        e.get("ansvarlig") or e.get("ansvarssubjekt") for e in _entries(document.get("foreldreansvar"))
    ]
    numbers += [e.get("relatertVedSivilstand") for e in _entries(document.get("sivilstand"))]
    own = {e.get("foedselsEllerDNummer") for e in _entries(document.get("identifikasjonsnummer"))}
    return [n for n in dict.fromkeys(numbers) if isinstance(n, str) and n and n not in own]


def _entries(value: Any) -> list[Mapping[str, Any]]:
    return [e for e in ([value] if isinstance(value, Mapping) else value or ()) if isinstance(e, Mapping)]


def _unheld(addresses: Iterator[tuple[str, Mapping[str, Any]]], current: Mapping[str, Any]) -> bool:
    held = {place(entry) for _element, entry in _person_addresses(current)}
    return any((where := place(entry)) is not None and where not in held for _element, entry in addresses)


def relatives_needed(document: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """The relatives whose current documents `graded_as_now(document, current, ...)` needs: none when every
    place the version holds is held by the current document too (the household rule has graded those
    entries there), else every relative the current document or the version names."""
    if not _unheld(_person_addresses(document), current):
        return []
    return list(dict.fromkeys([*relatives(current), *relatives(document)]))


def event_relatives_needed(event_document: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """As `relatives_needed`, for an event document of the person whose current document is `current`."""
    return relatives(current) if _unheld(_event_addresses(event_document), current) else []


def protection_of(
    current: Mapping[str, Any], relatives_current: Iterable[Mapping[str, Any]] = ()
) -> Beskyttelse | None:
    """The protection a person's current document (and their relatives' current documents, for places) puts
    on every version; None when it raises nothing."""
    level = current_protection_level(current)
    entries: dict[tuple[str, Any], str] = {}
    for element, entry in _person_addresses(current):
        grading = entry.get("adressegradering")
        key = (element, entry.get("gyldighetstidspunkt"))
        entries[key] = stricter(entries[key], grading) if key in entries else grading
    places = _graded_places([current])
    held = {place(entry) for _element, entry in _person_addresses(current)}
    elsewhere = {where: g for where, g in _graded_places(relatives_current).items() if where not in held}
    if (
        level == UGRADERT
        and not elsewhere
        and all(grading_rank(grading) == 0 for grading in entries.values())
    ):
        return None
    return Beskyttelse(level, entries, places, elsewhere)


def _graded_places(documents: Iterable[Mapping[str, Any]]) -> dict[bytes, str]:
    """place → the strictest grading any address of the documents has there, for the graded places."""
    places: dict[bytes, str] = {}
    for document in documents:
        for _element, entry in _person_addresses(document):
            grading = entry.get("adressegradering")
            where = place(entry) if grading_rank(grading) > 0 else None
            if where is not None:
                places[where] = stricter(places.get(where, UGRADERT), grading)
    return places


def _regraded(element: str, entry: Any, protection: Beskyttelse) -> Any:
    if not isinstance(entry, Mapping):
        return entry
    grading = protection.grading_for(element, entry)
    if grading == entry.get("adressegradering"):
        return entry
    return {**entry, "adressegradering": grading}


def graded_as_now(
    document: Mapping[str, Any],
    current: Mapping[str, Any],
    relatives_current: Iterable[Mapping[str, Any]] = (),
) -> Mapping[str, Any]:
    """`document` (any version of the person whose current document is `current`) graded as the rule says;
    `relatives_current`: the current documents of the relatives `relatives_needed` names.

    Returns `document` itself when nothing changes, else a shallow copy with new entries where regraded.
    """
    protection = protection_of(current, relatives_current)
    if protection is None:
        return document
    result: dict[str, Any] | None = None
    for element in ADDRESS_ELEMENTS:
        value = document.get(element)
        if not value or isinstance(value, (str, bytes)):
            continue
        if isinstance(value, Mapping):
            regraded: Any = _regraded(element, value, protection)
            changed = regraded is not value
        else:
            regraded = [_regraded(element, entry, protection) for entry in value]
            changed = any(new is not old for new, old in zip(regraded, value, strict=True))
        if changed:
            result = dict(document) if result is None else result
            result[element] = regraded
    return document if result is None else result


def event_graded_as_now(
    event_document: Mapping[str, Any],
    current: Mapping[str, Any],
    relatives_current: Iterable[Mapping[str, Any]] = (),
) -> Mapping[str, Any]:
    """An event document (`DokumentForHendelse`) of the person whose current document is `current`, its
    address entries graded as the rule says (`relatives_current` as for `graded_as_now`)."""
    protection = protection_of(current, relatives_current)
    hendelse = event_document.get("hendelse")
    if protection is None or not isinstance(hendelse, Mapping):
        return event_document
    entries = hendelse.get("egenskapshendelse") or ()
    regraded = []
    for entry in entries:
        new = entry
        for prop, element in _EVENT_ADDRESS_PROPERTIES.items():
            value = entry.get(prop) if isinstance(entry, Mapping) else None
            if isinstance(value, Mapping):
                graded = _regraded(element, value, protection)
                if graded is not value:
                    new = {**new, prop: graded}
        regraded.append(new)
    if all(new is old for new, old in zip(regraded, entries, strict=True)):
        return event_document
    return {**event_document, "hendelse": {**hendelse, "egenskapshendelse": regraded}}


__all__ = [
    "GRADING_RANK",
    "Beskyttelse",
    "current_protection_level",
    "event_graded_as_now",
    "event_relatives_needed",
    "graded_as_now",
    "place",
    "protection_of",
    "relatives",
    "relatives_needed",
    "stricter",
]
