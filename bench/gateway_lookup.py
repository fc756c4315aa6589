"""Gateway versus straight to the embedded register's HTTP API: same run, same machine, same persons.

    .venv/bin/python bench/gateway_lookup.py --data-dir data/bench-gateway --persons 100000

Seeds the register in --data-dir if it is empty and configures a bench organisation, role (person-basis),
integration and grant through the admin command line once. Serves the register (`register serve`) and the
gateway (`serve`) side by side from the same data directory and measures them in alternating rounds.
The gateway's database is FIKSREG_DATABASE_URL if set (e.g. PostgreSQL), else SQLite in --data-dir.
Needs wrk (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select

from _harness import (
    BENCH_ORGNR,
    CLI,
    LONG_LIVED_TOKENS,
    add_served_gateway_arguments,
    bench_headers,
    load_average,
    median,
    percentile,
    process_tree_cpu_seconds,
    rotating_paths_script,
    served_gateway,
    served_register,
    serving_pid,
    wrk,
)
from fiks_folkeregister.app import build_register
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings
from fiks_folkeregister.storage.database import create_gateway_engine
from fiks_folkeregister.storage.tables import oppslagslogg

PACKAGE = "offentlig-med-hjemmel"
CONFIG_FILE = "gateway-bench.json"


def _admin_output(data_dir: Path, *args: str) -> str:
    env = {**os.environ, "FIKSREG_DATA_DIR": str(data_dir)}
    return subprocess.run([CLI, "admin", *args], env=env, check=True, capture_output=True, text=True).stdout


def admin(data_dir: Path, *args: str) -> dict[str, str]:
    output = _admin_output(data_dir, *args)
    return json.loads(output) if output.strip().startswith("{") else {}


def configure(
    data_dir: Path,
    *,
    config_file: str = CONFIG_FILE,
    bruksomraade: str = "sok-etter-person",
    kommune: str = "0301",
) -> dict[str, str]:
    """The bench's organisation, a person-basis role with ``bruksomraade``, an integration and its grant,
    made once through the admin CLI and remembered in ``config_file`` in the data dir."""
    remembered = data_dir / config_file
    if remembered.exists():
        return json.loads(remembered.read_text())
    organisations = json.loads(_admin_output(data_dir, "org", "list", "--json"))
    if BENCH_ORGNR not in {organisation["orgnr"] for organisation in organisations}:
        admin(
            data_dir, "org", "create", "--orgnr", BENCH_ORGNR, "--navn", "Bench", "--kommunenummer", kommune
        )
    role = admin(
        data_dir,
        "role",
        "create",
        "--orgnr",
        BENCH_ORGNR,
        "--navn",
        f"Bench {bruksomraade}",
        "--rettighetspakke",
        PACKAGE,
        "--bruksomraade",
        bruksomraade,
        "--part",
        "person-basis",
    )
    integration = admin(data_dir, "integration", "create", "--orgnr", BENCH_ORGNR, "--navn", "Bench")
    admin(data_dir, "grant", "--integrasjon", integration["integrasjonId"], "--rolle", role["rolleId"])
    config = {"rolleId": role["rolleId"], **integration}
    remembered.write_text(json.dumps(config))
    return config


def config_file_for(settings: Settings) -> str:
    """Where the bench's configuration is remembered: one per gateway database (SQLite in the data dir, or
    the FIKSREG_DATABASE_URL in use), so a run on PostgreSQL never uses an integration made elsewhere."""
    if settings.database_url is None:
        return CONFIG_FILE
    return f"gateway-bench-{hashlib.sha256(settings.database_url.encode()).hexdigest()[:12]}.json"


def seeded_bench(data_dir: Path, seed: int) -> tuple[Settings, list[str], dict[str, str]]:
    """For the benches that reuse this one's population (gateway_scale, soak): the settings, up to 20 000 of
    its identity numbers shuffled by ``seed``, and the bench configuration; refused without wrk or without
    a population."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (Debian)")
    settings = Settings(data_dir=data_dir)
    register = build_register(settings)
    if register.repository.count_persons() == 0:
        raise SystemExit(f"no population in {data_dir}: run bench/gateway_lookup.py first")
    with register.repository.engine.connect() as connection:
        numbers = list(connection.execute(select(person.c.foedsels_eller_d_nummer).limit(20000)).scalars())
    random.Random(seed).shuffle(numbers)
    return settings, numbers, configure(data_dir, config_file=config_file_for(settings))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_served_gateway_arguments(parser)
    parser.add_argument("--bulk-requests", type=int, default=20)
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
    config = configure(data_dir, config_file=config_file_for(settings))

    direct_headers, gateway_headers = bench_headers(settings, config)
    direct_prefix = f"/folkeregisteret/{PACKAGE}/api/v1/personer"
    gateway_prefix = f"/folkeregister/api/v1/{config['rolleId']}/v1/personer"
    sample = numbers[:5000]
    direct_script = rotating_paths_script([f"{direct_prefix}/{n}" for n in sample])
    gateway_script = rotating_paths_script([f"{gateway_prefix}/{n}" for n in sample])
    audit_engine = create_gateway_engine(settings.gateway_database)
    audit_before = _audit_rows(audit_engine)
    started_load = load_average()

    with (
        served_register(data_dir, workers=args.workers) as direct_base,
        served_gateway(data_dir, workers=args.workers, extra_env=LONG_LIVED_TOKENS) as gateway_base,
    ):
        for base, script, headers in (
            (direct_base, direct_script, direct_headers),
            (gateway_base, gateway_script, gateway_headers),
        ):
            warm = wrk(base, 2, args.connections, script=script, headers=headers)
            if warm["errors"]:
                raise SystemExit(f"{base} answered {warm['errors']:.0f} non-2xx responses while warming up")
        direct, gateway = [], []
        for _ in range(args.rounds):
            direct.append(_measured(direct_base, args, direct_script, direct_headers))
            gateway.append(_measured(gateway_base, args, gateway_script, gateway_headers))
        bulk = {"direct": [], "gateway": []}
        with (
            httpx.Client(base_url=direct_base, headers=direct_headers, timeout=60) as direct_client,
            httpx.Client(base_url=gateway_base, headers=gateway_headers, timeout=60) as gateway_client,
        ):
            for round_number in range(args.bulk_requests):
                ids = numbers[round_number * 1000 % max(1, len(numbers) - 1000) :][:1000]
                for name, client, prefix in (
                    ("direct", direct_client, direct_prefix),
                    ("gateway", gateway_client, gateway_prefix),
                ):
                    started = time.perf_counter()
                    response = client.post(f"{prefix}/bulkoppslag", json={"foedselsEllerDNummer": ids})
                    bulk[name].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
                    assert len(response.json()["oppslag"]) == len(ids)
    audited = _audit_rows(audit_engine) - audit_before

    def figures(runs: list[dict[str, float]]) -> tuple[float, float, float, float]:
        return (
            median([r["rps"] for r in runs]),
            median([r["p50"] for r in runs]),
            median([r["p99"] for r in runs]),
            sum(r["errors"] for r in runs),
        )

    print(
        f"register of {len(numbers)} persons; gateway database {_backend(settings)}; "
        f"{args.workers} worker(s) each; wrk {args.connections} connections, "
        f"{args.rounds} alternating rounds of {args.seconds} s (medians); "
        f"load average {started_load} at the start, {load_average()} at the end"
    )
    d_rps, d_p50, d_p99, d_err = figures(direct)
    g_rps, g_p50, g_p99, g_err = figures(gateway)
    print(
        f"{'direct  GET personer/{id}':32} {d_rps:8.0f} req/s  p50 {d_p50:6.2f} ms  p99 {d_p99:6.2f} ms  "
        f"non-2xx {d_err:.0f}"
    )
    print(
        f"{'gateway GET personer/{id}':32} {g_rps:8.0f} req/s  p50 {g_p50:6.2f} ms  p99 {g_p99:6.2f} ms  "
        f"non-2xx {g_err:.0f}"
    )
    print(f"gateway throughput / direct: {g_rps / d_rps:.0%} (target ≥ 70%)")
    d_cpu, g_cpu = median([r["cpu_us"] for r in direct]), median([r["cpu_us"] for r in gateway])
    print(
        f"CPU per lookup (the served process, every thread): direct {d_cpu:.0f} µs, gateway {g_cpu:.0f} µs "
        f"({g_cpu / d_cpu:.2f}x; ≥ 70% of the throughput asks for ≤ {d_cpu / 0.7:.0f} µs, one process's "
        "interpreter being what runs out)"
    )
    print(f"gateway overhead: p50 {g_p50 - d_p50:+.2f} ms, p99 {g_p99 - d_p99:+.2f} ms (target p99 ≤ 5 ms)")
    bulk_ratio = median(bulk["gateway"]) / median(bulk["direct"])
    for name in ("direct", "gateway"):
        print(
            f"{name:7} POST personer/bulkoppslag x1000: p50 {median(bulk[name]):6.0f} ms  "
            f"p99 {percentile(bulk[name], 0.99):6.0f} ms  (n={len(bulk[name])})"
        )
    print(f"bulkoppslag x1000, gateway / direct p50: {bulk_ratio:.2f}x (target ≤ 1.3x; PostgreSQL ≤ 1.5x)")
    print(f"audit records written during the run: {audited}")


def _measured(base: str, args: argparse.Namespace, script: str, headers: dict[str, str]) -> dict[str, float]:
    """One wrk round against a served process, with the CPU time that process (and its workers) spent per
    answered request (`cpu_us`): a steadier figure than throughput on a shared machine."""
    pid = serving_pid(base)
    before = process_tree_cpu_seconds(pid)
    run = wrk(base, args.seconds, args.connections, script=script, headers=headers)
    answered = run["rps"] * args.seconds
    run["cpu_us"] = (process_tree_cpu_seconds(pid) - before) / max(1.0, answered) * 1e6
    return run


def _audit_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(oppslagslogg)).scalar_one())


def _backend(settings: Settings) -> str:
    return settings.gateway_database.split(":", 1)[0]


if __name__ == "__main__":
    main()
