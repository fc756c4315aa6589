"""Where generated persons live: each municipality's streets, dwellings drawn on them, periods at each.

The address parts themselves (districts, vegadresse) come from `adresser.py`, shared with the simulator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from fiks_folkeregister.register.population.adresser import BRUKSENHETER, grunnkretser, krets, vegadresse
from fiks_folkeregister.register.population.draws import Draws, Person
from fiks_folkeregister.register.population.geografi import Kommune


@dataclass(frozen=True, slots=True)
class Street:
    """A street of a municipality's directory, with the districts its addresses lie in."""

    adressenavn: str
    adressekode: str
    postnummer: str
    poststedsnavn: str
    krets: dict[str, int]  # grunnkrets, skolekrets, stemmekrets, kirkekrets
    max_husnummer: int
    apartments: bool


@dataclass(frozen=True, slots=True)
class Address:
    """A dwelling: enough to render bostedsadresse, deltBosted and oppholdsadresse entries."""

    kommunenummer: str
    adressenavn: str | None  # None for a matrikkeladresse
    adressekode: str | None
    husnummer: str | None
    husbokstav: str | None
    bruksenhetsnummer: str | None
    postnummer: str
    poststedsnavn: str
    gaardsnummer: int
    bruksnummer: int
    krets: dict[str, int]  # grunnkrets, skolekrets, stemmekrets, kirkekrets

    def address_fields(self) -> dict[str, Any]:
        """The vegadresse or matrikkeladresse part, as a fresh dict."""
        poststed = {"postnummer": self.postnummer, "poststedsnavn": self.poststedsnavn}
        if self.adressenavn is None:
            matrikkel: dict[str, Any] = {
                "matrikkelnummer": {
                    "kommunenummer": self.kommunenummer,
                    "gaardsnummer": self.gaardsnummer,
                    "bruksnummer": self.bruksnummer,
                },
                "poststed": poststed,
                "bruksenhetstype": "bolig",
            }
            if self.bruksenhetsnummer:
                matrikkel["bruksenhetsnummer"] = self.bruksenhetsnummer
            return {"matrikkeladresse": matrikkel}
        return vegadresse(
            self.kommunenummer,
            self.adressenavn,
            self.adressekode or "",
            self.husnummer or "1",
            self.husbokstav,
            self.bruksenhetsnummer,
            self.postnummer,
            self.poststedsnavn,
        )

    def bosted_fields(self) -> dict[str, Any]:
        return self.address_fields() | self.krets


# A period of living somewhere: the address (None = ukjentBosted in the given kommune) from a day on.
@dataclass(frozen=True, slots=True)
class Period:
    address: Address | None
    start: int  # date ordinal
    kommunenummer: str


class Homes(Draws):
    """Draws homes: the street directory of a municipality, a dwelling on it, a household's periods."""

    def __init__(self, persons: int, seed: int, reference_date: date) -> None:
        super().__init__(persons, seed, reference_date)
        self.directories: dict[str, tuple[Street, ...]] = {}

    def _directory(self, kommune: Kommune) -> tuple[Street, ...]:
        streets = self.directories.get(kommune.kommunenummer)
        if streets is None:
            streets = self._build_directory(kommune)
            self.directories[kommune.kommunenummer] = streets
        return streets

    def _build_directory(self, kommune: Kommune) -> tuple[Street, ...]:
        """The municipality's streets; independent of population size (own seed per kommune)."""
        rng = random.Random(f"{self.seed}:{kommune.kommunenummer}")
        count = max(8, min(len(self.street_pool), kommune.innbyggere // 150))
        names = rng.sample(self.street_pool, count)
        districts = grunnkretser(kommune)
        places = kommune.poststeder
        apartment_share = min(0.7, 0.1 + kommune.innbyggere / 400_000)
        codes = rng.sample(range(1000, 30000), count)
        return tuple(
            Street(
                adressenavn=name,
                adressekode=str(codes[index]),
                postnummer=places[index * len(places) // count].postnummer,
                poststedsnavn=places[index * len(places) // count].poststedsnavn,
                krets=krets(kommune.kommunenummer, index * districts // count),
                max_husnummer=rng.choice((8, 15, 25, 40, 60, 90, 140)),
                apartments=rng.random() < apartment_share,
            )
            for index, name in enumerate(names)
        )

    def _address(self, kommune: Kommune) -> Address:
        rng = self.rng
        streets = self._directory(kommune)
        street = streets[int(rng.random() * len(streets))]
        knr = kommune.kommunenummer
        if kommune.innbyggere < 5000 and rng.random() < 0.08:
            return Address(
                knr,
                None,
                None,
                None,
                None,
                None,
                street.postnummer,
                street.poststedsnavn,
                rng.randint(1, 180),
                rng.randint(1, 40),
                street.krets,
            )
        husnummer = str(1 + int(street.max_husnummer * rng.random() ** 1.5))
        husbokstav = "ABCD"[int(rng.random() * 4)] if rng.random() < 0.08 else None
        bruksenhet = BRUKSENHETER[int(rng.random() * len(BRUKSENHETER))] if street.apartments else None
        return Address(
            knr,
            street.adressenavn,
            street.adressekode,
            husnummer,
            husbokstav,
            bruksenhet,
            street.postnummer,
            street.poststedsnavn,
            0,
            0,
            street.krets,
        )

    def _period(self, kommune: Kommune, start: int) -> Period:
        return Period(self._address(kommune), start, kommune.kommunenummer)

    def _household(self, formed: int, kommune: Kommune, until: int | None = None) -> list[Period]:
        """A household's homes from `formed`: sometimes a first home elsewhere, ending in `kommune`."""
        rng = self.rng
        latest = (self.ref if until is None else until) - 1
        room = latest - (formed + 180)
        moved_in = rng.random() < 0.3
        if room > 0 and (moved_in or rng.random() < 0.3):
            first = self._kommune() if moved_in else kommune
            return [self._period(first, formed), self._period(kommune, formed + 180 + rng.randrange(room))]
        return [self._period(kommune, formed)]

    def _personal_periods(self, person: Person, until: int, kommune: Kommune) -> list[Period]:
        """Where an adult lived before `until` (one or two earlier homes), from birth or settling."""
        rng = self.rng
        if until - person.settled < 60:
            return []
        periods = [self._period(kommune if rng.random() < 0.5 else self._kommune(), person.settled)]
        moved_out = person.birth + self._years(19 + 6 * rng.random())
        if person.settled + 60 < moved_out < until - 60:
            periods.append(self._period(kommune if rng.random() < 0.6 else self._kommune(), moved_out))
        return periods
