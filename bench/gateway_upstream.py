"""Gateway over the HTTP upstream versus over the in-process upstream: same run, same machine, same persons.

    .venv/bin/python bench/gateway_upstream.py --data-dir data/bench-gateway --persons 100000

Serves the register (`register serve`) and two gateways (`serve`) from the same data directory: one with the
embedded register in its process, one with FIKSREG_UPSTREAM=http calling that register (its development
client registered with the embedded issuer on start). Measures GET personer/{id} through both in
alternating wrk rounds, then the HTTP adapter's own cost per call in this process: `HttpUpstream.person`
against a bare pooled httpx GET of the same URL with the same token (and the in-process adapter beside).
Needs wrk (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date

import httpx
import orjson
from sqlalchemy import select

from _harness import (
    LONG_LIVED_TOKENS,
    add_served_gateway_arguments,
    bench_headers,
    median,
    percentile,
    rotating_paths_script,
    served_gateway,
    served_register,
    wrk,
)
from fiks_folkeregister.app import build_register
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.identity.clients import ClientRegistry
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings
from fiks_folkeregister.upstream.delegation import on_behalf_of
from fiks_folkeregister.upstream.http import HttpUpstream
from fiks_folkeregister.upstream.inprocess import InProcessUpstream
from fiks_folkeregister.upstream.maskinporten import MaskinportenClient, PlatformCredentials
from gateway_lookup import BENCH_ORGNR, configure

PACKAGE = Rettighetspakke.OFFENTLIG_MED_HJEMMEL


def per_call_ms(call: Callable[[str], object], numbers: list[str], repeat: int) -> list[float]:
    timings = []
    for index in range(repeat):
        started = time.perf_counter()
        call(numbers[index % len(numbers)])
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def interleaved(
    calls: dict[str, Callable[[str], object]], numbers: list[str], repeat: int
) -> dict[str, list[float]]:
    """Each call in turn for the same person, so drift and noise hit them alike."""
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for index in range(repeat):
        for name, call in calls.items():
            started = time.perf_counter()
            call(numbers[index % len(numbers)])
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_served_gateway_arguments(parser)
    parser.add_argument("--calls", type=int, default=3000, help="sequential calls per adapter measurement")
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()

    settings = Settings(data_dir=data_dir)
    register = build_register(settings)
    if register.repository.count_persons() == 0:
        print(f"seeding {args.persons} persons into {data_dir} ...", flush=True)
        seed_population(register.repository, args.persons, 1, date(2026, 11, 1))
    with register.repository.engine.connect() as connection:
        numbers = list(connection.execute(select(person.c.foedsels_eller_d_nummer)).scalars())
    random.Random(1).shuffle(numbers)
    sample = numbers[:5000]
    config = configure(data_dir)
    _, gateway_headers = bench_headers(settings, config)
    script = rotating_paths_script(
        [f"/folkeregister/api/v1/{config['rolleId']}/v1/personer/{n}" for n in sample]
    )

    with served_register(data_dir, workers=args.workers) as register_base:
        http_env = {"FIKSREG_UPSTREAM": "http", "FIKSREG_UPSTREAM_URL": register_base, **LONG_LIVED_TOKENS}
        with (
            served_gateway(data_dir, workers=args.workers, extra_env=LONG_LIVED_TOKENS) as embedded_base,
            served_gateway(data_dir, workers=args.workers, extra_env=http_env) as http_base,
        ):
            for base in (embedded_base, http_base):
                warm = wrk(base, 2, args.connections, script=script, headers=gateway_headers)
                if warm["errors"]:
                    raise SystemExit(
                        f"{base} answered {warm['errors']:.0f} non-2xx responses while warming up"
                    )
            embedded, over_http = [], []
            for _ in range(args.rounds):
                embedded.append(
                    wrk(embedded_base, args.seconds, args.connections, script=script, headers=gateway_headers)
                )
                over_http.append(
                    wrk(http_base, args.seconds, args.connections, script=script, headers=gateway_headers)
                )

        adapter = adapter_overhead(settings, register_base, sample, args.calls)
        in_process = InProcessUpstream(register.service)
        adapter["in-process adapter"] = per_call_ms(
            lambda n: in_process.person(PACKAGE, n, None), sample, args.calls
        )

    def figures(runs: list[dict[str, float]]) -> tuple[float, float, float, float]:
        return (
            median([r["rps"] for r in runs]),
            median([r["p50"] for r in runs]),
            median([r["p99"] for r in runs]),
            sum(r["errors"] for r in runs),
        )

    print(
        f"register of {len(numbers)} persons; {args.workers} worker(s) per server; wrk {args.connections} "
        f"connections, {args.rounds} alternating rounds of {args.seconds} s (medians)"
    )
    e_rps, e_p50, e_p99, e_err = figures(embedded)
    h_rps, h_p50, h_p99, h_err = figures(over_http)
    for name, rps, p50, p99, errors in (
        ("gateway, in-process upstream", e_rps, e_p50, e_p99, e_err),
        ("gateway, HTTP upstream", h_rps, h_p50, h_p99, h_err),
    ):
        print(f"{name:30} {rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  non-2xx {errors:.0f}")
    print(f"HTTP upstream / in-process: throughput {h_rps / e_rps:.0%}, p99 {h_p99 - e_p99:+.2f} ms")
    print(f"per call, sequential, this process (n={args.calls}):")
    for name, timings in adapter.items():
        print(f"  {name:28} p50 {median(timings):6.3f} ms  p99 {percentile(timings, 0.99):6.3f} ms")
    overhead = median(adapter["HttpUpstream.person"]) - median(adapter["bare httpx GET"])
    print(f"HTTP adapter's own overhead per call (p50, over a bare httpx GET): {overhead * 1000:+.0f} µs")


def adapter_overhead(settings: Settings, base: str, sample: list[str], calls: int) -> dict[str, list[float]]:
    """Sequential calls: the adapter (cached token, breaker, buffered read, parse) vs a bare pooled GET."""
    clients = ClientRegistry(settings.issuer_dir)
    platform = next((c for c in clients.list() if c.name == "Bench platform"), None)
    platform = platform or clients.create(settings.upstream_platform_orgnr, "Bench platform")
    clients.delegate(platform.client_id, BENCH_ORGNR)  # the bench's municipality delegates to the platform
    tokens = MaskinportenClient(
        f"{base}/maskinporten/token",
        settings.issuer,
        platform.client_id,
        PlatformCredentials.load(platform.certificate_path, platform.key_path),
    )
    upstream = HttpUpstream(base, tokens)
    token = tokens.token(PACKAGE.scope, BENCH_ORGNR)
    prefix = f"/folkeregisteret/{PACKAGE.value}/api/v1/personer"
    timings: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as bare:

        def bare_get(number: str) -> object:
            response = bare.get(f"{prefix}/{number}")
            response.raise_for_status()
            return orjson.loads(response.content)

        def adapter_get(number: str) -> object:
            with on_behalf_of(BENCH_ORGNR):
                return upstream.person(PACKAGE, number, None)

        for _ in range(2):  # keep the second round (warm pools and caches)
            timings = interleaved(
                {"bare httpx GET": bare_get, "HttpUpstream.person": adapter_get}, sample, calls
            )
    upstream.close()
    tokens.close()
    return timings


if __name__ == "__main__":
    main()
