"""Norway's real municipalities (2024 structure) and postal places, read from the packaged kommuner.csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

DATA_FILE = "kommuner.csv"

# The 15 counties of the 2024 structure, by fylkesnummer.
FYLKER: dict[str, str] = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "31": "Østfold",
    "32": "Akershus",
    "33": "Buskerud",
    "34": "Innlandet",
    "39": "Vestfold",
    "40": "Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag",
    "55": "Troms",
    "56": "Finnmark",
}


@dataclass(frozen=True)
class Poststed:
    """A postal code and the name of its postal place, as the register spells it (upper case)."""

    postnummer: str
    poststedsnavn: str


@dataclass(frozen=True)
class Kommune:
    """A municipality with its approximate population (used for weighting) and some of its postal places."""

    kommunenummer: str
    kommunenavn: str
    innbyggere: int
    poststeder: tuple[Poststed, ...]

    @property
    def fylkesnummer(self) -> str:
        return self.kommunenummer[:2]

    @property
    def fylkesnavn(self) -> str:
        return FYLKER[self.fylkesnummer]


def _parse_poststeder(field: str) -> tuple[Poststed, ...]:
    places = []
    for item in field.split(";"):
        postnummer, _, navn = item.strip().partition(" ")
        if len(postnummer) != 4 or not postnummer.isdigit() or not navn:
            raise ValueError(f"bad postal place {item!r} in {DATA_FILE}")
        places.append(Poststed(postnummer, navn))
    return tuple(places)


def parse_kommuner(text: str) -> tuple[Kommune, ...]:
    """Parse the CSV text of the data file (columns kommunenummer, kommunenavn, innbyggere, poststeder)."""
    kommuner = []
    for row in csv.DictReader(io.StringIO(text)):
        nummer = row["kommunenummer"]
        if len(nummer) != 4 or not nummer.isdigit() or nummer[:2] not in FYLKER:
            raise ValueError(f"bad kommunenummer {nummer!r} in {DATA_FILE}")
        kommuner.append(
            Kommune(nummer, row["kommunenavn"], int(row["innbyggere"]), _parse_poststeder(row["poststeder"]))
        )
    return tuple(kommuner)


@cache
def load_kommuner() -> tuple[Kommune, ...]:
    """All 357 municipalities, in kommunenummer order."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_kommuner(text)


@cache
def kommuner_by_nummer() -> Mapping[str, Kommune]:
    """Municipalities keyed by kommunenummer (read-only)."""
    return MappingProxyType({kommune.kommunenummer: kommune for kommune in load_kommuner()})
