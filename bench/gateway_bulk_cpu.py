"""The gateway's own CPU for `POST personer/bulkoppslag` with 1000 persons, in process, without the audit write.

    PYTHONPATH=src .venv/bin/python bench/gateway_bulk_cpu.py --data-dir COPY-OF-A-BENCH-DATA-DIR

Needs a data directory seeded and configured by bench/gateway_lookup.py (use a copy: the gateway writes to
its database as it authenticates). Per round, for the same sets of 1000 identity numbers, measures the CPU
time (`time.process_time`) of the gateway's pipeline up to the audit record (`MirroredApi._decide`: access,
policy, the embedded register's documents, the filter to the role, the persons shown, the answer's bytes)
and of the register's own `bulkoppslag_json` (what its HTTP API answers) for the same numbers; prints the
medians over the rounds in ms per request and their ratio, and a digest of the answers (the same
before and after a change that must not change them). `--profile` prints a cProfile of the gateway's
pipeline instead.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from sqlalchemy import select

from fiks_folkeregister.app import build_gateway, build_token_issuer
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.gateway.access import Credentials
from fiks_folkeregister.gateway.resources import RESOURCES
from fiks_folkeregister.gateway.router import PREFIX, Incoming, resolve
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings

BENCH_ORGNR = "910000004"
PACKAGE = Rettighetspakke.OFFENTLIG_MED_HJEMMEL


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=5, help="requests (sets of 1000 persons) per round")
    parser.add_argument("--part", action="append", help="part parameters (default: none, person-basis)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    settings = Settings(data_dir=args.data_dir)
    config = json.loads((args.data_dir / "gateway-bench.json").read_text())
    gateway = build_gateway(settings)
    assert gateway.register is not None, "the bench needs the embedded register"
    with gateway.register.repository.engine.connect() as connection:
        numbers = list(connection.execute(select(person.c.foedsels_eller_d_nummer).limit(20000)).scalars())
    random.Random(16).shuffle(numbers)
    batches = [numbers[i * 1000 : (i + 1) * 1000] for i in range(args.requests)]

    token = build_token_issuer(settings).issue(
        BENCH_ORGNR,
        ["ks:fiks"],
        "bench",
        lifetime_seconds=settings.gateway_token_max_lifetime_seconds,
        audience=settings.gateway_token_audience,
    )
    credentials = Credentials(
        f"Bearer {token}", config["integrasjonId"], config["integrasjonPassord"], "127.0.0.1"
    )
    url_path = f"{PREFIX}/{config['rolleId']}/v1/personer/bulkoppslag"
    target = resolve(RESOURCES, "POST", url_path)
    query = {"part": args.part} if args.part else {}

    def gateway_request(batch: list[str]) -> bytes:
        incoming = Incoming(
            method="POST",
            url_path=url_path,
            rolle_id=target.rolle_id,
            path=target.path,
            query=query,
            credentials=credentials,
            content_type="application/json",
            body=orjson.dumps({"foedselsEllerDNummer": batch}),
            url=f"http://bench{url_path}",
        )
        decided = gateway.api._decide(target.resource, incoming, target.ressurs)
        assert decided.outcome.status == 200, decided.outcome.payload[:300]
        assert len(decided.record.personer) >= len(batch), "every person shown is audited"
        return decided.outcome.payload

    service = gateway.register.service

    def register_request(batch: list[str]) -> bytes:
        return service.bulkoppslag_json({"foedselsEllerDNummer": batch}, PACKAGE, args.part, False)

    answers = hashlib.sha256()  # the same digest before and after a change: the same bytes answered
    for batch in batches:  # warm the caches (the register's pages, the password check) before measuring
        answers.update(gateway_request(batch))
        answers.update(register_request(batch))

    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for batch in batches:
            gateway_request(batch)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(80)
        return

    def per_request(call: Callable[[list[str]], bytes]) -> float:
        started = time.process_time()
        for batch in batches:
            call(batch)
        return (time.process_time() - started) * 1000 / len(batches)

    gateway_ms, register_ms = [], []
    for _ in range(args.rounds):
        gateway_ms.append(per_request(gateway_request))
        register_ms.append(per_request(register_request))
    g, r = statistics.median(gateway_ms), statistics.median(register_ms)
    print(
        f"CPU ms per 1000-person bulkoppslag, median of {args.rounds} rounds x {args.requests} requests: "
        f"gateway (no audit write) {g:.1f}, register bulkoppslag_json {r:.1f}, ratio {g / r:.2f}, "
        f"gateway own {g - r:.1f}; answers sha256 {answers.hexdigest()[:16]}"
    )


if __name__ == "__main__":
    main()
