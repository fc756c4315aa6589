"""A tailored extract's criteria against person documents: does a current document meet them; stored form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from fiks_folkeregister.domain.dokument import address_kommune, current_entries, current_entry
from fiks_folkeregister.domain.uttrekkskriterier import Kriterier


def _in(value: int | None, low: int | None, high: int | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _current_one(document: Mapping[str, Any], element: str) -> Mapping[str, Any]:
    """The element's first current entry, or an empty mapping (no lists built: this runs for every candidate)."""
    return current_entry(document, element) or {}


def _lives_in(document: Mapping[str, Any], element: str, kommune: str, gradings: frozenset[str]) -> bool:
    """Whether a current address of `element` with a visible grading lies in `kommune`."""
    return any(
        address.get("adressegradering") in gradings and address_kommune(address) == kommune
        for address in current_entries(document, element)
    )


def matches(document: Mapping[str, Any], kriterier: Kriterier, gradings: frozenset[str]) -> bool:
    """Whether a current person document meets every criterion (addresses only through visible gradings)."""
    if _current_one(document, "status").get("status") not in kriterier.statuser:
        return False
    if kriterier.bostedskommune is not None and not _lives_in(
        document, "bostedsadresse", kriterier.bostedskommune, gradings
    ):
        return False
    if kriterier.oppholdskommune is not None and not _lives_in(
        document, "oppholdsadresse", kriterier.oppholdskommune, gradings
    ):
        return False
    if kriterier.foedselsaar_fra is not None or kriterier.foedselsaar_til is not None:
        aar = _current_one(document, "foedsel").get("foedselsaar")
        if not _in(int(aar) if aar else None, kriterier.foedselsaar_fra, kriterier.foedselsaar_til):
            return False
    if kriterier.doedsaar_fra is not None or kriterier.doedsaar_til is not None:
        doedsfall = document.get("doedsfall") or {}
        dato = doedsfall.get("doedsdato")
        if not _in(int(dato[:4]) if dato else None, kriterier.doedsaar_fra, kriterier.doedsaar_til):
            return False
    if kriterier.kjoenn is not None and _current_one(document, "kjoenn").get("kjoenn") != kriterier.kjoenn:
        return False
    if kriterier.statsborgerskap is not None and all(
        e.get("statsborgerskap") != kriterier.statsborgerskap
        for e in current_entries(document, "statsborgerskap")
    ):
        return False
    return (
        kriterier.sivilstand is None
        or _current_one(document, "sivilstand").get("sivilstand") == kriterier.sivilstand
    )


def kriterier_json(kriterier: Kriterier) -> bytes:
    """The criteria as the job row stores them."""
    data = {name: getattr(kriterier, name) for name in Kriterier.__slots__}  # type: ignore[attr-defined]
    data["statuser"] = sorted(kriterier.statuser)
    return orjson.dumps(data)


def kriterier_from_json(raw: bytes) -> Kriterier:
    """The criteria of a stored job."""
    data = orjson.loads(raw)
    data["statuser"] = frozenset(data["statuser"])
    return Kriterier(**data)
