"""Deterministic synthetic population: person documents shaped like the register's Folkeregisterperson.

Pure: no database, no clock, no global random state. Everything derives from (persons, seed,
reference_date) through one `random.Random(seed)`, a Faker('no_NO') seeded with `seed_instance(seed)`
(used to build pools of names and street names once) and per-municipality street directories seeded
from (seed, kommunenummer). Persons are yielded household by household ("family units": a separated
family's two households come together), so every familierelasjon is mirrored within what has been
yielded so far.

Decisions worth knowing:
- Identity numbers are synthetic (month + 80) only, unique across the population.
- Fødselsnummer holders always have a current bostedsadresse (a vegadresse, a matrikkeladresse or
  ukjentBosted), except emigrated persons (historic bostedsadresse only). Deceased persons keep their
  last bostedsadresse as the current one. D-nummer holders never have a bostedsadresse.
- `doedsfall` is a single object, not a list: that is how the spec declares it.
- `grunnkrets` is an integer in the spec; its 8-digit form (zero-padded) starts with the kommunenummer.
- deltBosted is only given to minors under felles foreldreansvar whose other parent lives in another
  municipality (so a municipality's extract for §8 finds children who live elsewhere).
- Address protection is given per household, by keeping the graded share of persons at the target
  (0.5 % fortrolig, 0.1 % strengtFortrolig), so even a few thousand persons include both levels.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from faker import Faker

from fiks_folkeregister.domain.identitetsnummer import generate_synthetic
from fiks_folkeregister.register.population.adresser import BRUKSENHETER, grunnkretser, krets, vegadresse
from fiks_folkeregister.register.population.geografi import Kommune, load_kommuner

Document = dict[str, Any]

KILDE = "skatteetaten"
DAYS_PER_YEAR = 365.2425
FORTROLIG_SHARE = 0.005
STRENGT_FORTROLIG_SHARE = 0.001
MAX_UNIT_SIZE = 6
EARLIEST_REFERENCE_DATE = date(1960, 1, 1)
LATEST_REFERENCE_DATE = date(2039, 12, 31)
EARLIEST_BIRTH = date(1855, 1, 1).toordinal()  # the first year with individual numbers
DUAL_CITIZENSHIP_FROM = date(2020, 1, 1).toordinal()
CHILDREN_COUNT_CUM = (0.45, 0.85, 0.97, 1.0)  # 1, 2, 3 or 4 children
MINUTES = tuple(f"T{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
SECONDS = tuple(f"{s:02d}Z" for s in range(60))


# Dwelling numbers in blocks of flats: H + floor (2 digits) + flat on the floor (2 digits).
def _place_of(entry: dict[str, Any]) -> Any:
    """Where an address entry is (the dwelling too: a family home is one flat), None for ukjentBosted."""
    return entry.get("vegadresse") or entry.get("matrikkeladresse")


# The authorities' open post address shown for persons with strengtFortrolig address protection.
STRENGT_FORTROLIG_POSTADRESSE = {
    "postbokseier": "SOT6 Vika",
    "postboks": "Postboks 2094 Vika",
    "poststed": {"postnummer": "0125", "poststedsnavn": "OSLO"},
}

# Age bands (from, to inclusive) with weights shaped like Norway's adult population.
AgeBands = tuple[tuple[int, int, float], ...]
ADULT_AGE_BANDS: AgeBands = (
    (18, 24, 8.5),
    (25, 34, 13.5),
    (35, 44, 11.0),
    (45, 54, 11.5),
    (55, 66, 14.0),
    (67, 74, 9.5),
    (75, 84, 6.5),
    (85, 94, 2.3),
    (95, 102, 0.25),
)
# Adults living alone or as a couple without children at home: mostly the young and the old, so that
# together with the families (parents 25-60) the whole population gets Norway's age pyramid.
SINGLE_AGE_BANDS: AgeBands = (
    (18, 24, 16.0),
    (25, 34, 19.0),
    (35, 44, 5.0),
    (45, 54, 7.0),
    (55, 66, 14.0),
    (67, 74, 10.0),
    (75, 84, 10.0),
    (85, 94, 5.0),
    (95, 102, 0.7),
)
COUPLE_AGE_BANDS: AgeBands = (
    (20, 29, 14.0),
    (30, 44, 4.0),
    (45, 54, 7.0),
    (55, 66, 20.0),
    (67, 74, 12.0),
    (75, 84, 7.0),
    (85, 94, 1.5),
)

# Kinds of family unit, with weights per unit (tuned so the age pyramid lands near Norway's).
UNIT_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("single", 30.0),
    ("couple", 18.0),
    ("family", 16.5),
    ("separated", 5.0),
    ("single_parent", 1.2),
    ("widowed", 3.0),
    ("deceased", 2.5),
    ("emigrated", 2.0),
    ("dnummer", 4.5),
)
SINGLETON_UNITS: tuple[tuple[str, float], ...] = (
    ("single", 30.0),
    ("deceased", 2.5),
    ("emigrated", 2.0),
    ("dnummer", 4.5),
)

# Citizenship of immigrants with a fødselsnummer (ISO 3166 alpha-3), and of d-nummer holders.
IMMIGRANT_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("POL", 20),
    ("LTU", 8),
    ("SWE", 7),
    ("SYR", 6),
    ("UKR", 6),
    ("DEU", 5),
    ("ERI", 4),
    ("DNK", 4),
    ("SOM", 3),
    ("ROU", 3),
    ("PHL", 3),
    ("GBR", 3),
    ("IRQ", 2),
    ("AFG", 2),
    ("LVA", 2),
    ("ESP", 2),
    ("THA", 2),
    ("IND", 2),
    ("ITA", 1.5),
    ("FRA", 1.5),
    ("NLD", 1.5),
    ("USA", 1.5),
)
DNUMMER_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("POL", 25),
    ("LTU", 12),
    ("SWE", 10),
    ("ROU", 6),
    ("LVA", 5),
    ("DEU", 5),
    ("UKR", 5),
    ("ESP", 4),
    ("DNK", 4),
    ("GBR", 3),
    ("ITA", 3),
    ("FRA", 3),
    ("NLD", 2),
    ("PHL", 2),
    ("USA", 2),
    ("IND", 2),
)
NAME_LOCALES: dict[str, str] = {
    "POL": "pl_PL",
    "LTU": "lt_LT",
    "SWE": "sv_SE",
    "DEU": "de_DE",
    "DNK": "da_DK",
    "ROU": "ro_RO",
    "GBR": "en_GB",
    "LVA": "lv_LV",
    "ESP": "es_ES",
    "ITA": "it_IT",
    "FRA": "fr_FR",
    "NLD": "nl_NL",
    "USA": "en_US",
    "PHL": "fil_PH",
    "IND": "en_IN",
}
# Where emigrants went, with a place and a postal code there (free-format foreign post address).
EMIGRATION_DESTINATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("SWE", "Stockholm", "114 55", "Karlavägen"),
    ("SWE", "Göteborg", "411 38", "Kungsgatan"),
    ("DNK", "København", "2100", "Østerbrogade"),
    ("ESP", "Torrevieja", "03181", "Calle Ramón Gallud"),
    ("ESP", "Alfaz del Pi", "03580", "Calle Federico García Lorca"),
    ("GBR", "London", "SW1A 1AA", "Baker Street"),
    ("USA", "Minneapolis", "55401", "Nicollet Mall"),
    ("DEU", "Berlin", "10115", "Invalidenstraße"),
    ("AUS", "Sydney", "2000", "George Street"),
    ("POL", "Gdańsk", "80-001", "ulica Długa"),
    ("FIN", "Helsinki", "00100", "Mannerheimintie"),
    ("ISL", "Reykjavík", "101", "Laugavegur"),
)
# Generic street names found in many Norwegian towns, added to Faker's street names.
COMMON_STREETS: tuple[str, ...] = (
    "Storgata",
    "Kirkegata",
    "Kirkeveien",
    "Skolegata",
    "Skoleveien",
    "Skolevegen",
    "Jernbanegata",
    "Stasjonsveien",
    "Strandveien",
    "Strandgata",
    "Sjøgata",
    "Torggata",
    "Parkveien",
    "Fjordveien",
    "Industriveien",
    "Idrettsveien",
    "Prestegårdsveien",
    "Sentrumsvegen",
    "Kongens gate",
    "Dronningens gate",
    "Nedre Storgate",
    "Øvre Storgate",
    "Bakkegata",
    "Elvegata",
    "Havnegata",
    "Bjørkeveien",
    "Granveien",
    "Furuveien",
    "Rognveien",
    "Lønneveien",
    "Solbakken",
    "Solveien",
    "Fjellveien",
    "Åsveien",
    "Markveien",
    "Gamle Kongevei",
    "Postveien",
    "Bryggegata",
    "Tollbugata",
)


@dataclass(frozen=True, slots=True)
class _Street:
    adressenavn: str
    adressekode: str
    postnummer: str
    poststedsnavn: str
    krets: dict[str, int]  # grunnkrets, skolekrets, stemmekrets, kirkekrets
    max_husnummer: int
    apartments: bool


@dataclass(frozen=True, slots=True)
class _Address:
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
class _Period:
    address: _Address | None
    start: int  # date ordinal
    kommunenummer: str


@dataclass(slots=True)
class _Person:
    kjoenn: str
    birth: int  # date ordinal
    fornavn: str
    mellomnavn: str | None
    etternavn: str
    origin: str  # ISO alpha-3 country of birth
    settled: int  # date ordinal from which the person lives in Norway
    doc: Document
    identity: str = ""


class _Names:
    """Name pools drawn once from Faker, then sampled with the generator's own random source."""

    def __init__(self, fake: Faker, size: int) -> None:
        self.female = _pool(fake.first_name_female, size)
        self.male = _pool(fake.first_name_male, size)
        self.last = _pool(fake.last_name, size)


