"""Seeding speed and database size of the embedded register, next to the bare generator in the same run.

.venv/bin/python bench/register_seed.py --persons 100000 [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from fiks_folkeregister.app import build_register
from fiks_folkeregister.register.population.generator import generate_population
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.settings import Settings

REFERENCE_DATE = date(2026, 11, 1)


def database_size(settings: Settings, url: str) -> int:
    if url.startswith("sqlite"):
        database = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in database.parent.glob(database.name + "*"))
    engine = build_register(settings).repository.engine
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="bench-seed-"))
    settings = Settings(data_dir=data_dir, register_database_url=args.database_url)
    url = settings.register_database
    register = build_register(settings)
    if register.repository.count_persons():
        register.repository.delete_population()

    baseline_n = min(args.persons, 50_000)
    started = time.perf_counter()
    for _ in generate_population(baseline_n, 1, REFERENCE_DATE):
        pass
    generate_rate = baseline_n / (time.perf_counter() - started)

    started = time.perf_counter()
    seed_population(register.repository, args.persons, 1, REFERENCE_DATE)
    elapsed = time.perf_counter() - started
    size = database_size(settings, url)

    engine = "sqlite" if url.startswith("sqlite") else "postgresql"
    print(f"engine: {engine}; persons: {args.persons}")
    print(f"baseline  generator only ({baseline_n} persons):   {generate_rate:10.0f} persons/s")
    print(
        f"seeding   generate + write ({args.persons} persons): {args.persons / elapsed:10.0f} persons/s"
        f"  ({elapsed:.1f} s; {elapsed / args.persons * 1e6:.0f} µs/person)"
    )
    print(f"database size: {size / 1e6:.1f} MB ({size / args.persons:.0f} bytes/person)")
    print(f"projected 1 000 000 persons: {1_000_000 * elapsed / args.persons / 60:.1f} min (target ≤ 10 min)")


if __name__ == "__main__":
    main()
