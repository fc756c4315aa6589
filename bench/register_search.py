"""Person search speed of the embedded register, next to a primary-key lookup in the same run.

    .venv/bin/python bench/register_search.py --data-dir data/bench-1m --persons 1000000
    .venv/bin/python bench/register_search.py --persons 20000 --data-dir /tmp/s20k      # a quick run
    .venv/bin/python bench/register_search.py --database-url postgresql+psycopg://... --persons 1000000

Seeds the register if it is empty (and reports the seeding speed, search indexes included). Queries go
through the register's service layer (RegisterService), as the HTTP routes call it, so the figures are the
database + Python cost of each use case without HTTP overhead; the lookup row is measured the same way.
Typical queries are built from randomly chosen persons of the population, so each one has a real answer.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, select

from _harness import median, percentile
from fiks_folkeregister.app import build_register
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.register.errors import RegisterError
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.register.tables import person, person_arkiv
from fiks_folkeregister.settings import Settings

PACKAGE = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
Query = dict[str, list[str]]


def _current(entries: Any) -> dict[str, Any] | None:
    return next((entry for entry in entries or () if entry.get("erGjeldende")), None)


def sample_documents(register: Any, count: int, seed: int) -> list[dict[str, Any]]:
    """Current documents of `count` random living persons with a current vegadresse."""
    engine = register.repository.engine
    with engine.connect() as connection:
        highest = int(connection.execute(select(func.max(person.c.id))).scalar_one())
        rng = random.Random(seed)
        ids = rng.sample(range(1, highest + 1), min(highest, count * 4))
        rows = connection.execute(
            select(person_arkiv.c.dokument)
            .join(person, person.c.dokumentidentifikator == person_arkiv.c.dokumentidentifikator)
            .where(person.c.id.in_(ids))
        ).scalars()
        documents = []
        for raw in rows:
            document = orjson.loads(raw)
            address = _current(document.get("bostedsadresse"))
            if document.get("doedsfall") or not address or "vegadresse" not in address:
                continue
            if address.get("adressegradering") != "ugradert":
                continue
            documents.append(document)
    rng.shuffle(documents)
    return documents[:count]


def typical_queries(document: dict[str, Any]) -> dict[str, Query]:
    navn = _current(document["navn"]) or {}
    first, last = navn["fornavn"].split()[0], navn["etternavn"].split()[-1]
    veg = _current(document["bostedsadresse"])["vegadresse"]
    kommune = veg["kommunenummer"]
    born = _current(document["foedsel"])["foedselsdato"].replace("-", "")
    year = int(born[:4])
    number = veg["adressenummer"]["husnummer"]
    return {
        "soek surname + kommune": {"navn": [last], "kommunenummer": [kommune]},
        "soek first + last name": {"navn": [f"{first} {last}"]},
        "soek first + last name, fonetisk": {"navn": [f"{first} {last}"], "soekFonetisk": ["true"]},
        "soek birth years ±1 + kommune": {
            "foedselsaarFraOgMed": [str(year - 1)],
            "foedselsaarTilOgMed": [str(year + 1)],
            "kommunenummer": [kommune],
        },
        "soek street prefix (4) + husnummer": {
            "adressenavn": [veg["adressenavn"][:4]],
            "husnummer": [number],
        },
        "entydigsoek name + foedselsdato": {"navn": [f"{first} {last}"], "foedselsdato": [born]},
        "entydigsoek name + foedselsdato, fonetisk": {
            "navn": [f"{first} {last}"],
            "foedselsdato": [born],
            "soekFonetisk": ["true"],
        },
        "entydigsoek name + address": {
            "navn": [f"{first} {last}"],
            "adressenavn": [veg["adressenavn"]],
            "husnummer": [number],
            "postnummer": [veg["poststed"]["postnummer"]],
        },
    }


def timed(call: Callable[[], Any]) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        result = call()
        outcome = f"{len(result['foedselsEllerDNummer'])} hits" if "foedselsEllerDNummer" in result else "200"
    except RegisterError as error:
        outcome = str(error.http_status)
    return (time.perf_counter() - started) * 1000, outcome


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-1m"))
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()

    settings = Settings(data_dir=args.data_dir, register_database_url=args.database_url)
    register = build_register(settings)
    if register.repository.count_persons() == 0:
        print(f"seeding {args.persons} persons into {settings.register_database} ...", flush=True)
        started = time.perf_counter()
        seed_population(register.repository, args.persons, 1, date(2026, 11, 1))
        elapsed = time.perf_counter() - started
        print(
            f"seeded {args.persons} persons in {elapsed:.0f} s: {args.persons / elapsed:.0f} persons/s "
            "(documents, identifiers and search indexes)",
            flush=True,
        )
    persons = register.repository.count_persons()
    documents = sample_documents(register, args.samples, seed=2)
    service = register.service

    timings: dict[str, list[float]] = {}
    outcomes: dict[str, dict[str, int]] = {}

    def record(name: str, millis: float, outcome: str) -> None:
        timings.setdefault(name, []).append(millis)
        bucket = outcome if not outcome.endswith(" hits") else ("0 hits" if outcome == "0 hits" else "hits")
        outcomes.setdefault(name, {}).setdefault(bucket, 0)
        outcomes[name][bucket] += 1

    def run(name: str, query: Query) -> tuple[float, str]:
        if name.startswith("entydigsoek"):
            return timed(lambda: service.entydigsoek(query, PACKAGE, None))
        return timed(lambda: service.soek(query, PACKAGE))

    for warm in documents[:10]:  # warm caches once
        for name, query in typical_queries(warm).items():
            run(name, query)
    for document in documents:
        number = _current(document["identifikasjonsnummer"])["foedselsEllerDNummer"]
        lookup = timed(lambda n=number: service.person(n, PACKAGE, None))
        record("lookup personer/{id} (primary key)", *lookup)
        for name, query in typical_queries(document).items():
            record(name, *run(name, query))

    print(
        f"register of {persons} persons on {register.repository.engine.dialect.name}; "
        f"{len(documents)} sampled persons per query; in-process service calls"
    )
    for name, values in timings.items():
        seen = ", ".join(f"{key}: {count}" for key, count in sorted(outcomes[name].items()))
        print(
            f"{name:44} p50 {median(values):7.2f} ms  p95 {percentile(values, 0.95):7.2f} ms  "
            f"max {max(values):7.2f} ms  ({seen})"
        )


if __name__ == "__main__":
    main()
