"""Synthetic dwellings: the districts (krets) an address lies in and the address parts of an entry.

Shared by the population generator and the simulator so both build addresses alike. Pure and draws
nothing: callers draw the numbers with their own random source (their streams stay as they were).
"""

from __future__ import annotations

from typing import Any

from fiks_folkeregister.register.population.geografi import Kommune

#: The dwelling numbers (bruksenhetsnummer) of a block of flats: floor (H01..H06) and flat (01..04).
ETASJER = 6
LEILIGHETER_PER_ETASJE = 4


def bruksenhetsnummer(etasje: int, leilighet: int) -> str:
    """A flat's dwelling number: `H` + floor + flat, two digits each (H0102 is flat 2 on floor 1)."""
    return f"H{etasje:02d}{leilighet:02d}"


BRUKSENHETER = tuple(
    bruksenhetsnummer(etasje, leilighet)
    for etasje in range(1, ETASJER + 1)
    for leilighet in range(1, LEILIGHETER_PER_ETASJE + 1)
)


def grunnkretser(kommune: Kommune) -> int:
    """How many grunnkretser a municipality has: one for about every 400 inhabitants."""
    return max(1, kommune.innbyggere // 400)


def krets(kommunenummer: str, index: int) -> dict[str, int]:
    """The districts of the municipality's grunnkrets number `index` (from 0).

    Grunnkrets is kommunenummer + delområde + krets; school, voting and church districts lie over it.
    """
    return {
        "grunnkrets": int(f"{kommunenummer}{index // 20 + 1:02d}{index % 20 + 1:02d}"),
        "skolekrets": index // 5 + 1,
        "stemmekrets": index // 8 + 1,
        "kirkekrets": index // 12 + 1,
    }


def vegadresse(
    kommunenummer: str,
    adressenavn: str,
    adressekode: str,
    husnummer: str,
    husbokstav: str | None,
    bruksenhetsnummer: str | None,
    postnummer: str,
    poststedsnavn: str,
) -> dict[str, Any]:
    """The `vegadresse` part of an address entry, as a fresh dict."""
    nummer: dict[str, str] = {"husnummer": husnummer}
    if husbokstav:
        nummer["husbokstav"] = husbokstav
    veg: dict[str, Any] = {
        "kommunenummer": kommunenummer,
        "adressenavn": adressenavn,
        "adressekode": adressekode,
        "adressenummer": nummer,
        "poststed": {"postnummer": postnummer, "poststedsnavn": poststedsnavn},
        "bruksenhetstype": "bolig",
    }
    if bruksenhetsnummer:
        veg["bruksenhetsnummer"] = bruksenhetsnummer
    return {"vegadresse": veg}
