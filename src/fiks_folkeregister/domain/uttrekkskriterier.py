"""The criteria of a tailored extract (`uttrekk/tilpasset`): parsed and validated once, for both sides.

Pure, and the one parser of a `TilpassetUttrekkJobbRequest`: the register runs what it returns, and the
gateway authorises what it returns against the role and forwards `canonical_body` of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fiks_folkeregister.domain.parametre import UgyldigParameter

#: `personstatustyper` → the person statuses each covers (`aktiv`: the temporary ones; docs/glossary.md, status).
STATUS_TYPES: Mapping[str, frozenset[str]] = {
    "aktiv": frozenset({"midlertidig", "ikkeBosatt", "forsvunnet", "foedselsregistrert"}),
    "bosatt": frozenset({"bosatt"}),
    "utflyttet": frozenset({"utflyttet"}),
    "doed": frozenset({"doed"}),
    "inaktiv": frozenset({"inaktiv", "opphoert"}),
}
SIVILSTANDSTYPER = frozenset(
    {
        "uoppgitt",
        "ugift",
        "gift",
        "enkeEllerEnkemann",
        "skilt",
        "separert",
        "registrertPartner",
        "separertPartner",
        "skiltPartner",
        "gjenlevendePartner",
    }
)
_FOUR_DIGITS = re.compile(r"[0-9]{4}")
_COUNTRY = re.compile(r"[A-Z]{3}")
FIELDS = frozenset(
    {
        "personstatustyper",
        "kommunenummer",
        "foedselsaarFraOgMed",
        "foedselsaarTilOgMed",
        "doedsaarFraOgMed",
        "doedsaarTilOgMed",
        "kjoenn",
        "statsborgerskap",
        "sivilstandstype",
    }
)


@dataclass(frozen=True, slots=True)
class Kriterier:
    """A validated `TilpassetUttrekkJobbRequest`."""

    statuser: frozenset[str]
    bostedskommune: str | None = None
    oppholdskommune: str | None = None
    foedselsaar_fra: int | None = None
    foedselsaar_til: int | None = None
    doedsaar_fra: int | None = None
    doedsaar_til: int | None = None
    kjoenn: str | None = None
    statsborgerskap: str | None = None
    sivilstand: str | None = None


def _year(body: Mapping[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    text_value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text_value, str) or not _FOUR_DIGITS.fullmatch(text_value):
        raise UgyldigParameter(
            "UGYLDIG_KRITERIUM", f'{name} must be a year of four digits (e.g. "2019"), not {value!r}'
        )
    return int(text_value)


def _range(body: Mapping[str, Any], low: str, high: str) -> tuple[int | None, int | None]:
    start, end = _year(body, low), _year(body, high)
    if start is not None and end is not None and start > end:
        raise UgyldigParameter("UGYLDIG_KRITERIUM", f"{low} ({start}) is after {high} ({end})")
    return start, end


def _kommune(value: Any, name: str, known: Callable[[str], bool] | None) -> str:
    if not isinstance(value, str) or not _FOUR_DIGITS.fullmatch(value):
        raise UgyldigParameter(
            "UGYLDIG_KRITERIUM", f"kommunenummer.{name} must be four digits, not {value!r}"
        )
    if known is not None and not known(value):
        raise UgyldigParameter("UGYLDIG_KRITERIUM", f"kommunenummer.{name} {value} is no municipality")
    return value


def parse_tilpasset(body: Any, kommune_finnes: Callable[[str], bool] | None = None) -> Kriterier:
    """Validate a `TilpassetUttrekkJobbRequest`, or refuse (400) saying exactly what is wrong.

    `kommune_finnes` tells whether a municipality number is a real municipality (the register knows;
    the gateway leaves it to the register).
    """
    if not isinstance(body, dict):
        raise UgyldigParameter(
            "UGYLDIG_FORESPOERSEL", "The body must be a JSON object (TilpassetUttrekkJobbRequest)"
        )
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise UgyldigParameter(
            "UGYLDIG_KRITERIUM", f"Unknown criteria: {', '.join(unknown)}", ukjente=", ".join(unknown)
        )
    types = body.get("personstatustyper")
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise UgyldigParameter(
            "UGYLDIG_KRITERIUM",
            f"personstatustyper is required: a non-empty list of {', '.join(STATUS_TYPES)}",
        )
    wrong = sorted(set(types) - set(STATUS_TYPES))
    if wrong:
        raise UgyldigParameter(
            "UGYLDIG_KRITERIUM",
            f"Unknown personstatustyper: {', '.join(wrong)}; use {', '.join(STATUS_TYPES)}",
        )
    statuser = frozenset().union(*(STATUS_TYPES[t] for t in types))
    bosted = opphold = None
    if "kommunenummer" in body and body["kommunenummer"] is not None:
        kommune = body["kommunenummer"]
        if not isinstance(kommune, dict) or set(kommune) - {"bostedskommunenummer", "oppholdskommunenummer"}:
            raise UgyldigParameter(
                "UGYLDIG_KRITERIUM",
                "kommunenummer must be an object with bostedskommunenummer or oppholdskommunenummer",
            )
        given = {k: v for k, v in kommune.items() if v is not None}
        if len(given) != 1:
            raise UgyldigParameter(
                "UGYLDIG_KRITERIUM",
                "kommunenummer takes exactly one of bostedskommunenummer and oppholdskommunenummer",
            )
        if "bostedskommunenummer" in given:
            bosted = _kommune(given["bostedskommunenummer"], "bostedskommunenummer", kommune_finnes)
        else:
            opphold = _kommune(given["oppholdskommunenummer"], "oppholdskommunenummer", kommune_finnes)
    foedt_fra, foedt_til = _range(body, "foedselsaarFraOgMed", "foedselsaarTilOgMed")
    doed_fra, doed_til = _range(body, "doedsaarFraOgMed", "doedsaarTilOgMed")
    kjoenn = body.get("kjoenn")
    if kjoenn is not None and kjoenn not in ("kvinne", "mann"):
        raise UgyldigParameter("UGYLDIG_KRITERIUM", f"kjoenn must be kvinne or mann, not {kjoenn!r}")
    land = body.get("statsborgerskap")
    if land is not None and (not isinstance(land, str) or not _COUNTRY.fullmatch(land)):
        raise UgyldigParameter(
            "UGYLDIG_KRITERIUM", f"statsborgerskap must be an ISO 3166 alpha-3 code such as NOR, not {land!r}"
        )
    sivilstand = body.get("sivilstandstype")
    if sivilstand is not None and sivilstand not in SIVILSTANDSTYPER:
        raise UgyldigParameter(
            "UGYLDIG_KRITERIUM",
            f"Unknown sivilstandstype {sivilstand!r}; use {', '.join(sorted(SIVILSTANDSTYPER))}",
        )
    return Kriterier(
        statuser, bosted, opphold, foedt_fra, foedt_til, doed_fra, doed_til, kjoenn, land, sivilstand
    )


def canonical_body(kriterier: Kriterier) -> dict[str, Any]:
    """The request body that parses back to exactly `kriterier` (what the gateway forwards)."""
    body: dict[str, Any] = {
        "personstatustyper": [t for t, statuser in STATUS_TYPES.items() if statuser <= kriterier.statuser]
    }
    if kriterier.bostedskommune is not None:
        body["kommunenummer"] = {"bostedskommunenummer": kriterier.bostedskommune}
    if kriterier.oppholdskommune is not None:
        body["kommunenummer"] = {"oppholdskommunenummer": kriterier.oppholdskommune}
    for name, value in (
        ("foedselsaarFraOgMed", kriterier.foedselsaar_fra),
        ("foedselsaarTilOgMed", kriterier.foedselsaar_til),
        ("doedsaarFraOgMed", kriterier.doedsaar_fra),
        ("doedsaarTilOgMed", kriterier.doedsaar_til),
    ):
        if value is not None:
            body[name] = f"{value:04d}"
    for name, text in (
        ("kjoenn", kriterier.kjoenn),
        ("statsborgerskap", kriterier.statsborgerskap),
        ("sivilstandstype", kriterier.sivilstand),
    ):
        if text is not None:
            body[name] = text
    return body
