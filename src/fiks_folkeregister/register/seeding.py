"""Seeding: the synthetic population written to the register's database in batches, with example persons."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import islice
from typing import Any

from fiks_folkeregister.domain.dokument import current_identifier
from fiks_folkeregister.register.population.examples import example_categories
from fiks_folkeregister.register.population.generator import generate_population
from fiks_folkeregister.register.repository import PersonRepository

BATCH_SIZE = 2000
EXAMPLES_PER_CATEGORY = 5


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def seed_population(
    repository: PersonRepository,
    persons: int,
    seed: int,
    reference_date: date,
    progress: Callable[[int], None] = lambda _n: None,
) -> dict[str, list[str]]:
    """Write a deterministic population; return the example persons chosen, by category."""
    ids = random.Random(f"dokumentidentifikator:{seed}")
    examples: dict[str, list[str]] = {}
    for batch in _batches(generate_population(persons, seed, reference_date), BATCH_SIZE):
        dokids = [str(uuid.UUID(int=ids.getrandbits(128), version=4)) for _ in batch]
        repository.add_persons(batch, dokids)
        for document in batch:
            for category in example_categories(document, reference_date):
                chosen = examples.setdefault(category, [])
                if len(chosen) < EXAMPLES_PER_CATEGORY:
                    chosen.append(current_identifier(document))
        progress(len(batch))
    repository.set_examples(examples)
    repository.set_population_facts(
        {"persons": str(persons), "seed": str(seed), "referenceDate": reference_date.isoformat()}
    )
    return examples
