"""Events and extracts of the embedded register: feed pages, simulator throughput, a municipality's extract.

    .venv/bin/python bench/register_events.py --data-dir data/bench-events --persons 200000 --events 50000

Seeds --data-dir if it is empty, then in one run: the simulator's events per second (baseline: seeding's
persons per second, the same kind of write), feed pages of 1000 over HTTP (baseline: /health of the same
app), and an extract of every resident of the largest municipality end to end — order, worker, batches,
bulk fetches of every person (baseline: reading the same documents straight from the database).
With --persons 800000 Oslo has about 100 000 residents (the issue's target size).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from _harness import median, percentile
from fiks_folkeregister.app import build_register_app, build_token_issuer
from fiks_folkeregister.register.extracts import ExtractWorker
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.register.simulator import Simulator
from fiks_folkeregister.settings import Settings

PACKAGE = "offentlig-med-hjemmel"
SCOPE = "folkeregister:deling/offentligmedhjemmel"
DAY = date(2026, 11, 1)


def timed(call: object) -> float:
    started = time.perf_counter()
    call()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-events"))
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--kommune", default="0301")
    args = parser.parse_args()

    settings = Settings(data_dir=args.data_dir, extract_worker=False)
    app = build_register_app(settings)
    register = app.state.register
    repository, service = register.repository, register.service
    if repository.count_persons() == 0:
        print(f"seeding {args.persons} persons ...", flush=True)
        seeded = args.persons
        seconds = timed(lambda: seed_population(repository, args.persons, 1, DAY))
    else:
        seeded = min(20_000, args.persons)
        scratch = Settings(data_dir=args.data_dir / "baseline", extract_worker=False)
        scratch_register = build_register_app(scratch).state.register
        scratch_register.repository.delete_population()
        seconds = timed(lambda: seed_population(scratch_register.repository, seeded, 2, DAY))
    print(f"baseline  seeding: {seeded / seconds:,.0f} persons/s", flush=True)

    log = service.hendelser.log
    simulator = Simulator(1, DAY)
    seconds = timed(lambda: log.simulate(simulator, args.events, batch_events=1000))
    rate = args.events / seconds
    print(
        f"simulator: {rate:,.0f} events/s ({args.events} events in {seconds:.1f} s); "
        f"1 000 000 events would take {1_000_000 / rate / 60:.1f} min (target <= 10)",
        flush=True,
    )

    token = build_token_issuer(settings).issue("910000009", [SCOPE], client_id="bench")
    headers = {"Authorization": f"Bearer {token}"}
    latest = log.latest()
    with TestClient(app) as client:
        base = f"/folkeregisteret/{PACKAGE}/api/v1"
        health, pages = [], []
        for _ in range(args.pages):
            health.append(timed(lambda: client.get("/health")))
            seq = random.randint(1, max(1, latest - 1000))
            pages.append(
                timed(
                    lambda seq=seq: client.get(f"{base}/hendelser/feed", params={"seq": seq}, headers=headers)
                )
            )
        print(
            f"feed page of 1000: p50 {median(pages) * 1000:.1f} ms, p95 {percentile(pages, 0.95) * 1000:.1f} ms "
            f"(target <= 50); baseline /health p50 {median(health) * 1000:.2f} ms",
            flush=True,
        )

        body = {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": args.kommune}}
        worker = ExtractWorker(service.uttrekk)
        fetched: list[str] = []

        def extract() -> None:
            jobbid = client.post(f"{base}/uttrekk/tilpasset", json=body, headers=headers).json()["jobbId"]
            worker.work_pending()
            number = 0
            while True:
                batch = client.get(f"{base}/uttrekk/{jobbid}/batch/{number}", headers=headers).json()
                if not batch:
                    return
                ids = batch["foedselsEllerDNummer"]
                answer = client.post(
                    f"{base}/personer/bulkoppslag", json={"foedselsEllerDNummer": ids}, headers=headers
                )
                fetched.extend(entry["foedselsEllerDNummer"] for entry in answer.json()["oppslag"])
                number += 1

        seconds = timed(extract)
        baseline = timed(
            lambda: [
                repository.current_documents(fetched[i : i + 1000]) for i in range(0, len(fetched), 1000)
            ]
        )
        print(
            f"extract of {len(fetched):,} residents of {args.kommune} incl. bulk fetches: {seconds:.1f} s "
            f"({len(fetched) / seconds:,.0f} persons/s; 100 000 would take {100_000 * seconds / max(1, len(fetched)):.1f} s,"
            f" target <= 30); baseline: reading the same documents from the database {baseline:.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
