"""Deterministic synthetic population: person documents shaped like the register's Folkeregisterperson.

Pure: no database, no clock, no global random state. Everything derives from (persons, seed,
reference_date) through one `random.Random(seed)`, a Faker('no_NO') seeded with `seed_instance(seed)`
(used to build pools of names and street names once) and per-municipality street directories seeded
from (seed, kommunenummer). Persons are yielded household by household ("family units": a separated
family's two households come together), so every familierelasjon is mirrored within what has been
yielded so far.

The builder is layered along the generator's seams, each layer a module: `draws.py` (the random source and
small draws), `bosteder.py` (homes), `opplysninger.py` (document entries), `husholdninger.py` (family
units), with the data tables in `data.py`. One random source runs through all of them in the same order,
so a seeded population is the same byte for byte however the layers are cut.

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

from collections.abc import Iterator
from datetime import date

from fiks_folkeregister.register.population.data import (
    EARLIEST_REFERENCE_DATE,
    LATEST_REFERENCE_DATE,
    MAX_UNIT_SIZE,
)
from fiks_folkeregister.register.population.draws import Document
from fiks_folkeregister.register.population.husholdninger import Households


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


class _PopulationBuilder(Households):
    """Builds family units one after another; all state lives here, none in the module."""

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
