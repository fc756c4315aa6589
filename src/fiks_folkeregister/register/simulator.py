"""Life goes on: changes to the synthetic population the way a real population changes, one life event at a time.

Pure apart from the documents it is handed: a `World` gives read access to current person documents,
`Simulator.step` picks one life event (a birth, a death, a move ...) and returns the new version of each
person it changes, with the event type of that person's change. Whoever calls it stores the versions and
writes exactly one event per `Endring`. Every change keeps the population's invariants: mirrored
relations, one current entry per single-valued element, addresses graded like their person, everyone
registered at a protected address graded alike (relatives' entries there too), and so on.

Decisions worth knowing:
- Changes are valid from `day` (`gyldighetstidspunkt` at midnight UTC); `ajourholdstidspunkt` is the clock.
- A person is changed at most once per step; a step that finds no fitting person changes nobody.
- Corrections keep an entry's `gyldighetstidspunkt` and change its content (an event says `korrigere`);
  an annulment removes the newest bostedsadresse and makes the previous one current again (`annullere`).
- Emigration happens at most once per person (a returning emigrant keeps the one historic utflytting).
- A name changes at marriage only for persons who never changed name before.
- A death takes the oldest of a few residents over 30; persons probed are kept in pools by the life events
  they fit (checked again when used), and the dead are never probed again.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

import orjson
from faker import Faker

from fiks_folkeregister.domain.beskyttelse import place, relatives, stricter
from fiks_folkeregister.domain.dokument import (
    address_kommune,
    current_entries,
    current_entry,
    current_identifier,
    current_protection_level,
    is_current,
)
from fiks_folkeregister.domain.hendelse import Hendelsestype
from fiks_folkeregister.domain.identitetsnummer import Kjoenn, generate_synthetic
from fiks_folkeregister.domain.informasjonselementer import ADDRESS_ELEMENTS
from fiks_folkeregister.register.population.adresser import (
    ETASJER,
    LEILIGHETER_PER_ETASJE,
    bruksenhetsnummer,
    grunnkretser,
    krets,
    vegadresse,
)
from fiks_folkeregister.register.population.data import (
    EMIGRATION_DESTINATIONS,
    IMMIGRANT_COUNTRIES,
    KILDE,
    STRENGT_FORTROLIG_POSTADRESSE,
)
from fiks_folkeregister.register.population.geografi import Kommune, load_kommuner

Document = dict[str, Any]
Entry = dict[str, Any]

#: Life events and how often each is tried (relative weights).
KINDS: tuple[tuple[str, float], ...] = (
    ("flytting", 30.0),
    ("foedsel", 9.0),
    ("doedsfall", 8.0),
    ("utflytting", 4.0),
    ("innflytting", 5.0),
    ("ekteskap", 5.0),
    ("skilsmisse", 3.0),
    ("deltBostedNy", 2.0),
    ("deltBostedSlutt", 1.0),
    ("adressebeskyttelseNy", 0.5),
    ("adressebeskyttelseOpphoert", 0.5),
    ("korrigering", 8.0),
    ("annullering", 3.0),
    ("statsborgerskap", 2.0),
    ("oppholdsadresse", 2.0),
)
KIND_NAMES = tuple(name for name, _ in KINDS)
PROBES = 60
#: How many remembered persons a search tries before it probes.
POOL_TRIES = 12
#: How many residents a death is chosen among (the oldest dies).
DEATH_SAMPLE = 6
BIRTH_REGISTRATION_DAYS = 365
POOL_SIZE = 500
#: Who may marry: widows and widowers stay out (the late spouse's record still says `gift` with them).
OPEN_SIVILSTAND = frozenset({"ugift", "skilt"})
SPOUSE = "ektefelleEllerPartner"


class World(Protocol):
    """Read access to the population's current documents (a database transaction, or a list in tests)."""

    def size(self) -> int:
        """How many person slots there are; `person_at` takes 0 .. size-1."""
        ...

    def person_at(self, index: int) -> Document | None: ...

    def person(self, identifier: str) -> Document | None:
        """The current document of whoever has (or had) this identity number."""
        ...

    def identifier_taken(self, identifier: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Endring:
    """One person's new version and the event type it is announced with."""

    foedsels_eller_d_nummer: str
    dokument: Document
    hendelsestype: Hendelsestype
    ny: bool
    art: str


class MemoryWorld:
    """A `World` over documents in memory, updated with each step's changes (tests, pure simulations)."""

    def __init__(self, documents: Sequence[Document]) -> None:
        self.documents: list[Document] = list(documents)
        self._index: dict[str, int] = {}
        for position, document in enumerate(self.documents):
            self._register(position, document)

    def _register(self, position: int, document: Document) -> None:
        for entry in document.get("identifikasjonsnummer", ()):
            self._index[entry["foedselsEllerDNummer"]] = position

    def size(self) -> int:
        return len(self.documents)

    def person_at(self, index: int) -> Document | None:
        return self.documents[index] if 0 <= index < len(self.documents) else None

    def person(self, identifier: str) -> Document | None:
        position = self._index.get(identifier)
        return None if position is None else self.documents[position]

    def identifier_taken(self, identifier: str) -> bool:
        return identifier in self._index

    def apply(self, changes: Sequence[Endring]) -> None:
        for change in changes:
            position = self._index.get(change.foedsels_eller_d_nummer)
            if position is None:
                position = len(self.documents)
                self.documents.append(change.dokument)
            else:
                self.documents[position] = change.dokument
            self._register(position, change.dokument)


# ---------------------------------------------------------------- reading documents


def current(document: Mapping[str, Any], element: str) -> list[Entry]:
    return current_entries(document, element)  # type: ignore[return-value]


def current_one(document: Mapping[str, Any], element: str) -> Entry | None:
    """The first current entry of an element (what `current` would list first), or None."""
    return current_entry(document, element)  # type: ignore[return-value]


def status(document: Mapping[str, Any]) -> str | None:
    entry = current_one(document, "status")
    return None if entry is None else entry.get("status")


def grading(document: Mapping[str, Any]) -> str:
    return current_protection_level(document)


def age_on(document: Mapping[str, Any], day: date) -> int:
    born = date.fromisoformat(document["foedsel"][0]["foedselsdato"])
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _address_key(entry: Mapping[str, Any] | None) -> bytes | None:
    if entry is None:
        return None
    part = {k: entry[k] for k in ("vegadresse", "matrikkeladresse", "ukjentBosted") if k in entry}
    return orjson.dumps(part, option=orjson.OPT_SORT_KEYS) if part else None


def _has_fnr(document: Mapping[str, Any]) -> bool:
    entry = current_one(document, "identifikasjonsnummer")
    return entry is not None and entry.get("identifikatortype") == "foedselsnummer"


def _copy(document: Mapping[str, Any]) -> Document:
    result: Document = orjson.loads(orjson.dumps(document))
    return result


# ---------------------------------------------------------------- addresses


class _Addresses:
    """New dwellings in real municipalities and postal places, with grunnkrets and the other districts."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.kommuner: tuple[Kommune, ...] = load_kommuner()
        self.by_nummer = {k.kommunenummer: k for k in self.kommuner}
        self.cum = list(itertools.accumulate(k.innbyggere for k in self.kommuner))
        fake = Faker("no_NO")
        fake.seed_instance(seed)
        self.streets = tuple(sorted({fake.street_name() for _ in range(1500)}))

    def kommune(self, other_than: str | None = None) -> Kommune:
        while True:
            chosen = self.kommuner[bisect.bisect_right(self.cum, self.rng.random() * self.cum[-1])]
            if chosen.kommunenummer != other_than:
                return chosen

    def fields(self, kommune: Kommune, bosted: bool) -> Entry:
        rng = self.rng
        knr = kommune.kommunenummer
        place = kommune.poststeder[rng.randrange(len(kommune.poststeder))]
        index = rng.randrange(grunnkretser(kommune))
        husnummer = str(rng.randint(1, 60))
        husbokstav = rng.choice("ABCD") if rng.random() < 0.08 else None
        adressenavn = rng.choice(self.streets)
        adressekode = str(rng.randint(1000, 29999))
        bruksenhet = None
        if rng.random() < 0.4:
            bruksenhet = bruksenhetsnummer(rng.randint(1, ETASJER), rng.randint(1, LEILIGHETER_PER_ETASJE))
        fields = vegadresse(
            knr,
            adressenavn,
            adressekode,
            husnummer,
            husbokstav,
            bruksenhet,
            place.postnummer,
            place.poststedsnavn,
        )
        return fields | krets(knr, index) if bosted else fields


def _address_part(entry: Mapping[str, Any]) -> Entry | None:
    """The vegadresse or matrikkeladresse of an address entry (None for ukjentBosted)."""
    for key in ("vegadresse", "matrikkeladresse"):
        if key in entry:
            return {key: _copy(entry[key])}
    return None


# ---------------------------------------------------------------- the simulator


class Simulator:
    """Picks life events at random and returns the changed persons' new versions."""

    def __init__(
        self,
        seed: int,
        day: date,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        kinds: Sequence[tuple[str, float]] = KINDS,
    ) -> None:
        self.rng = random.Random(f"simulator:{seed}")
        self.day = day
        self.clock = clock
        self.day_ts = f"{day.isoformat()}T00:00:00Z"
        self.kinds = [name for name, _ in kinds]
        self.kind_cum = list(itertools.accumulate(weight for _, weight in kinds))
        self.addresses = _Addresses(self.rng, seed)
        fake = Faker("no_NO")
        fake.seed_instance(seed + 1)
        self.female = tuple(sorted({fake.first_name_female() for _ in range(400)}))
        self.male = tuple(sorted({fake.first_name_male() for _ in range(400)}))
        self.last = tuple(sorted({fake.last_name() for _ in range(400)}))
        self.pools: dict[str, list[str]] = {}
        self.dead_at: set[int] = set()
        """World indices of persons seen dead: no life event fits them, and death is final, so never load them."""
        self.handlers: dict[str, Callable[[World], list[Endring]]] = {
            "flytting": self._flytting,
            "foedsel": self._foedsel,
            "doedsfall": self._doedsfall,
            "utflytting": self._utflytting,
            "innflytting": self._innflytting,
            "ekteskap": self._ekteskap,
            "skilsmisse": self._skilsmisse,
            "deltBostedNy": self._delt_bosted_ny,
            "deltBostedSlutt": self._delt_bosted_slutt,
            "adressebeskyttelseNy": self._adressebeskyttelse_ny,
            "adressebeskyttelseOpphoert": self._adressebeskyttelse_opphoert,
            "korrigering": self._korrigering,
            "annullering": self._annullering,
            "statsborgerskap": self._statsborgerskap,
            "oppholdsadresse": self._oppholdsadresse,
        }

    # ------------------------------------------------------------ driving

    def step(self, world: World, kind: str | None = None) -> list[Endring]:
        """One life event of `kind` (default: drawn by weight); [] when no fitting person was found."""
        if kind is None:
            kind = self.kinds[bisect.bisect_right(self.kind_cum, self.rng.random() * self.kind_cum[-1])]
        return self.handlers[kind](world)

    def run(self, world: World, events: int) -> Iterator[list[Endring]]:
        """Steps until at least `events` events were produced; each yielded list is one life event."""
        produced = 0
        idle = 0
        while produced < events:
            changes = self.step(world)
            if not changes:
                idle += 1
                if idle > 10_000:
                    raise RuntimeError("the population has no person any life event fits")
                continue
            idle = 0
            produced += len(changes)
            yield changes

    # ------------------------------------------------------------ small helpers

    def _meta(self) -> Entry:
        now = self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "erGjeldende": True,
            "gyldighetstidspunkt": self.day_ts,
            "ajourholdstidspunkt": max(now, self.day_ts),
            "kilde": KILDE,
        }

    def _end(self, entry: Entry) -> None:
        entry["erGjeldende"] = False
        entry["opphoerstidspunkt"] = self.day_ts

    def _end_current(self, document: Document, element: str) -> None:
        for entry in current_entries(document, element):
            self._end(entry)  # type: ignore[arg-type]

    def _add(self, document: Document, element: str, entry: Entry, replace: bool = True) -> None:
        """A new current entry, newest first; `replace` ends the element's current entries."""
        if replace:
            self._end_current(document, element)
        document[element] = [entry, *document.get(element, ())]

    def _first_name(self, kjoenn: str) -> str:
        return self.rng.choice(self.female if kjoenn == "kvinne" else self.male)

    def _new_identifier(self, world: World, born: date, kjoenn: Kjoenn) -> str | None:
        """A free synthetic number for the birth date, or None when that date looks used up."""
        tried: set[str] = set()
        for _ in range(40):
            number = generate_synthetic(born, kjoenn, self.rng)
            if number in tried:
                continue
            tried.add(number)
            if not world.identifier_taken(number):
                return number
        return None

    def _remember(self, document: Document) -> None:
        """Sort a person seen while probing into every pool it fits."""
        for pool, belongs in _POOL_TESTS.items():
            if belongs(self, document):
                found = self.pools.setdefault(pool, [])
                if len(found) < POOL_SIZE:
                    found.append(current_identifier(document))

    def _from_pool(self, world: World, fits: Callable[[Document], bool], pool: str) -> Document | None:
        """A random person of the pool that `fits` accepts; whoever left the pool's kind is dropped."""
        found = self.pools.get(pool)
        belongs = _POOL_TESTS[pool]
        for _ in range(POOL_TRIES):
            if not found:
                return None
            at = self.rng.randrange(len(found))
            candidate = world.person(found[at])
            taken = candidate is not None and fits(candidate)
            if taken or candidate is None or not belongs(self, candidate):
                found[at] = found[-1]
                found.pop()
            if taken:
                return candidate
        return None

    def _find(
        self, world: World, fits: Callable[[Document], bool], pool: str | None = None
    ) -> Document | None:
        """A random person `fits` accepts: from the pool of earlier sightings, else by probing."""
        if pool is not None:
            candidate = self._from_pool(world, fits, pool)
            if candidate is not None:
                return candidate
        size = world.size()
        if size == 0:
            return None
        for _ in range(PROBES):
            index = self.rng.randrange(size)
            if index in self.dead_at:
                continue
            candidate = world.person_at(index)
            if candidate is None:
                continue
            if status(candidate) == "doed":
                self.dead_at.add(index)
                continue
            if fits(candidate):
                return candidate  # not remembered: whoever is taken leaves the pools, or pools favour them
            self._remember(candidate)
        return None

    def _resident(self, document: Document, min_age: int = 0, max_age: int = 200) -> bool:
        return (
            status(document) == "bosatt"
            and _has_fnr(document)
            and current_one(document, "bostedsadresse") is not None
            and min_age <= age_on(document, self.day) <= max_age
        )

    def _spouse(self, world: World, document: Document) -> Document | None:
        """The current spouse, when the marriage is registered on both sides and the spouse is alive."""
        entry = current_one(document, "sivilstand")
        if entry is None or entry.get("sivilstand") != "gift" or "relatertVedSivilstand" not in entry:
            return None
        spouse = world.person(entry["relatertVedSivilstand"])
        if spouse is None or status(spouse) == "doed":
            return None
        theirs = current_one(spouse, "sivilstand")
        if theirs is None or theirs.get("relatertVedSivilstand") != current_identifier(document):
            return None
        return spouse

    def _household(self, world: World, document: Document) -> list[Document]:
        """The person, a spouse at the same address and minor children at the same address."""
        home = _address_key(current_one(document, "bostedsadresse"))
        members = [document]
        seen = {current_identifier(document)}
        related = [document]
        spouse = self._spouse(world, document)
        if spouse is not None:
            related.append(spouse)
        for person in related:
            at_home = _address_key(current_one(person, "bostedsadresse")) == home
            if person is not document and at_home and current_identifier(person) not in seen:
                members.append(person)
                seen.add(current_identifier(person))
            for relation in current(person, "familierelasjon"):
                if relation.get("relatertPersonsRolle") != "barn" or relation["relatertPerson"] in seen:
                    continue
                child = world.person(relation["relatertPerson"])
                if (
                    child is not None
                    and status(child) == "bosatt"
                    and age_on(child, self.day) < 18
                    and _address_key(current_one(child, "bostedsadresse")) == home
                ):
                    members.append(child)
                    seen.add(current_identifier(child))
        return members

    def _relate(self, a: Document, a_role: str, b: Document, b_role: str) -> None:
        """Mirrored familierelasjon: a is b's `a_role`, b is a's `b_role`."""
        self._add(
            a,
            "familierelasjon",
            {
                **self._meta(),
                "relatertPerson": current_identifier(b),
                "relatertPersonsRolle": b_role,
                "minRolleForPerson": a_role,
            },
            replace=False,
        )
        self._add(
            b,
            "familierelasjon",
            {
                **self._meta(),
                "relatertPerson": current_identifier(a),
                "relatertPersonsRolle": a_role,
                "minRolleForPerson": b_role,
            },
            replace=False,
        )

    def _end_spouse_relation(self, a: Document, b: Document) -> None:
        for one, other in ((a, b), (b, a)):
            for relation in current(one, "familierelasjon"):
                if (
                    relation["relatertPerson"] == current_identifier(other)
                    and relation["relatertPersonsRolle"] == SPOUSE
                ):
                    self._end(relation)

    @staticmethod
    def _change(document: Document, hendelsestype: Hendelsestype, art: str, ny: bool = False) -> Endring:
        return Endring(current_identifier(document), document, hendelsestype, ny, art)

    # ------------------------------------------------------------ moves

    def _new_bosted(self, document: Document, fields: Entry) -> None:
        entry = {**self._meta(), "adressegradering": grading(document), **_copy(fields)}
        if "ukjentBosted" not in fields:
            entry["flyttedato"] = self.day.isoformat()
        self._add(document, "bostedsadresse", entry)

    def _flytting(self, world: World) -> list[Endring]:
        mover = self._find(world, lambda d: self._resident(d, min_age=18), pool="voksen")
        if mover is None:
            return []
        old = current_one(mover, "bostedsadresse")
        assert old is not None
        here = address_kommune(old)
        within = here in self.addresses.by_nummer and self.rng.random() < 0.6
        kommune = (
            self.addresses.by_nummer[here] if within and here else self.addresses.kommune(other_than=here)
        )
        fields = self.addresses.fields(kommune, bosted=True)
        art = "flyttingInnenKommune" if within else "flyttingMellomKommuner"
        changes = []
        for member in self._household(world, mover):
            document = _copy(member)
            self._new_bosted(document, fields)
            for delt in current(document, "deltBosted"):
                if address_kommune(delt) == kommune.kommunenummer:
                    self._end(delt)  # the shared residence is now in the home municipality
            changes.append(self._change(document, Hendelsestype.endringIBostedsadresse, art))
        return changes

    def _oppholdsadresse(self, world: World) -> list[Endring]:
        def fits(document: Document) -> bool:
            entry = current_one(document, "identifikasjonsnummer")
            return (
                entry is not None
                and entry.get("identifikatortype") == "dNummer"
                and status(document) in ("ikkeBosatt", "midlertidig")
            )

        person = self._find(world, fits, pool="dNummer")
        if person is None:
            return []
        document = _copy(person)
        fields = self.addresses.fields(self.addresses.kommune(), bosted=False)
        entry = {
            **self._meta(),
            "adressegradering": grading(document),
            "oppholdsadressedato": self.day.isoformat(),
            **fields,
        }
        self._add(document, "oppholdsadresse", entry)
        return [self._change(document, Hendelsestype.endringIOppholdsadresse, "oppholdsadresse")]

    # ------------------------------------------------------------ birth and death

    def _may_give_birth(self, document: Document) -> bool:
        return document["kjoenn"][0]["kjoenn"] == "kvinne" and self._resident(document, 18, 45)

    def _foedsel(self, world: World) -> list[Endring]:
        mother = self._find(world, self._may_give_birth, pool="foedende")
        if mother is None:
            return []
        partner = self._spouse(world, mother)
        if partner is not None and (status(partner) != "bosatt" or not _has_fnr(partner)):
            partner = None
        kjoenn: Kjoenn = "kvinne" if self.rng.random() < 0.49 else "mann"
        # Births are registered up to a few months late: spreading the dates keeps numbers available.
        born = date.fromordinal(self.day.toordinal() - self.rng.randrange(BIRTH_REGISTRATION_DAYS))
        number = self._new_identifier(world, born, kjoenn)
        if number is None:
            return []
        meta = self._meta()
        surname_from = partner if partner is not None and self.rng.random() < 0.8 else mother
        home = current_one(mother, "bostedsadresse")
        assert home is not None
        home_fields = {k: v for k, v in home.items() if k not in meta and k not in ("opphoerstidspunkt",)}
        home_fields.pop("adressegradering", None)
        home_fields.pop("flyttedato", None)
        codes = [e["statsborgerskap"] for e in current(mother, "statsborgerskap")]
        if partner is not None:
            codes += [e["statsborgerskap"] for e in current(partner, "statsborgerskap")]
        citizenship = ["NOR"] if "NOR" in codes else list(dict.fromkeys(codes)) or ["NOR"]
        navn = current_one(surname_from, "navn") or {}
        child: Document = {
            "identifikasjonsnummer": [
                {
                    **meta,
                    "foedselsEllerDNummer": number,
                    "identifikatortype": "foedselsnummer",
                    "status": "iBruk",
                }
            ],
            "navn": [
                {**meta, "fornavn": self._first_name(kjoenn), "etternavn": navn.get("etternavn", "Hansen")}
            ],
            "kjoenn": [{**meta, "kjoenn": kjoenn}],
            "foedsel": [
                {
                    **meta,
                    "foedselsdato": born.isoformat(),
                    "foedselsaar": str(born.year),
                    "foedeland": "NOR",
                    "foedekommuneINorge": address_kommune(home) or "0301",
                }
            ],
            "status": [{**meta, "status": "bosatt"}],
            "identitetsgrunnlag": [{**meta, "identitetsgrunnlagstatus": "ingenStatus"}],
            "statsborgerskap": [{**meta, "statsborgerskap": code} for code in citizenship],
            "sivilstand": [{**meta, "sivilstand": "ugift"}],
        }
        level = grading(mother)
        child["bostedsadresse"] = [
            {**meta, "adressegradering": level, **_copy(home_fields), "flyttedato": self.day.isoformat()}
        ]
        if level != "ugradert":
            child["adressebeskyttelse"] = [{**meta, "graderingsnivaa": level}]
            if level == "strengtFortrolig":
                child["postadresse"] = [
                    {
                        **meta,
                        "adressegradering": "ugradert",
                        "postboksadresse": _copy(STRENGT_FORTROLIG_POSTADRESSE),
                    }
                ]
        mor = _copy(mother)
        parents: list[tuple[Document, str]] = [(mor, "mor")]
        if partner is not None:
            parents.append((_copy(partner), "far" if partner["kjoenn"][0]["kjoenn"] == "mann" else "medmor"))
        ansvar = "felles" if len(parents) == 2 else "mor"
        for parent, role in parents:
            self._relate(parent, role, child, "barn")
            self._add(
                child,
                "foreldreansvar",
                {**meta, "ansvar": ansvar, "ansvarlig": current_identifier(parent)},
                False,
            )
            self._add(parent, "foreldreansvar", {**meta, "ansvar": ansvar, "ansvarssubjekt": number}, False)
        changes = [self._change(child, Hendelsestype.personErOpprettet, "foedsel", ny=True)]
        changes += [
            self._change(parent, Hendelsestype.endringIFamilierelasjon, "foedsel") for parent, _ in parents
        ]
        return changes

    def _doedsfall(self, world: World) -> list[Endring]:
        """The oldest of a few residents aged 30 or more dies (most deaths come at 70 and over).

        Choosing the oldest of a sample, rather than accepting by age, finds someone in a bounded number
        of probes even where a long simulation has already let the old die.
        """
        sample: dict[str, Document] = {}
        for _ in range(DEATH_SAMPLE):
            seen = self._find(
                world,
                lambda d: self._resident(d, min_age=30) and current_identifier(d) not in sample,
                pool="over30",
            )
            if seen is None:
                break
            sample[current_identifier(seen)] = seen
        if not sample:
            return []
        person = min(sample.values(), key=lambda d: d["foedsel"][0]["foedselsdato"])
        spouse = self._spouse(world, person)
        document = _copy(person)
        self._add(document, "status", {**self._meta(), "status": "doed"})
        document["doedsfall"] = {**self._meta(), "doedsdato": self.day.isoformat()}
        changes = [self._change(document, Hendelsestype.personErDoed, "doedsfall")]
        if spouse is not None:
            widow = _copy(spouse)
            self._add(
                widow,
                "sivilstand",
                {
                    **self._meta(),
                    "sivilstand": "enkeEllerEnkemann",
                    "sivilstandsdato": self.day.isoformat(),
                    "relatertVedSivilstand": current_identifier(document),
                },
            )
            self._end_spouse_relation(document, widow)
            changes.append(self._change(widow, Hendelsestype.endringISivilstand, "doedsfall"))
        return changes

    # ------------------------------------------------------------ migration

    def _may_emigrate(self, document: Document) -> bool:
        return (
            self._resident(document, min_age=18)
            and not document.get("utflytting")
            and grading(document) == "ugradert"
            and not any("ansvarssubjekt" in e for e in current(document, "foreldreansvar"))
        )

    def _utflytting(self, world: World) -> list[Endring]:
        person = self._find(world, self._may_emigrate, pool="utflyttbar")
        if person is None:
            return []
        document = _copy(person)
        country, city, _postkode, _street = self.rng.choice(EMIGRATION_DESTINATIONS)
        self._add(document, "status", {**self._meta(), "status": "utflyttet"})
        self._end_current(document, "bostedsadresse")
        self._add(
            document,
            "utflytting",
            {
                **self._meta(),
                "tilflyttingsland": country,
                "tilflyttingsstedIUtlandet": city,
                "utflyttingsdato": self.day.isoformat(),
            },
        )
        return [self._change(document, Hendelsestype.personErUtflyttet, "utflytting")]

    def _innflytting(self, world: World) -> list[Endring]:
        # Half of those who move in are returning emigrants, when one is found. The coin comes first:
        # emigrants are rare, so looking for one when the coin says "immigrant" cost many probes for nothing.
        returning = None
        if self.rng.random() < 0.5:
            returning = self._find(
                world, lambda d: status(d) == "utflyttet" and "doedsfall" not in d, pool="utflyttet"
            )
        if returning is not None:
            document = _copy(returning)
            left = current_one(document, "utflytting")
            self._add(document, "status", {**self._meta(), "status": "bosatt"})
            self._end_current(document, "utflytting")
            self._end_current(document, "postadresseIUtlandet")
            fra = left.get("tilflyttingsland", "SWE") if left else "SWE"
            self._add(document, "innflytting", {**self._meta(), "fraflyttingsland": fra})
            self._new_bosted(document, self.addresses.fields(self.addresses.kommune(), bosted=True))
            return [self._change(document, Hendelsestype.personErBosatt, "innflytting")]
        return self._immigrant(world)

    def _immigrant(self, world: World) -> list[Endring]:
        rng = self.rng
        codes = [code for code, _ in IMMIGRANT_COUNTRIES]
        origin = rng.choices(codes, weights=[w for _, w in IMMIGRANT_COUNTRIES])[0]
        kjoenn: Kjoenn = "kvinne" if rng.random() < 0.5 else "mann"
        born = date.fromordinal(self.day.toordinal() - rng.randint(20 * 365, 50 * 365))
        number = self._new_identifier(world, born, kjoenn)
        if number is None:
            return []
        meta = self._meta()
        born_text = born.isoformat()
        document: Document = {
            "identifikasjonsnummer": [
                {
                    **meta,
                    "foedselsEllerDNummer": number,
                    "identifikatortype": "foedselsnummer",
                    "status": "iBruk",
                }
            ],
            "navn": [{**meta, "fornavn": self._first_name(kjoenn), "etternavn": rng.choice(self.last)}],
            "kjoenn": [{**meta, "kjoenn": kjoenn}],
            "foedsel": [
                {**meta, "foedselsdato": born_text, "foedselsaar": born_text[:4], "foedeland": origin}
            ],
            "status": [{**meta, "status": "bosatt"}],
            "identitetsgrunnlag": [{**meta, "identitetsgrunnlagstatus": "kontrollert"}],
            "statsborgerskap": [{**meta, "statsborgerskap": origin}],
            "innflytting": [{**meta, "fraflyttingsland": origin}],
            "sivilstand": [{**meta, "sivilstand": "ugift"}],
        }
        self._new_bosted(document, self.addresses.fields(self.addresses.kommune(), bosted=True))
        return [self._change(document, Hendelsestype.personErOpprettet, "innflytting", ny=True)]

    # ------------------------------------------------------------ marriage and divorce

    def _marriageable(self, document: Document) -> bool:
        entry = current_one(document, "sivilstand")
        return (
            self._resident(document, 18, 90)
            and entry is not None
            and entry.get("sivilstand") in OPEN_SIVILSTAND
        )

    def _ekteskap(self, world: World) -> list[Endring]:
        first = self._find(world, self._marriageable, pool="giftbar")
        if first is None:
            return []
        me = current_identifier(first)
        related = {r["relatertPerson"] for r in first.get("familierelasjon", ())}
        age = age_on(first, self.day)
        same_sex = self.rng.random() < 0.02
        wanted = first["kjoenn"][0]["kjoenn"]
        if not same_sex:
            wanted = "mann" if wanted == "kvinne" else "kvinne"

        def partner_fits(document: Document) -> bool:
            return (
                self._marriageable(document)
                and current_identifier(document) != me
                and current_identifier(document) not in related
                and document["kjoenn"][0]["kjoenn"] == wanted
                and abs(age_on(document, self.day) - age) <= 15
            )

        second = self._find(world, partner_fits, pool="giftbar")
        if second is None:
            return []
        a, b = _copy(first), _copy(second)
        for one, other in ((a, b), (b, a)):
            self._add(
                one,
                "sivilstand",
                {
                    **self._meta(),
                    "sivilstand": "gift",
                    "sivilstandsdato": self.day.isoformat(),
                    "relatertVedSivilstand": current_identifier(other),
                },
            )
        self._relate(a, SPOUSE, b, SPOUSE)
        for one, other in ((a, b), (b, a)):
            if one["kjoenn"][0]["kjoenn"] == "kvinne" and len(one["navn"]) == 1 and self.rng.random() < 0.5:
                mine, theirs = current_one(one, "navn"), current_one(other, "navn")
                if mine and theirs and mine["etternavn"] != theirs["etternavn"]:
                    new = {k: v for k, v in mine.items() if k not in ("opphoerstidspunkt",)}
                    self._add(one, "navn", {**new, **self._meta(), "etternavn": theirs["etternavn"]})
        return [self._change(one, Hendelsestype.endringISivilstand, "ekteskap") for one in (a, b)]

    def _skilsmisse(self, world: World) -> list[Endring]:
        first = self._find(
            world, lambda d: self._resident(d) and self._spouse(world, d) is not None, pool="gift"
        )
        if first is None:
            return []
        second = self._spouse(world, first)
        assert second is not None
        after = "skilt" if self.rng.random() < 0.7 else "separert"
        a, b = _copy(first), _copy(second)
        for one, other in ((a, b), (b, a)):
            entry = {**self._meta(), "sivilstand": after, "sivilstandsdato": self.day.isoformat()}
            if after == "separert":
                entry["relatertVedSivilstand"] = current_identifier(other)
            self._add(one, "sivilstand", entry)
        if after == "skilt":
            self._end_spouse_relation(a, b)
        return [self._change(one, Hendelsestype.endringISivilstand, "skilsmisse") for one in (a, b)]

    # ------------------------------------------------------------ shared residence

    def _delt_bosted_candidate(self, document: Document) -> bool:
        holders = [
            e for e in current(document, "foreldreansvar") if e.get("ansvar") == "felles" and "ansvarlig" in e
        ]
        return (
            status(document) == "bosatt"
            and age_on(document, self.day) < 17
            and len(holders) == 2
            and not current(document, "deltBosted")
            and grading(document) == "ugradert"
            and current_one(document, "bostedsadresse") is not None
        )

    def _delt_bosted_ny(self, world: World) -> list[Endring]:
        for _ in range(5):
            child = self._find(world, self._delt_bosted_candidate, pool="deltBostedKandidat")
            if child is None:
                return []
            home = current_one(child, "bostedsadresse")
            assert home is not None
            for entry in current(child, "foreldreansvar"):
                holder = world.person(entry["ansvarlig"])
                if holder is None or status(holder) != "bosatt" or grading(holder) != "ugradert":
                    continue
                theirs = current_one(holder, "bostedsadresse")
                if theirs is None or address_kommune(theirs) == address_kommune(home):
                    continue
                part = _address_part(theirs)
                if part is None:
                    continue
                document = _copy(child)
                self._add(
                    document,
                    "deltBosted",
                    {
                        **self._meta(),
                        "adressegradering": "ugradert",
                        "startdatoForKontrakt": self.day.isoformat(),
                        **part,
                    },
                )
                return [self._change(document, Hendelsestype.endringIDeltBosted, "deltBostedNy")]
        return []

    def _delt_bosted_slutt(self, world: World) -> list[Endring]:
        child = self._find(
            world, lambda d: bool(current(d, "deltBosted")) and status(d) == "bosatt", pool="deltBosted"
        )
        if child is None:
            return []
        document = _copy(child)
        for entry in current(document, "deltBosted"):
            entry["sluttdatoForKontrakt"] = self.day.isoformat()
            entry["ajourholdstidspunkt"] = self._meta()["ajourholdstidspunkt"]
            self._end(entry)
        return [self._change(document, Hendelsestype.endringIDeltBosted, "deltBostedSlutt")]

    # ------------------------------------------------------------ address protection

    def _regrade(self, document: Document, level: str) -> None:
        """Current addresses to `level`; history at the same place as a current one at least to `level`."""
        places = set()
        for element in ("bostedsadresse", "oppholdsadresse", "deltBosted"):
            for entry in current(document, element):
                entry["adressegradering"] = level
                places.add(place(entry))
        if level != "ugradert":
            self._raise_at(document, places - {None}, level)

    @staticmethod
    def _raise_at(document: Document, places: set[bytes], level: str) -> list[str]:
        """Every address entry of the document at one of `places` graded at least `level`; the elements
        changed."""
        changed = []
        for element in ADDRESS_ELEMENTS:
            for entry in document.get(element) or ():
                if place(entry) in places and stricter(entry.get("adressegradering"), level) != entry.get(
                    "adressegradering"
                ):
                    entry["adressegradering"] = level
                    changed.append(element)
        return changed

    def _relatives(self, world: World, document: Document) -> list[Document]:
        """Everyone the document relates to (family, parental responsibility, marriage), now or before."""
        found = []
        for number in relatives(document):
            relative = world.person(number)
            if relative is not None:
                found.append(relative)
        return found

    def _cohabitants(self, world: World, document: Document) -> list[Document]:
        """The person and every relative (of theirs, or of a cohabitant) registered at the same home,
        the dead too (a deceased keeps the last bostedsadresse as the current one)."""
        home = place(current_one(document, "bostedsadresse") or {})
        members = [document]
        if home is None:
            return members
        seen = {current_identifier(document)}
        for member in members:  # grows while it is walked: relatives of cohabitants too
            for relative in self._relatives(world, member):
                number = current_identifier(relative)
                if number not in seen and place(current_one(relative, "bostedsadresse") or {}) == home:
                    seen.add(number)
                    members.append(relative)
        return members

    def protect(self, world: World, person: Document, level: str) -> list[Endring]:
        """Address protection at `level`, given without a move, to the person and everyone living with
        them (the register's rule: a person at the same address as a protected person gets the same
        grading); a relative's entry elsewhere in time (history, a child's deltBosted) at that address is
        graded too, and a deltBosted there ends, as does a protected child's deltBosted elsewhere."""
        changes = []
        members = self._cohabitants(world, person)
        home = place(current_one(person, "bostedsadresse") or {})
        for member in members:
            if grading(member) != "ugradert":
                continue
            document = _copy(member)
            for delt in current(document, "deltBosted"):
                # the shared residence at the other parent's open address ends (and stays as it was graded):
                # a protected child has no deltBosted, as the generator never gives one
                delt["sluttdatoForKontrakt"] = self.day.isoformat()
                self._end(delt)
            self._add(document, "adressebeskyttelse", {**self._meta(), "graderingsnivaa": level})
            self._regrade(document, level)
            if level == "strengtFortrolig":
                self._add(
                    document,
                    "postadresse",
                    {
                        **self._meta(),
                        "adressegradering": "ugradert",
                        "postboksadresse": _copy(STRENGT_FORTROLIG_POSTADRESSE),
                    },
                )
            changes.append(
                self._change(document, Hendelsestype.endringIAdressebeskyttelse, "adressebeskyttelseNy")
            )
        if home is None:
            return changes
        inside = {current_identifier(member) for member in members}
        for member in members:
            for relative in self._relatives(world, member):
                if current_identifier(relative) in inside:
                    continue
                inside.add(current_identifier(relative))
                document = _copy(relative)
                for delt in current(document, "deltBosted"):
                    if place(delt) == home:
                        delt["sluttdatoForKontrakt"] = self.day.isoformat()
                        self._end(delt)
                changed = self._raise_at(document, {home}, level)
                if changed:
                    hendelsestype = (
                        Hendelsestype.endringIDeltBosted
                        if "deltBosted" in changed
                        else Hendelsestype.endringIBostedsadresseUtenFlytting
                    )
                    changes.append(self._change(document, hendelsestype, "adressebeskyttelseNy"))
        return changes

    def _adressebeskyttelse_ny(self, world: World) -> list[Endring]:
        person = self._find(world, lambda d: self._resident(d) and grading(d) == "ugradert")
        if person is None:
            return []
        level = "strengtFortrolig" if self.rng.random() < 0.2 else "fortrolig"
        return self.protect(world, person, level)

    def _adressebeskyttelse_opphoert(self, world: World) -> list[Endring]:
        """Protection lifted for the person and everyone living with them at the same grading (one
        lifted alone would show the others' address ungraded)."""
        person = self._find(world, lambda d: grading(d) != "ugradert" and status(d) != "doed", pool="gradert")
        if person is None:
            return []
        level = grading(person)
        changes = []
        for member in self._cohabitants(world, person):
            if grading(member) != level:
                continue
            document = _copy(member)
            self._end_current(document, "adressebeskyttelse")
            self._regrade(document, "ugradert")
            if level == "strengtFortrolig":
                for entry in current(document, "postadresse"):
                    if entry.get("postboksadresse") == STRENGT_FORTROLIG_POSTADRESSE:
                        self._end(entry)
            changes.append(
                self._change(document, Hendelsestype.endringIAdressebeskyttelse, "adressebeskyttelseOpphoert")
            )
        return changes

    # ------------------------------------------------------------ corrections and annulments

    def _korrigering(self, world: World) -> list[Endring]:
        person = self._find(world, lambda d: status(d) != "doed" and current_one(d, "navn") is not None)
        if person is None:
            return []
        bosted = current_one(person, "bostedsadresse")
        if bosted is not None and "vegadresse" in bosted and self.rng.random() < 0.5:
            # The address was wrong for everyone registered there: corrected for the person's cohabitants
            # too (so a household never drifts apart into places graded differently).
            husnummer = int(bosted["vegadresse"]["adressenummer"]["husnummer"])
            corrected = str(max(1, husnummer + self.rng.choice((-2, -1, 1, 2))))
            changes = []
            for member in self._cohabitants(world, person):
                document = _copy(member)
                entry = current_one(document, "bostedsadresse")
                assert entry is not None
                entry["vegadresse"]["adressenummer"]["husnummer"] = corrected
                entry["ajourholdstidspunkt"] = self._meta()["ajourholdstidspunkt"]
                changes.append(
                    self._change(document, Hendelsestype.endringIBostedsadresseUtenFlytting, "korrigering")
                )
            return changes
        document = _copy(person)
        navn = current_one(document, "navn")
        assert navn is not None
        kjoenn = document["kjoenn"][0]["kjoenn"]
        fornavn = navn["fornavn"]
        while fornavn == navn["fornavn"]:
            fornavn = self._first_name(kjoenn)
        navn["fornavn"] = fornavn
        navn["ajourholdstidspunkt"] = self._meta()["ajourholdstidspunkt"]
        return [self._change(document, Hendelsestype.endringINavn, "korrigering")]

    def _annullerbar(self, document: Document) -> bool:
        entries = document.get("bostedsadresse", ())
        if status(document) != "bosatt" or len(entries) < 2 or not is_current(entries[0]):
            return False
        previous = entries[1]
        if previous.get("opphoerstidspunkt") != entries[0].get("gyldighetstidspunkt"):
            return False
        if previous.get("adressegradering") != grading(document):
            return False
        return all(
            address_kommune(delt) != address_kommune(previous) for delt in current(document, "deltBosted")
        )

    def _annullering(self, world: World) -> list[Endring]:
        person = self._find(world, self._annullerbar, pool="annullerbar")
        return [] if person is None else self.annul(person)

    def annul(self, person: Document) -> list[Endring]:
        """The person's newest move annulled: the newest bostedsadresse removed, the previous one current
        again (only for a person `_annullerbar` accepts)."""
        document = _copy(person)
        entries = document["bostedsadresse"]
        restored = entries[1]
        restored["erGjeldende"] = True
        restored.pop("opphoerstidspunkt", None)
        document["bostedsadresse"] = entries[1:]
        return [self._change(document, Hendelsestype.endringIBostedsadresse, "annullering")]

    def _may_naturalise(self, document: Document) -> bool:
        return self._resident(document, min_age=18) and all(
            e.get("statsborgerskap") != "NOR" for e in current(document, "statsborgerskap")
        )

    def _statsborgerskap(self, world: World) -> list[Endring]:
        person = self._find(world, self._may_naturalise, pool="utenlandsk")
        if person is None:
            return []
        document = _copy(person)
        self._add(
            document,
            "statsborgerskap",
            {**self._meta(), "statsborgerskap": "NOR", "ervervsdato": self.day.isoformat()},
            replace=False,
        )
        return [self._change(document, Hendelsestype.endringIStatsborgerskap, "statsborgerskap")]


#: Pools of persons by the life events they may take part in, filled with whoever probing happens to meet.
_POOL_TESTS: dict[str, Callable[[Simulator, Document], bool]] = {
    "voksen": lambda s, d: s._resident(d, min_age=18),
    "giftbar": lambda s, d: s._marriageable(d),
    "over30": lambda s, d: s._resident(d, min_age=30),
    "foedende": lambda s, d: s._may_give_birth(d),
    "utflyttbar": lambda s, d: s._may_emigrate(d),
    "gradert": lambda s, d: grading(d) != "ugradert" and status(d) != "doed",
    "deltBosted": lambda s, d: bool(current(d, "deltBosted")) and status(d) == "bosatt",
    "deltBostedKandidat": lambda s, d: s._delt_bosted_candidate(d),
    "utflyttet": lambda s, d: status(d) == "utflyttet",
    "dNummer": lambda s, d: (
        (current_one(d, "identifikasjonsnummer") or {}).get("identifikatortype") == "dNummer"
    ),
    "gift": lambda s, d: (current_one(d, "sivilstand") or {}).get("sivilstand") == "gift",
    "annullerbar": lambda s, d: s._annullerbar(d),
    "utenlandsk": lambda s, d: s._may_naturalise(d),
}
