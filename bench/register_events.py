"""Events and extracts of the embedded register: feed pages, simulator throughput, a municipality's extract.

    .venv/bin/python bench/register_events.py --data-dir data/bench-events --persons 200000 --events 50000

Seeds --data-dir if it is empty, then in one run: the simulator's events per second (baseline: seeding's
persons per second, the same kind of write), feed pages of 1000 over HTTP (baseline: /health of the same
app), and an extract of every resident of the largest municipality end to end — order, worker, batches,
bulk fetches of every person (baseline: reading the same documents straight from the database), all
through the register's own API in this process (TestClient), not the gateway. With --gateway the same
extract runs once more through the gateway in this process (a role with the usage area uttrekk, made once
through the admin command line; baseline: the register's own API). The CPU time printed beside each
extract tells how much of its wall time was work rather than waiting for cores other programs held.
With --persons 800000 Oslo has about 100 000 residents (the issue's target size); --events 1000000 runs
the whole day the simulator's target is about, printing the rate of every 100 000 events as it goes
(about 20 minutes in all on a quiet 2-core machine, seeding 800 000 persons included).
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from fastapi.testclient import TestClient

from _harness import median, percentile
from fiks_folkeregister.app import build_gateway_app, build_register_app, build_token_issuer
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.register.simulator import Simulator
from fiks_folkeregister.register.uttrekk.worker import ExtractWorker
from fiks_folkeregister.settings import Settings
from gateway_lookup import BENCH_ORGNR, configure

PACKAGE = "offentlig-med-hjemmel"
SCOPE = "folkeregister:deling/offentligmedhjemmel"
DAY = date(2026, 11, 1)


def timed(call: object) -> float:
    started = time.perf_counter()
    call()  # type: ignore[operator]
    return time.perf_counter() - started


def simulate_in_stretches(log: Any, simulator: Simulator, events: int, stretch: int = 100_000) -> None:
    """Run the simulator, printing the rate of each stretch: it slows as documents and the database grow."""
    written = 0
    while written < events:
        started = time.perf_counter()
        count = log.simulate(simulator, min(stretch, events - written))
        written += count
        if events > stretch:
            print(f"  {written:>9} events: {count / (time.perf_counter() - started):,.0f}/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-events"))
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--kommune", default="0301")
    parser.add_argument(
        "--gateway", action="store_true", help="Also run the extract through the gateway (in process)."
    )
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
    seconds = timed(lambda: simulate_in_stretches(log, simulator, args.events))
    rate = args.events / seconds
    print(
        f"simulator: {rate:,.0f} events/s ({args.events} events in {seconds:.1f} s); "
        f"1 000 000 events {'took' if args.events == 1_000_000 else 'would take'} "
        f"{1_000_000 / rate / 60:.1f} min (target <= 10)",
        flush=True,
    )

    token = build_token_issuer(settings).issue("910000004", [SCOPE], client_id="bench")
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
        # Client and register share this process and its heap here, so the client's parse of 1000 documents
        # made the garbage collector walk the register's long-lived objects again and again (a third of the
        # extract's CPU); a real client has its own process. Freezing what exists now removes that artefact.
        gc.freeze()
        run = extract(client, base, headers, body, worker)
        baseline = timed(
            lambda: [
                repository.current_documents(run.fetched[i : i + 1000])
                for i in range(0, len(run.fetched), 1000)
            ]
        )
        print(
            f"extract {run.describe(args.kommune)}; baseline: reading the same documents from the database "
            f"{baseline:.1f} s",
            flush=True,
        )

    if args.gateway:
        # One token for the whole run: the bench's gateway accepts an hour's lifetime (production: 120 s).
        gateway_settings = Settings(
            data_dir=args.data_dir, extract_worker=False, gateway_token_max_lifetime_seconds=3600
        )
        config = configure(
            args.data_dir.resolve(),
            config_file="gateway-extract-bench.json",
            bruksomraade="uttrekk",
            kommune=args.kommune,
        )
        gateway_app = build_gateway_app(gateway_settings)
        gateway_headers = {
            "Authorization": "Bearer "
            + build_token_issuer(gateway_settings).issue(
                BENCH_ORGNR,
                ["ks:fiks"],
                "bench",
                lifetime_seconds=3600,
                audience=gateway_settings.gateway_token_audience,
            ),
            "IntegrasjonId": config["integrasjonId"],
            "IntegrasjonPassord": config["integrasjonPassord"],
        }
        gateway_worker = ExtractWorker(gateway_app.state.gateway.register.service.uttrekk)
        with TestClient(gateway_app) as client:
            gc.freeze()
            through = extract(
                client, f"/folkeregister/api/v1/{config['rolleId']}/v1", gateway_headers, body, gateway_worker
            )
        print(
            f"extract through the gateway (role person-basis, audit-logged) {through.describe(args.kommune)}; "
            f"baseline: the register's own API above {run.seconds:.1f} s",
            flush=True,
        )


@dataclass
class ExtractRun:
    fetched: list[str]
    seconds: float
    job_seconds: float
    cpu_seconds: float

    def describe(self, kommune: str) -> str:
        count = len(self.fetched)
        return (
            f"of {count:,} residents of {kommune} incl. bulk fetches: {self.seconds:.1f} s (the job "
            f"{self.job_seconds:.1f} s, batches and bulk fetches {self.seconds - self.job_seconds:.1f} s; "
            f"{count / self.seconds:,.0f} persons/s; 100 000 would take "
            f"{100_000 * self.seconds / max(1, count):.1f} s, target <= 30; the process used "
            f"{self.cpu_seconds:.1f} s of CPU: wall time above that is waiting for cores other work holds)"
        )


def extract(
    client: TestClient, base: str, headers: dict[str, str], body: dict[str, Any], worker: ExtractWorker
) -> ExtractRun:
    """Order the extract, work it, read every batch and bulk-fetch each batch's persons."""
    fetched: list[str] = []
    cpu_started = time.process_time()
    started = time.perf_counter()
    ordered = client.post(f"{base}/uttrekk/tilpasset", json=body, headers=headers)
    assert ordered.status_code == 200, ordered.text
    job_seconds = timed(worker.work_pending)
    number = 0
    while True:
        batch = client.get(f"{base}/uttrekk/{ordered.json()['jobbId']}/batch/{number}", headers=headers)
        assert batch.status_code == 200, batch.text
        if not batch.json():
            break
        ids = batch.json()["foedselsEllerDNummer"]
        answer = client.post(
            f"{base}/personer/bulkoppslag", json={"foedselsEllerDNummer": ids}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        # The client parses the answer as a Python consumer would (orjson, as the register does).
        fetched.extend(entry["foedselsEllerDNummer"] for entry in orjson.loads(answer.content)["oppslag"])
        number += 1
    return ExtractRun(fetched, time.perf_counter() - started, job_seconds, time.process_time() - cpu_started)


if __name__ == "__main__":
    main()
