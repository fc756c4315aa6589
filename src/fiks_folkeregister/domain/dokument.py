"""Reading person documents: which entries are current, which are history, what protection applies.

The one rule for currency, used everywhere a person document is read (minimisation, the role filter, address
protection, events, oppvekst, the register's simulator, search index and extracts):

- An entry is **current only when `erGjeldende is True`**. Anything else (`false`, missing, `null`, a string)
  is history. Filtering history away from a role or package without history therefore drops an entry that
  does not say it is current: it fails closed.
- That rule alone would fail open for protection: an adressebeskyttelse entry without the flag would be
  ignored and the person read as `ugradert`. So the current protection is the **strictest**
  `graderingsnivaa` among adressebeskyttelse entries that are current **or lack the flag**; only an entry
  that explicitly says `erGjeldende: false` has stopped applying. An unknown grading is the strictest.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from fiks_folkeregister.domain.informasjonselementer import ADDRESS_ELEMENTS

UGRADERT = "ugradert"
ADRESSEBESKYTTELSE = "adressebeskyttelse"

#: How strict each `adressegradering` is. A grading not listed is unknown: it always counts as the strictest
#: (kept as it is, and minimisation withholds it from everyone), so the rule fails closed.
GRADING_RANK: Mapping[str, int] = {"ugradert": 0, "klientadresse": 1, "fortrolig": 2, "strengtFortrolig": 3}
_UNKNOWN_RANK = 99


def grading_rank(grading: Any) -> int:
    """How strict a grading is (an unknown or missing grading ranks above every known one)."""
    return GRADING_RANK.get(grading, _UNKNOWN_RANK) if isinstance(grading, str) else _UNKNOWN_RANK


def stricter(first: Any, second: Any) -> Any:
    """The stricter of two gradings (an unknown or missing grading is the strictest)."""
    return second if grading_rank(second) > grading_rank(first) else first


def is_current(entry: Any) -> bool:
    """Whether an entry is current: only an explicit `erGjeldende: true` counts."""
    return isinstance(entry, Mapping) and entry.get("erGjeldende") is True


def entries(value: Any) -> list[Mapping[str, Any]]:
    """The entries of an element's value: a list of entries, one entry object, or nothing."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [value]
    return [entry for entry in value if isinstance(entry, Mapping)]


def current_entries(document: Mapping[str, Any], element: str) -> list[Mapping[str, Any]]:
    """The current entries of `element`, in document order."""
    return [entry for entry in entries(document.get(element)) if is_current(entry)]


def current_entry(document: Mapping[str, Any], element: str) -> Mapping[str, Any] | None:
    """The first current entry of `element`, or None (builds no list: runs for every search candidate)."""
    value = document.get(element)
    if isinstance(value, Mapping):
        return value if is_current(value) else None
    for entry in value or ():
        if is_current(entry):
            return entry  # type: ignore[no-any-return]
    return None


def current_identifier(document: Mapping[str, Any]) -> str:
    """The identity number in use: the current `identifikasjonsnummer` entry's `foedselsEllerDNummer`."""
    entry = current_entry(document, "identifikasjonsnummer")
    if entry is None:
        raise ValueError("a person document needs a current identifikasjonsnummer")
    return str(entry["foedselsEllerDNummer"])


def address_kommune(entry: Mapping[str, Any]) -> str | None:
    """The municipality an address entry lies in (vegadresse, matrikkeladresse, ukjentBosted), else None."""
    if "vegadresse" in entry:
        return entry["vegadresse"].get("kommunenummer")  # type: ignore[no-any-return]
    if "matrikkeladresse" in entry:
        return entry["matrikkeladresse"]["matrikkelnummer"].get("kommunenummer")  # type: ignore[no-any-return]
    if "ukjentBosted" in entry:
        return entry["ukjentBosted"].get("bostedskommune")  # type: ignore[no-any-return]
    return None


def historic_entries(document: Mapping[str, Any], element: str) -> list[Mapping[str, Any]]:
    """The entries of `element` that are not current (history), in document order."""
    return [entry for entry in entries(document.get(element)) if not is_current(entry)]


def current_addresses(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(element, entry) for every current address entry of a person document."""
    for element in sorted(ADDRESS_ELEMENTS):
        for entry in current_entries(document, element):
            yield element, entry


def current_protection_level(document: Mapping[str, Any]) -> str:
    """The `graderingsnivaa` the person's adressebeskyttelse applies, `ugradert` without one.

    The strictest among entries that do not explicitly say `erGjeldende: false` (current, or the flag
    missing or not a boolean): a protection entry is never ignored because its flag is missing.
    """
    level = UGRADERT
    for entry in entries(document.get(ADRESSEBESKYTTELSE)):
        if entry.get("erGjeldende") is not False:
            level = stricter(level, entry.get("graderingsnivaa") or UGRADERT)
    return level
