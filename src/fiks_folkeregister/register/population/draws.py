"""The population generator's random source, its state, and the small draws every part of it shares.

All randomness comes from one `random.Random(seed)` held here (and Faker name pools drawn once), so the
order of draws, and with it a seeded population, does not depend on how the generator is split in modules.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from faker import Faker

from fiks_folkeregister.register.population.data import (
    ADULT_AGE_BANDS,
    COMMON_STREETS,
    COUPLE_AGE_BANDS,
    DAYS_PER_YEAR,
    DNUMMER_COUNTRIES,
    EARLIEST_BIRTH,
    IMMIGRANT_COUNTRIES,
    KILDE,
    MINUTES,
    NAME_LOCALES,
    SECONDS,
    SINGLE_AGE_BANDS,
    SINGLETON_UNITS,
    UNIT_WEIGHTS,
    AgeBands,
)
from fiks_folkeregister.register.population.geografi import Kommune, load_kommuner

Document = dict[str, Any]


@dataclass(slots=True)
class Person:
    """A person being generated: what was drawn for them, and their document as it is written."""

    kjoenn: str
    birth: int  # date ordinal
    fornavn: str
    mellomnavn: str | None
    etternavn: str
    origin: str  # ISO alpha-3 country of birth
    settled: int  # date ordinal from which the person lives in Norway
    doc: Document
    identity: str = ""


class Names:
    """Name pools drawn once from Faker, then sampled with the generator's own random source."""

    def __init__(self, fake: Faker, size: int) -> None:
        self.female = _pool(fake.first_name_female, size)
        self.male = _pool(fake.first_name_male, size)
        self.last = _pool(fake.last_name, size)


def _pool(draw: Callable[[], str], size: int) -> tuple[str, ...]:
    return tuple(sorted({draw() for _ in range(size)}))


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


class Draws:
    """The generator's state (one random source, the reference date, caches) and its small draws.

    The state of every layer is set up here, in one place, because the Faker pools (names, then street
    names) must be drawn in the same order as always for a seed to give the same population.
    """

    def __init__(self, persons: int, seed: int, reference_date: date) -> None:
        self.target = persons
        self.seed = seed
        self.rng = random.Random(seed)
        self.ref = reference_date.toordinal()
        self.taken: set[str] = set()
        self.generated = 0
        self.graded = {"fortrolig": 0, "strengtFortrolig": 0}
        self._ts_cache: dict[int, str] = {}
        self._date_cache: dict[int, str] = {}

        fake = Faker("no_NO")
        fake.seed_instance(seed)
        self.names = Names(fake, 800)
        streets = {fake.street_name() for _ in range(12000)}
        streets.update(COMMON_STREETS)
        self.street_pool = tuple(sorted(streets))
        self.foreign_names: dict[str, Names] = {}
        for country, locale in sorted(NAME_LOCALES.items()):
            foreign = Faker(locale)
            foreign.seed_instance(seed)
            self.foreign_names[country] = Names(foreign, 250)

        self.kommuner: tuple[Kommune, ...] = load_kommuner()
        self.kommune_cum = _cumulative([k.innbyggere for k in self.kommuner])

        self.unit_kinds = [kind for kind, _ in UNIT_WEIGHTS]
        self.unit_cum = _cumulative([w for _, w in UNIT_WEIGHTS])
        self.singleton_kinds = [kind for kind, _ in SINGLETON_UNITS]
        self.singleton_cum = _cumulative([w for _, w in SINGLETON_UNITS])
        self.band_cums = {
            bands: _cumulative([w for _, _, w in bands])
            for bands in (ADULT_AGE_BANDS, SINGLE_AGE_BANDS, COUPLE_AGE_BANDS)
        }
        self.immigrant_codes = [c for c, _ in IMMIGRANT_COUNTRIES]
        self.immigrant_cum = _cumulative([w for _, w in IMMIGRANT_COUNTRIES])
        self.dnummer_codes = [c for c, _ in DNUMMER_COUNTRIES]
        self.dnummer_cum = _cumulative([w for _, w in DNUMMER_COUNTRIES])

    def _pick(self, items: Sequence[Any], cum: Sequence[float]) -> Any:
        return items[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    def _date(self, ordinal: int) -> str:
        text = self._date_cache.get(ordinal)
        if text is None:
            text = date.fromordinal(ordinal).isoformat()
            self._date_cache[ordinal] = text
        return text

    def _ts(self, ordinal: int) -> str:
        text = self._ts_cache.get(ordinal)
        if text is None:
            text = f"{self._date(ordinal)}T00:00:00Z"
            self._ts_cache[ordinal] = text
        return text

    def _meta(self, current: bool, start: int, end: int | None = None) -> dict[str, Any]:
        """Entry metadata: valid from `start`, recorded a little later, ended at `end` when historic."""
        day, second = divmod(int(self.rng.random() * 259200), 86400)
        recorded = start + day
        if recorded > self.ref:
            recorded = self.ref
        meta: dict[str, Any] = {
            "erGjeldende": current,
            "gyldighetstidspunkt": self._ts(start),
            "ajourholdstidspunkt": self._date(recorded) + MINUTES[second // 60] + SECONDS[second % 60],
            "kilde": KILDE,
        }
        if end is not None:
            meta["opphoerstidspunkt"] = self._ts(end)
        return meta

    def _between(self, low: int, high: int) -> int:
        """A day in [low, high]; `high` when the range is empty (the later bound matters more)."""
        return high if high <= low else low + int(self.rng.random() * (high - low + 1))

    @staticmethod
    def _years(years: float) -> int:
        return int(years * DAYS_PER_YEAR)

    def _adult_age(self, low: int = 18, high: int = 102, bands: AgeBands = ADULT_AGE_BANDS) -> float:
        cum = self.band_cums[bands]
        while True:
            lo, hi, _ = bands[bisect.bisect_right(cum, self.rng.random() * cum[-1])]
            if hi >= low and lo <= high:
                lo, hi = max(lo, low), min(hi, high)
                return lo + self.rng.random() * (hi - lo + 1)

    def _birth_for_age(self, age: float, at: int | None = None) -> int:
        return max((self.ref if at is None else at) - self._years(age) - 1, EARLIEST_BIRTH)

    def _kommune(self) -> Kommune:
        return self.kommuner[bisect.bisect_right(self.kommune_cum, self.rng.random() * self.kommune_cum[-1])]

    def _other_kommune(self, kommunenummer: str) -> Kommune:
        """Another municipality, usually in the same county."""
        fylke = kommunenummer[:2]
        for _ in range(40):
            candidate = self._kommune()
            if candidate.kommunenummer != kommunenummer and (
                candidate.kommunenummer[:2] == fylke or self.rng.random() < 0.1
            ):
                return candidate
        return next(k for k in self.kommuner if k.kommunenummer != kommunenummer)

    def _kjoenn(self) -> str:
        return "kvinne" if self.rng.random() < 0.5 else "mann"

    def _immigrant_origin(self, share: float) -> str:
        if self.rng.random() >= share:
            return "NOR"
        return self._pick(self.immigrant_codes, self.immigrant_cum)
