"""Scale-out: the gateway with 1, 2, 4 workers sharing PostgreSQL and Redis, beside the register with as
many workers in the same run (the soak is bench/soak.py).

    FIKSREG_DATABASE_URL=postgresql+psycopg://postgres@localhost:5432/fiksreg_bench \\
    FIKSREG_REDIS_URL=redis://localhost:6379/0 \\
      .venv/bin/python bench/gateway_scale.py --data-dir data/bench-gateway

Uses the population and bench organisation of bench/gateway_lookup.py (seed it with that first). Needs wrk.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from _harness import (
    LONG_LIVED_TOKENS,
    bench_headers,
    busy_share,
    load_average,
    machine_cpu,
    median,
    rotating_paths_script,
    served_gateway,
    served_register,
    wrk,
)
from gateway_lookup import PACKAGE, seeded_bench


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-gateway"))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=int, default=10, help="length of one wrk round")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds per worker count (medians)")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()
    settings, numbers, config = seeded_bench(data_dir, seed=1)
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
            direct, gateway, busy = [], [], []
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
                before = machine_cpu()
                gateway.append(
                    wrk(
                        gateway_base,
                        args.seconds,
                        args.connections,
                        script=gateway_script,
                        headers=gateway_headers,
                    )
                )
                busy.append(busy_share(before, machine_cpu()))
        d_rps, g_rps = median([r["rps"] for r in direct]), median([r["rps"] for r in gateway])
        g_p99 = median([r["p99"] for r in gateway])
        errors = sum(r["errors"] for r in direct + gateway)
        capacity[workers] = g_rps
        print(
            f"{workers} worker(s): register {d_rps:7.0f} req/s   gateway {g_rps:7.0f} req/s "
            f"({g_rps / d_rps:.0%})  gateway p99 {g_p99:6.1f} ms  non-2xx {errors:.0f}  "
            f"machine CPU busy while the gateway is loaded {median(busy):.0%}  load average {load_average()}"
        )


if __name__ == "__main__":
    main()
