"""Scale-out and soak: the gateway with 1, 2, 4 workers sharing PostgreSQL and Redis, beside the register
with as many workers in the same run; then a soak at 80 % of the measured one-worker capacity.

    FIKSREG_DATABASE_URL=postgresql+psycopg://postgres@localhost:5432/fiksreg_bench \\
    FIKSREG_REDIS_URL=redis://localhost:6379/0 \\
      .venv/bin/python bench/gateway_scale.py --data-dir data/bench-gateway --soak-seconds 180

Uses the population and bench organisation of bench/gateway_lookup.py (seed it with that first). The soak
paces each wrk connection (a Lua `delay`), reports the rate reached, every non-2xx answer and socket error,
and the gateway processes' resident memory after warming up and at the end. Needs wrk.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from _harness import (
    LONG_LIVED_TOKENS,
    bench_headers,
    median,
    rotating_paths_script,
    served_gateway,
    served_register,
    wrk,
)
from fiks_folkeregister.app import build_register
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings
from gateway_lookup import PACKAGE, config_file_for, configure


def process_tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants (uvicorn's workers), in KiB (Linux /proc)."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            pending += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except (OSError, AttributeError):
            continue
    return total


def serving_pid(base: str) -> int:
    port = base.rsplit(":", 1)[1]
    found = subprocess.run(["pgrep", "-f", "--", f"serve --port {port}"], capture_output=True, text=True)
    return min(int(pid) for pid in found.stdout.split())


def paced_wrk(
    base: str, seconds: int, connections: int, rate: float, script: str, headers: dict[str, str]
) -> str:
    """wrk with each connection waiting between requests so that all together ask about `rate` per second
    (less when answers are slow: the figure printed is the rate reached)."""
    delay_ms = max(1, round(1000 * connections / rate))
    paced = script + f"delay = function()\n  return {delay_ms}\nend\n"
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(paced)
    try:
        return subprocess.run(
            [*command, "-s", lua.name, base], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(lua.name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-gateway"))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=int, default=10, help="length of one wrk round")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds per worker count (medians)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--soak-seconds", type=int, default=180, help="0: no soak")
    parser.add_argument("--soak-load", type=float, default=0.8, help="fraction of one worker's capacity")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (Debian)")
    data_dir = args.data_dir.resolve()
    settings = Settings(data_dir=data_dir)
    register = build_register(settings)
    if register.repository.count_persons() == 0:
        raise SystemExit(f"no population in {data_dir}: run bench/gateway_lookup.py first")
    with register.repository.engine.connect() as connection:
        numbers = list(connection.execute(select(person.c.foedsels_eller_d_nummer).limit(20000)).scalars())
    random.Random(1).shuffle(numbers)
    config = configure(data_dir, config_file=config_file_for(settings))
    direct_headers, gateway_headers = bench_headers(settings, config)
    direct_script = rotating_paths_script(
        [f"/folkeregisteret/{PACKAGE}/api/v1/personer/{n}" for n in numbers[:5000]]
    )
    gateway_script = rotating_paths_script(
        [f"/folkeregister/api/v1/{config['rolleId']}/v1/personer/{n}" for n in numbers[:5000]]
    )
    print(
        f"gateway database {settings.gateway_database.split(':', 1)[0]}; "
        f"redis {'yes' if settings.redis_url else 'no (each process counts alone)'}; "
        f"wrk {args.connections} connections, {args.rounds} round(s) of {args.seconds} s; "
        f"{os.cpu_count()} CPUs (shared)"
    )
    capacity = {}
    for workers in args.workers:
        with (
            served_register(data_dir, workers=workers) as direct_base,
            served_gateway(data_dir, workers=workers, extra_env=LONG_LIVED_TOKENS) as gateway_base,
        ):
            wrk(direct_base, 2, args.connections, script=direct_script, headers=direct_headers)
            wrk(gateway_base, 2, args.connections, script=gateway_script, headers=gateway_headers)
            direct, gateway = [], []
            for _ in range(args.rounds):
                direct.append(
                    wrk(
                        direct_base,
                        args.seconds,
                        args.connections,
                        script=direct_script,
                        headers=direct_headers,
                    )
                )
                gateway.append(
                    wrk(
                        gateway_base,
                        args.seconds,
                        args.connections,
                        script=gateway_script,
                        headers=gateway_headers,
                    )
                )
        d_rps, g_rps = median([r["rps"] for r in direct]), median([r["rps"] for r in gateway])
        g_p99 = median([r["p99"] for r in gateway])
        errors = sum(r["errors"] for r in direct + gateway)
        capacity[workers] = g_rps
        print(
            f"{workers} worker(s): register {d_rps:7.0f} req/s   gateway {g_rps:7.0f} req/s "
            f"({g_rps / d_rps:.0%})  gateway p99 {g_p99:6.1f} ms  non-2xx {errors:.0f}"
        )
    if args.soak_seconds <= 0:
        return
    one = capacity.get(1) or next(iter(capacity.values()))
    rate = args.soak_load * one
    with served_gateway(data_dir, workers=1, extra_env=LONG_LIVED_TOKENS) as base:
        wrk(base, 5, args.connections, script=gateway_script, headers=gateway_headers)
        pid = serving_pid(base)
        before = process_tree_rss_kib(pid)
        started = time.monotonic()
        output = paced_wrk(base, args.soak_seconds, args.connections, rate, gateway_script, gateway_headers)
        elapsed = time.monotonic() - started
        after = process_tree_rss_kib(pid)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:(.*)", output)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1)
    print(
        f"soak {elapsed:.0f} s at {args.soak_load:.0%} of {one:.0f} req/s (asked {rate:.0f}/s, reached "
        f"{requests / elapsed:.0f}/s, {requests} requests, p99 {p99}): non-2xx "
        f"{non2xx.group(1) if non2xx else 0}, socket errors {socket_errors.group(1).strip() if socket_errors else 'none'}; "
        f"gateway RSS {before / 1024:.0f} MiB after warm-up, {after / 1024:.0f} MiB at the end "
        f"({(after - before) / before:+.1%})"
    )


if __name__ == "__main__":
    main()