def _pool(draw: Callable[[], str], size: int) -> tuple[str, ...]:
    return tuple(sorted({draw() for _ in range(size)}))


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def generate_population(persons: int, seed: int, reference_date: date) -> Iterator[Document]:
    """Yield exactly `persons` person documents, household by household, deterministically."""
    if persons < 0:
        raise ValueError("persons must be zero or more")
    if not EARLIEST_REFERENCE_DATE <= reference_date <= LATEST_REFERENCE_DATE:
        raise ValueError(
            f"reference_date must lie in {EARLIEST_REFERENCE_DATE}..{LATEST_REFERENCE_DATE}: identity "
            "numbers exist for birth years 1855-2039 and the oldest persons are about 100"
        )
    if persons == 0:
        return
    yield from _PopulationBuilder(persons, seed, reference_date).documents()


class _PopulationBuilder:
    """Builds family units one after another; all state lives here, none in the module."""

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
        self.names = _Names(fake, 800)
        streets = {fake.street_name() for _ in range(12000)}
        streets.update(COMMON_STREETS)
        self.street_pool = tuple(sorted(streets))
        self.foreign_names: dict[str, _Names] = {}
        for country, locale in sorted(NAME_LOCALES.items()):
            foreign = Faker(locale)
            foreign.seed_instance(seed)
            self.foreign_names[country] = _Names(foreign, 250)

        self.kommuner: tuple[Kommune, ...] = load_kommuner()
        self.kommune_cum = _cumulative([k.innbyggere for k in self.kommuner])
        self.directories: dict[str, tuple[_Street, ...]] = {}

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

    # ---------------------------------------------------------------- the main loop

    def documents(self) -> Iterator[Document]:
        builders = {
            "single": self._single,
            "couple": self._couple,
            "family": self._family,
            "separated": self._separated,
            "single_parent": self._single_parent,
            "widowed": self._widowed,
            "deceased": self._deceased,
            "emigrated": self._emigrated,
            "dnummer": self._dnummer,
        }
        while self.generated < self.target:
            remaining = self.target - self.generated
            if remaining < MAX_UNIT_SIZE:
                kind = self._pick(self.singleton_kinds, self.singleton_cum)
            else:
                kind = self._pick(self.unit_kinds, self.unit_cum)
            unit = builders[kind]()
            self.generated += len(unit)
            for person in unit:
                yield person.doc

    # ---------------------------------------------------------------- small helpers

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

    # ---------------------------------------------------------------- geography

    def _directory(self, kommune: Kommune) -> tuple[_Street, ...]:
        streets = self.directories.get(kommune.kommunenummer)
        if streets is None:
            streets = self._build_directory(kommune)
            self.directories[kommune.kommunenummer] = streets
        return streets

    def _build_directory(self, kommune: Kommune) -> tuple[_Street, ...]:
        """The municipality's streets; independent of population size (own seed per kommune)."""
        rng = random.Random(f"{self.seed}:{kommune.kommunenummer}")
        count = max(8, min(len(self.street_pool), kommune.innbyggere // 150))
        names = rng.sample(self.street_pool, count)
        districts = grunnkretser(kommune)
        places = kommune.poststeder
        apartment_share = min(0.7, 0.1 + kommune.innbyggere / 400_000)
        codes = rng.sample(range(1000, 30000), count)
        return tuple(
            _Street(
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

    def _address(self, kommune: Kommune) -> _Address:
        rng = self.rng
        streets = self._directory(kommune)
        street = streets[int(rng.random() * len(streets))]
        knr = kommune.kommunenummer
        if kommune.innbyggere < 5000 and rng.random() < 0.08:
            return _Address(
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
        return _Address(
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

    def _period(self, kommune: Kommune, start: int) -> _Period:
        return _Period(self._address(kommune), start, kommune.kommunenummer)

    def _household(self, formed: int, kommune: Kommune, until: int | None = None) -> list[_Period]:
        """A household's homes from `formed`: sometimes a first home elsewhere, ending in `kommune`."""
        rng = self.rng
        latest = (self.ref if until is None else until) - 1
        room = latest - (formed + 180)
        moved_in = rng.random() < 0.3
        if room > 0 and (moved_in or rng.random() < 0.3):
            first = self._kommune() if moved_in else kommune
            return [self._period(first, formed), self._period(kommune, formed + 180 + rng.randrange(room))]
        return [self._period(kommune, formed)]

    def _personal_periods(self, person: _Person, until: int, kommune: Kommune) -> list[_Period]:
        """Where an adult lived before `until` (one or two earlier homes), from birth or settling."""
        rng = self.rng
        if until - person.settled < 60:
            return []
        periods = [self._period(kommune if rng.random() < 0.5 else self._kommune(), person.settled)]
        moved_out = person.birth + self._years(19 + 6 * rng.random())
        if person.settled + 60 < moved_out < until - 60:
            periods.append(self._period(kommune if rng.random() < 0.6 else self._kommune(), moved_out))
        return periods

    # ---------------------------------------------------------------- persons

    def _first_name(self, names: _Names, kjoenn: str) -> str:
        pool = names.female if kjoenn == "kvinne" else names.male
        random = self.rng.random
        first = pool[int(random() * len(pool))]
        if random() < 0.08:
            second = pool[int(random() * len(pool))]
            if second != first:
                first = f"{first} {second}"
        return first

    def _new_person(
        self, kjoenn: str, birth: int, origin: str = "NOR", settled: int | None = None, name_origin: str = ""
    ) -> _Person:
        name_origin = name_origin or origin
        names = self.foreign_names.get(name_origin, self.names)
        mellomnavn = None
        if name_origin == "NOR" and self.rng.random() < 0.12:
            mellomnavn = self.rng.choice(self.names.last)
        return _Person(
            kjoenn=kjoenn,
            birth=birth,
            fornavn=self._first_name(names, kjoenn),
            mellomnavn=mellomnavn,
            etternavn=names.last[int(self.rng.random() * len(names.last))],
            origin=origin,
            settled=birth if settled is None else settled,
            doc={},
        )

    def _adult(self, age: float, kjoenn: str | None = None, origin: str | None = None) -> _Person:
        """A person of `age` at the reference date; foreign-born ones settle later (set by the unit)."""
        birth = self._birth_for_age(age)
        origin = origin or self._immigrant_origin(0.12)
        settled = birth
        if origin != "NOR":
            settled = self._between(birth + self._years(16), self.ref - 30)
        return self._new_person(kjoenn or self._kjoenn(), birth, origin, settled=settled)

    def _identity(self, person: _Person, d_nummer: bool = False) -> str:
        born = date.fromordinal(person.birth)
        return generate_synthetic(born, person.kjoenn, self.rng, d_nummer=d_nummer, taken=self.taken)

    def _base_document(
        self,
        person: _Person,
        status_history: list[tuple[str, int]],
        d_nummer: bool = False,
        foedekommune: str | None = None,
    ) -> Document:
        """identifikasjonsnummer, navn, kjoenn, foedsel, status, statsborgerskap, sivilstand (ugift), …"""
        rng = self.rng
        doc = person.doc
        person.identity = self._identity(person, d_nummer=d_nummer)
        # Entries registered together (at birth, or on arrival) share their metadata.
        born_meta = self._meta(True, person.birth)
        arrived_meta = born_meta if person.settled == person.birth else self._meta(True, person.settled)
        identifiers = [
            {
                **arrived_meta,
                "foedselsEllerDNummer": person.identity,
                "identifikatortype": "dNummer" if d_nummer else "foedselsnummer",
                "status": "iBruk",
            }
        ]
        if not d_nummer and person.origin != "NOR" and rng.random() < 0.3:
            # Came as a d-nummer holder (work, studies) before settling and getting a fødselsnummer.
            low = max(person.birth + self._years(16), person.settled - self._years(3))
            if low < person.settled - 30:
                issued = self._between(low, person.settled - 30)
                identifiers.append(
                    {
                        **self._meta(False, issued, person.settled),
                        "foedselsEllerDNummer": self._identity(person, d_nummer=True),
                        "identifikatortype": "dNummer",
                        "status": "opphoert",
                    }
                )
        doc["identifikasjonsnummer"] = identifiers

        navn: dict[str, Any] = {**born_meta, "fornavn": person.fornavn}
        if person.mellomnavn:
            navn["mellomnavn"] = person.mellomnavn
        navn["etternavn"] = person.etternavn
        doc["navn"] = [navn]
        doc["kjoenn"] = [{**born_meta, "kjoenn": person.kjoenn}]

        born = self._date(person.birth)
        foedsel: dict[str, Any] = {
            **born_meta,
            "foedselsdato": born,
            "foedselsaar": born[:4],
            "foedeland": person.origin,
        }
        if person.origin == "NOR":
            foedsel["foedekommuneINorge"] = foedekommune or self._kommune().kommunenummer
        doc["foedsel"] = [foedsel]

        entries = []
        for index, (status, start) in enumerate(status_history):
            end = status_history[index + 1][1] if index + 1 < len(status_history) else None
            entries.append({**self._meta(end is None, start, end), "status": status})
        entries.reverse()
        doc["status"] = entries

        if d_nummer:
            grunnlag = "kontrollert" if rng.random() < 0.4 else "ikkeKontrollert"
        else:
            grunnlag = "ingenStatus" if person.origin == "NOR" else "kontrollert"
        doc["identitetsgrunnlag"] = [{**arrived_meta, "identitetsgrunnlagstatus": grunnlag}]
        doc["statsborgerskap"] = self._citizenship(person, d_nummer)
        if person.origin != "NOR" and not d_nummer:
            doc["innflytting"] = [{**arrived_meta, "fraflyttingsland": person.origin}]
        doc["sivilstand"] = [{**born_meta, "sivilstand": "ugift"}]
        return doc

    def _citizenship(self, person: _Person, d_nummer: bool) -> list[dict[str, Any]]:
        if person.origin == "NOR":
            return [{**self._meta(True, person.birth), "statsborgerskap": "NOR"}]
        native = {"statsborgerskap": person.origin}
        if d_nummer or self.ref - person.settled < self._years(8) or self.rng.random() < 0.55:
            return [{**self._meta(True, person.birth), **native}]
        acquired = self._between(person.settled + self._years(7), self.ref - 1)
        norwegian = {
            **self._meta(True, acquired),
            "statsborgerskap": "NOR",
            "ervervsdato": self._date(acquired),
        }
        if acquired < DUAL_CITIZENSHIP_FROM:
            # Before 2020 Norway did not allow dual citizenship: the old one ended.
            return [norwegian, {**self._meta(False, person.birth, acquired), **native}]
        return [norwegian, {**self._meta(True, person.birth), **native}]

    def _follow_parent_citizenship(self, child: _Person, parent: _Person) -> None:
        """A child born in Norway to parents without Norwegian citizenship gets theirs, not NOR."""
        codes = [e["statsborgerskap"] for e in parent.doc["statsborgerskap"] if e["erGjeldende"]]
        if "NOR" not in codes:
            child.doc["statsborgerskap"] = [
                {**self._meta(True, child.birth), "statsborgerskap": code} for code in codes
            ]

    # ---------------------------------------------------------------- addresses on documents

    def _set_bostedsadresse(
        self, person: _Person, periods: list[_Period], current: bool = True, end: int | None = None
    ) -> None:
        """bostedsadresse entries: the periods in date order, clipped to when the person lived in Norway.

        With `current` False every entry is historic and the last ends at `end` (emigration).
        """
        clipped: list[_Period] = []
        for period in sorted(periods, key=lambda p: p.start):
            start = max(period.start, person.settled, person.birth)
            if end is not None and start >= end:
                continue
            if clipped and clipped[-1].start == start:
                clipped[-1] = _Period(period.address, start, period.kommunenummer)
            else:
                clipped.append(_Period(period.address, start, period.kommunenummer))
        entries = []
        for index, period in enumerate(clipped):
            last = index + 1 == len(clipped)
            stop = end if last else clipped[index + 1].start
            entry = self._meta(last and current, period.start, None if last and current else stop)
            entry["adressegradering"] = "ugradert"
            if period.address is None:
                entry["ukjentBosted"] = {"bostedskommune": period.kommunenummer}
            else:
                entry.update(period.address.bosted_fields())
                entry["flyttedato"] = self._date(period.start)
            entries.append(entry)
        entries.reverse()
        person.doc["bostedsadresse"] = entries

    def _household_grading(self) -> str:
        """Keep the share of graded persons at the target, household by household."""
        if self.graded["strengtFortrolig"] < STRENGT_FORTROLIG_SHARE * self.generated:
            return "strengtFortrolig"
        if self.graded["fortrolig"] < FORTROLIG_SHARE * self.generated:
            return "fortrolig"
        return "ugradert"

    def _apply_grading(
        self, members: list[_Person], grading: str, until: int | None = None, alike: Sequence[_Person] = ()
    ) -> None:
        """Address protection on the members and on their current addresses (given before `until`);
        `alike` get a copy of the last member's protection (no draws: the rest of the population stays
        as it was)."""
        if grading == "ugradert":
            return
        self.graded[grading] += len(members)  # the share is kept among the living
        latest = (self.ref if until is None else until) - 1
        for person in members:
            current = [e for e in person.doc.get("bostedsadresse", ()) if e["erGjeldende"]]
            for entry in current:
                entry["adressegradering"] = grading
            since = self._between(max(person.birth, person.settled), latest)
            person.doc["adressebeskyttelse"] = [{**self._meta(True, since), "graderingsnivaa": grading}]
            if grading == "strengtFortrolig":
                postboks = dict(STRENGT_FORTROLIG_POSTADRESSE)
                postboks["poststed"] = dict(STRENGT_FORTROLIG_POSTADRESSE["poststed"])
                person.doc["postadresse"] = [
                    {**self._meta(True, since), "adressegradering": "ugradert", "postboksadresse": postboks}
                ]
        model = members[-1].doc
        for person in alike:
            for entry in person.doc.get("bostedsadresse", ()):
                if entry["erGjeldende"]:
                    entry["adressegradering"] = grading
            for element in ("adressebeskyttelse", "postadresse"):
                if element in model:
                    person.doc[element] = [
                        {
                            **entry,
                            **(
                                {"postboksadresse": dict(entry["postboksadresse"])}
                                if "postboksadresse" in entry
                                else {}
                            ),
                        }
                        for entry in model[element]
                    ]

    @staticmethod
    def _grade_history_at(person: _Person, protected: _Person, grading: str) -> None:
        """The person's entries at the protected person's current home graded like it (a relative's
        history never gives a protected address out)."""
        homes = [_place_of(e) for e in protected.doc.get("bostedsadresse", ()) if e["erGjeldende"]]
        for entry in person.doc.get("bostedsadresse", ()):
            if _place_of(entry) in homes:
                entry["adressegradering"] = grading

    # ---------------------------------------------------------------- relations

    def _relate(
        self, a: _Person, a_role: str, b: _Person, b_role: str, start: int, end: int | None = None
    ) -> None:
        """Mirrored familierelasjon: a is b's `a_role`, b is a's `b_role`."""
        current = end is None
        a.doc.setdefault("familierelasjon", []).append(
            {
                **self._meta(current, start, end),
                "relatertPerson": b.identity,
                "relatertPersonsRolle": b_role,
                "minRolleForPerson": a_role,
            }
        )
        b.doc.setdefault("familierelasjon", []).append(
            {
                **self._meta(current, start, end),
                "relatertPerson": a.identity,
                "relatertPersonsRolle": a_role,
                "minRolleForPerson": b_role,
            }
        )

    def _parent_child(self, parent: _Person, role: str, child: _Person) -> None:
        self._relate(parent, role, child, "barn", child.birth)

    def _foreldreansvar(self, child: _Person, holders: list[tuple[_Person, str]]) -> None:
        """Parental responsibility for a minor: on the child (ansvarlig) and each holder (ansvarssubjekt)."""
        if self.ref - child.birth >= self._years(18):
            return
        for holder, ansvar in holders:
            child.doc.setdefault("foreldreansvar", []).append(
                {**self._meta(True, child.birth), "ansvar": ansvar, "ansvarlig": holder.identity}
            )
            holder.doc.setdefault("foreldreansvar", []).append(
                {**self._meta(True, child.birth), "ansvar": ansvar, "ansvarssubjekt": child.identity}
            )

    def _sivilstand_history(
        self, person: _Person, partner: _Person, married: int, end: int | None, after: str | None
    ) -> list[dict[str, Any]]:
        """ugift → gift (→ `after` from `end`), newest first."""
        ugift = {**self._meta(False, person.birth, married), "sivilstand": "ugift"}
        gift_ends = end if after is not None else None
        gift = {
            **self._meta(gift_ends is None, married, gift_ends),
            "sivilstand": "gift",
            "sivilstandsdato": self._date(married),
            "relatertVedSivilstand": partner.identity,
        }
        if gift_ends is None or after is None:
            return [gift, ugift]
        later: dict[str, Any] = {**self._meta(True, gift_ends), "sivilstand": after}
        later["sivilstandsdato"] = self._date(gift_ends)
        if after in ("separert", "enkeEllerEnkemann"):
            later["relatertVedSivilstand"] = partner.identity
        return [later, gift, ugift]

    def _marry(
        self,
        a: _Person,
        b: _Person,
        married: int,
        end: int | None = None,
        after_a: str | None = None,
        after_b: str | None = None,
    ) -> None:
        """Sivilstand on both and the spouse relation both ways (historic once the marriage ended)."""
        a.doc["sivilstand"] = self._sivilstand_history(a, b, married, end, after_a)
        b.doc["sivilstand"] = self._sivilstand_history(b, a, married, end, after_b)
        relation_ends = end if after_a not in (None, "separert") else None
        self._relate(a, "ektefelleEllerPartner", b, "ektefelleEllerPartner", married, relation_ends)

    def _take_surname(self, person: _Person, surname: str, when: int) -> None:
        """A name change at marriage: the earlier name becomes a historic navn entry."""
        if person.etternavn == surname:
            return
        current = person.doc["navn"][0]
        historic = {**current, **self._meta(False, person.birth, when)}
        new = {**current, **self._meta(True, when), "etternavn": surname}
        if person.mellomnavn is None and self.rng.random() < 0.3:
            new["mellomnavn"] = person.etternavn  # keeps the maiden name as a middle name
            person.mellomnavn = person.etternavn
        person.etternavn = surname
        person.doc["navn"] = [new, historic]

    def _divorced_history(self, person: _Person, until: int) -> None:
        """A past marriage to someone outside the population: ugift → gift → skilt."""
        earliest, latest = person.birth + self._years(20), until - self._years(3)
        if latest <= earliest:
            return
        married = self._between(earliest, latest)
        divorced = self._between(married + 365, until - 30)
        person.doc["sivilstand"] = [
            {**self._meta(True, divorced), "sivilstand": "skilt", "sivilstandsdato": self._date(divorced)},
            {
                **self._meta(False, married, divorced),
                "sivilstand": "gift",
                "sivilstandsdato": self._date(married),
            },
            {**self._meta(False, person.birth, married), "sivilstand": "ugift"},
        ]

    # ---------------------------------------------------------------- family units

    def _pair(self, age: float, same_sex_share: float = 0.02) -> tuple[_Person, _Person]:
        """A woman and a partner (a man, or sometimes a woman) of similar age and shared origin."""
        origin = self._immigrant_origin(0.12)
        woman = self._adult(age, "kvinne", origin)
        partner_age = min(102.0, max(18.0, age - 5.0, age + self.rng.gauss(2.5, 3.0)))
        kjoenn = "kvinne" if self.rng.random() < same_sex_share else "mann"
        partner = self._adult(partner_age, kjoenn, origin)
        return woman, partner

    def _settle_together(self, adults: Sequence[_Person], latest: int) -> None:
        """Foreign-born adults of one household arrive together, before `latest`."""
        if adults[0].origin == "NOR":
            return
        arrival = self._between(max(a.birth for a in adults) + self._years(16), latest)
        for adult in adults:
            adult.settled = arrival

    def _children(
        self, eldest_age: float, name_origin: str, count: int, min_age: float = 0.0
    ) -> list[_Person]:
        """Children born in Norway, eldest first, 1-5 years apart."""
        children = []
        age = eldest_age
        for _ in range(count):
            child = self._new_person(self._kjoenn(), self._birth_for_age(age), "NOR", name_origin=name_origin)
            child.mellomnavn = None
            children.append(child)
            age -= 1.2 + self.rng.random() * 4
            if age < min_age:
                break
        return children

    def _children_count(self) -> int:
        return self._pick((1, 2, 3, 4), CHILDREN_COUNT_CUM)

    def _child_document(self, child: _Person, mother: _Person, home: list[_Period]) -> None:
        place = next((p for p in reversed(home) if p.start <= child.birth), home[0])
        self._base_document(child, [("bosatt", child.birth)], foedekommune=place.kommunenummer)
        self._follow_parent_citizenship(child, mother)
        self._set_bostedsadresse(child, home)

    def _single(self) -> list[_Person]:
        person = self._adult(self._adult_age(bands=SINGLE_AGE_BANDS))
        self._base_document(person, [("bosatt", person.settled)])
        kommune = self._kommune()
        move_in = self._between(max(person.settled, person.birth + self._years(18)), self.ref - 1)
        periods = self._personal_periods(person, move_in, kommune)
        if self.rng.random() < 0.004:
            periods.append(_Period(None, move_in, kommune.kommunenummer))  # ukjentBosted
        else:
            periods.append(self._period(kommune, move_in))
        self._set_bostedsadresse(person, periods)
        if self.rng.random() < 0.25:
            self._divorced_history(person, self.ref)
        self._apply_grading([person], self._household_grading())
        return [person]

    def _couple(self) -> list[_Person]:
        woman, partner = self._pair(self._adult_age(20, bands=COUPLE_AGE_BANDS))
        return self._couple_household(woman, partner, [], married=self.rng.random() < 0.6)

    def _family(self) -> list[_Person]:
        eldest_age = self.rng.random() * 22
        woman, partner = self._pair(eldest_age + 22 + self.rng.random() * 16)
        children = self._children(eldest_age, woman.origin, self._children_count())
        return self._couple_household(woman, partner, children, married=self.rng.random() < 0.55)

    def _couple_household(
        self, woman: _Person, partner: _Person, children: list[_Person], married: bool
    ) -> list[_Person]:
        rng = self.rng
        adults = [woman, partner]
        latest = children[0].birth if children else self.ref - 60
        self._settle_together(adults, latest)
        adult_from = max(max(a.birth for a in adults) + self._years(18), woman.settled)
        low = max(adult_from, latest - self._years(5)) if children else adult_from
        formed = self._between(low, latest)
        for adult in adults:
            self._base_document(adult, [("bosatt", adult.settled)])
        kommune = self._kommune()
        home = self._household(formed, kommune)
        for adult in adults:
            self._set_bostedsadresse(adult, self._personal_periods(adult, formed, kommune) + home)
        if married:
            wedding = self._between(formed, self.ref - 1)
            self._marry(woman, partner, wedding)
            if partner.kjoenn == "mann" and rng.random() < 0.55:
                self._take_surname(woman, partner.etternavn, wedding)
        parent_role = "far" if partner.kjoenn == "mann" else "medmor"
        for child in children:
            child.etternavn = partner.etternavn if rng.random() < 0.8 else woman.etternavn
            self._child_document(child, woman, home)
            self._parent_child(woman, "mor", child)
            self._parent_child(partner, parent_role, child)
            self._foreldreansvar(child, [(woman, "felles"), (partner, "felles")])
        members = [*adults, *children]
        self._apply_grading(members, self._household_grading())
        return members

    def _separated(self) -> list[_Person]:
        """Parents living apart: the children live with one, maybe with deltBosted at the other's."""
        rng = self.rng
        eldest_age = 1 + rng.random() * 16
        mother, father = self._pair(eldest_age + 22 + rng.random() * 14, same_sex_share=0.0)
        children = self._children(eldest_age, mother.origin, self._children_count(), min_age=1.0)
        adults = [mother, father]
        self._settle_together(adults, children[0].birth)
        for adult in adults:
            self._base_document(adult, [("bosatt", adult.settled)])

        youngest = children[-1].birth
        adult_from = max(max(a.birth for a in adults) + self._years(18), mother.settled)
        formed = self._between(max(adult_from, children[0].birth - self._years(4)), children[0].birth)
        separated = self._between(youngest + 120, self.ref - 90)
        kommune = self._kommune()
        family_home = [self._period(kommune, formed)]
        with_father = rng.random() < 0.18
        custodian, other = (father, mother) if with_father else (mother, father)
        custodial_home = list(family_home)
        if rng.random() < 0.5:
            custodial_home.append(self._period(kommune, separated + rng.randrange(60)))
        other_kommune = self._other_kommune(kommune.kommunenummer) if rng.random() < 0.5 else kommune
        other_home = [*family_home, self._period(other_kommune, separated + rng.randrange(90))]
        self._set_bostedsadresse(
            custodian, self._personal_periods(custodian, formed, kommune) + custodial_home
        )
        self._set_bostedsadresse(other, self._personal_periods(other, formed, kommune) + other_home)

        if rng.random() < 0.5:
            wedding = self._between(formed, youngest)
            after = "skilt" if rng.random() < 0.75 else "separert"
            self._marry(mother, father, wedding, end=separated, after_a=after, after_b=after)
            if rng.random() < 0.4:
                self._take_surname(mother, father.etternavn, wedding)
        grading = self._household_grading()
        shared = rng.random() < 0.85
        moved_apart = other_kommune.kommunenummer != kommune.kommunenummer
        for child in children:
            child.etternavn = father.etternavn if rng.random() < 0.7 else mother.etternavn
            self._child_document(child, mother, custodial_home)
            self._parent_child(mother, "mor", child)
            self._parent_child(father, "far", child)
            if shared:
                self._foreldreansvar(child, [(mother, "felles"), (father, "felles")])
            else:
                self._foreldreansvar(child, [(custodian, "far" if with_father else "mor")])
            minor = self.ref - child.birth < self._years(18)
            if minor and shared and moved_apart and grading == "ugradert" and rng.random() < 0.6:
                self._delt_bosted(child, other_home[-1], separated)
        self._apply_grading([custodian, *children], grading)
        if grading != "ugradert":  # the other parent lived in the family home the custodian may still have
            self._grade_history_at(other, custodian, grading)
        return [mother, father, *children]

    def _delt_bosted(self, child: _Person, home: _Period, separated: int) -> None:
        assert home.address is not None
        start = self._between(max(separated, child.birth, home.start), self.ref - 1)
        child.doc["deltBosted"] = [
            {
                **self._meta(True, start),
                "adressegradering": "ugradert",
                "startdatoForKontrakt": self._date(start),
                **home.address.address_fields(),
            }
        ]

    def _single_parent(self) -> list[_Person]:
        """A mother whose children have no registered father: foreldreansvar rests with her."""
        eldest_age = self.rng.random() * 17
        mother = self._adult(eldest_age + 20 + self.rng.random() * 18, "kvinne")
        children = self._children(eldest_age, mother.origin, self._pick((1, 2), (0.7, 1.0)))
        self._settle_together([mother], children[0].birth)
        self._base_document(mother, [("bosatt", mother.settled)])
        kommune = self._kommune()
        formed = self._between(max(mother.settled, mother.birth + self._years(18)), children[0].birth)
        home = self._household(formed, kommune)
        self._set_bostedsadresse(mother, self._personal_periods(mother, formed, kommune) + home)
        for child in children:
            child.etternavn = mother.etternavn
            self._child_document(child, mother, home)
            self._parent_child(mother, "mor", child)
            self._foreldreansvar(child, [(mother, "mor")])
        members = [mother, *children]
        self._apply_grading(members, self._household_grading())
        return members

    def _widowed(self) -> list[_Person]:
        """A widow(er) and the deceased spouse: enkeEllerEnkemann, doedsfall, ended spouse relation."""
        rng = self.rng
        woman, man = self._pair(self._adult_age(67), same_sex_share=0.0)
        married = self._between(
            max(woman.birth, man.birth) + self._years(20), max(woman.birth, man.birth) + self._years(35)
        )
        death = self._between(max(married + 365, self.ref - self._years(15)), self.ref - 1)
        survivor, deceased = (woman, man) if rng.random() < 0.75 else (man, woman)
        self._settle_together([woman, man], death - 365)
        self._base_document(survivor, [("bosatt", survivor.settled)])
        self._base_document(deceased, [("bosatt", deceased.settled), ("doed", death)])
        kommune = self._kommune()
        home = self._household(married, kommune, until=death)
        self._set_bostedsadresse(survivor, self._personal_periods(survivor, married, kommune) + home)
        self._set_bostedsadresse(deceased, self._personal_periods(deceased, married, kommune) + home)
        after_woman = "enkeEllerEnkemann" if survivor is woman else None
        after_man = "enkeEllerEnkemann" if survivor is man else None
        self._marry(woman, man, married, end=death, after_a=after_woman, after_b=after_man)
        if after_woman is None:
            # The relation ends with the death whichever spouse survived.
            for entry in (*woman.doc["familierelasjon"], *man.doc["familierelasjon"]):
                entry.update(self._meta(False, married, death))
        if rng.random() < 0.7:
            self._take_surname(woman, man.etternavn, married)
        deceased.doc["doedsfall"] = {**self._meta(True, death), "doedsdato": self._date(death)}
        # The deceased keeps the shared home as the current bostedsadresse, so is graded alike (protection
        # given while both lived there).
        self._apply_grading([survivor], self._household_grading(), until=death, alike=(deceased,))
        return [woman, man]

    def _deceased(self) -> list[_Person]:
        rng = self.rng
        death = self._between(self.ref - self._years(20), self.ref - 1)
        age_at_death = self._adult_age(40) if rng.random() < 0.85 else 18 + rng.random() * 30
        birth = self._birth_for_age(age_at_death, at=death)
        origin = self._immigrant_origin(0.08)
        settled = birth if origin == "NOR" else self._between(birth + self._years(16), death - 365)
        person = self._new_person(self._kjoenn(), birth, origin, settled=settled)
        self._base_document(person, [("bosatt", person.settled), ("doed", death)])
        kommune = self._kommune()
        move_in = self._between(max(person.settled, person.birth + self._years(18)), death - 1)
        periods = [*self._personal_periods(person, move_in, kommune), self._period(kommune, move_in)]
        self._set_bostedsadresse(person, periods)
        if rng.random() < 0.3:
            self._divorced_history(person, death)
        person.doc["doedsfall"] = {**self._meta(True, death), "doedsdato": self._date(death)}
        return [person]

    def _emigrated(self) -> list[_Person]:
        rng = self.rng
        person = self._adult(self._adult_age(22, 75), origin=self._immigrant_origin(0.2))
        left = self._between(max(person.settled, person.birth + self._years(19)) + 60, self.ref - 1)
        self._base_document(person, [("bosatt", person.settled), ("utflyttet", left)])
        kommune = self._kommune()
        move_in = self._between(max(person.settled, person.birth + self._years(18)), left - 1)
        periods = [*self._personal_periods(person, move_in, kommune), self._period(kommune, move_in)]
        self._set_bostedsadresse(person, periods, current=False, end=left)
        country, city, postkode, street = rng.choice(EMIGRATION_DESTINATIONS)
        if person.origin != "NOR" and rng.random() < 0.7:
            country, city = person.origin, ""  # moved back home; no address known
        utflytting: dict[str, Any] = {
            **self._meta(True, left),
            "tilflyttingsland": country,
            "utflyttingsdato": self._date(left),
        }
        if city:
            utflytting["tilflyttingsstedIUtlandet"] = city
            person.doc["postadresseIUtlandet"] = [
                {
                    **self._meta(True, left),
                    "adressegradering": "ugradert",
                    "utenlandskAdresseIFrittFormat": {
                        "adresselinje": [f"{street} {rng.randint(1, 120)}"],
                        "byEllerStedsnavn": city,
                        "postkode": postkode,
                        "landkode": country,
                    },
                }
            ]
        person.doc["utflytting"] = [utflytting]
        return [person]

    def _dnummer(self) -> list[_Person]:
        """A foreign worker or student with a d-nummer: no bostedsadresse, maybe an oppholdsadresse."""
        rng = self.rng
        origin = self._pick(self.dnummer_codes, self.dnummer_cum)
        birth = self._birth_for_age(self._adult_age(19, 66))
        issued = self._between(max(birth + self._years(18), self.ref - self._years(15)), self.ref - 1)
        person = self._new_person(self._kjoenn(), birth, origin, settled=issued)
        status = "midlertidig" if rng.random() < 0.35 else "ikkeBosatt"
        self._base_document(person, [(status, issued)], d_nummer=True)
        if rng.random() < 0.5:
            since = self._between(issued, self.ref - 1)
            address = self._address(self._kommune())
            person.doc["oppholdsadresse"] = [
                {
                    **self._meta(True, since),
                    "adressegradering": "ugradert",
                    "oppholdsadressedato": self._date(since),
                    **address.address_fields(),
                }
            ]
        return [person]
