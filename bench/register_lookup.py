"""Lookup speed of the embedded register over HTTP, next to a trivial endpoint of the same server in the same run.

    .venv/bin/python bench/register_lookup.py --data-dir data/bench-100k --persons 100000

Seeds the register in --data-dir if it is empty. Needs wrk (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import select

from _harness import median, percentile, rotating_paths_script, served_register, wrk
from fiks_folkeregister.app import build_register, build_token_issuer
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings

PACKAGE = "offentlig-med-hjemmel"
SCOPE = "folkeregister:deling/offentligmedhjemmel"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-100k"))
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--bulk-requests", type=int, default=30)
    args = parser.parse_args()

    settings = Settings(data_dir=args.data_dir)
    register = build_register(settings)
    if register.repository.count_persons() == 0:
        print(f"seeding {args.persons} persons into {args.data_dir} ...", flush=True)
        seed_population(register.repository, args.persons, 1, date(2026, 11, 1))
    with register.repository.engine.connect() as connection:
        numbers = list(connection.execute(select(person.c.foedsels_eller_d_nummer)).scalars())
    persons = len(numbers)
    random.Random(1).shuffle(numbers)
    token = build_token_issuer(settings).issue("910000004", [SCOPE], client_id="bench", lifetime_seconds=3600)
    auth = {"Authorization": f"Bearer {token}"}
    prefix = f"/folkeregisteret/{PACKAGE}/api/v1/personer"
    lookup_script = rotating_paths_script([f"{prefix}/{n}" for n in numbers[:5000]])

    with served_register(args.data_dir, workers=args.workers) as base:
        wrk(f"{base}/health", 2, args.connections)  # warm-up
        wrk(base, 2, args.connections, script=lookup_script, headers=auth)
        trivial, lookup = [], []
        for _ in range(args.rounds):
            trivial.append(wrk(f"{base}/health", args.seconds, args.connections))
            lookup.append(wrk(base, args.seconds, args.connections, script=lookup_script, headers=auth))

        bulk_ms, health_ms = [], []
        with httpx.Client(base_url=base, headers=auth, timeout=60) as client:
            for round_number in range(args.bulk_requests):
                ids = numbers[round_number * 1000 % max(1, persons - 1000) :][:1000]
                started = time.perf_counter()
                response = client.post(f"{prefix}/bulkoppslag", json={"foedselsEllerDNummer": ids})
                bulk_ms.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200 and len(response.json()["oppslag"]) == len(ids)
                started = time.perf_counter()
                client.get("/health")
                health_ms.append((time.perf_counter() - started) * 1000)

    def row(name: str, runs: list[dict[str, float]]) -> str:
        return (
            f"{name:34} {median([r['rps'] for r in runs]):9.0f} req/s  p50 {median([r['p50'] for r in runs]):6.2f} ms"
            f"  p99 {median([r['p99'] for r in runs]):6.2f} ms  non-2xx {sum(r['errors'] for r in runs):.0f}"
        )

    print(
        f"register of {persons} persons; {args.workers} worker(s); wrk {args.connections} connections, "
        f"{args.rounds} rounds of {args.seconds} s (medians)"
    )
    print(row("baseline GET /health (trivial JSON)", trivial))
    print(row("GET personer/{id} (person-basis)", lookup))
    ratio = median([r["rps"] for r in lookup]) / median([r["rps"] for r in trivial])
    print(f"lookup throughput / trivial: {ratio:.0%} (target ≥ 50%)")
    print(
        f"POST personer/bulkoppslag x1000 ids: p50 {median(bulk_ms):.0f} ms  p99 {percentile(bulk_ms, 0.99):.0f} ms"
        f"  (n={len(bulk_ms)}; same client's GET /health p50 {median(health_ms):.2f} ms)"
    )


if __name__ == "__main__":
    main()
