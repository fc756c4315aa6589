"""Soak: the served gateway at a steady share of its own capacity, measured first in the same run.

    .venv/bin/python bench/soak.py --data-dir data/bench-gateway [--duration 600] [--load 0.8]

With FIKSREG_DATABASE_URL (and FIKSREG_REDIS_URL) set the gateway uses them, as in production. Uses the
population and bench organisation of bench/gateway_lookup.py (run that first). One gateway is served for
the whole run: warmed up, then loaded flat out (`--capacity-seconds`) to measure its capacity, then held at
`--load` of that rate for `--duration` seconds (each wrk connection paced by a Lua `delay`). Prints the
rate reached, latency, every non-2xx answer and socket error, and the resident memory of the gateway's
processes after the capacity run (the baseline) and every minute of the soak: all of it, and its
anonymous part (the heap, what a leak grows; the rest is mostly file pages: code and libraries). Needs
wrk.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

from _harness import (
    LONG_LIVED_TOKENS,
    bench_headers,
    load_average,
    process_tree_rss_kib,
    rotating_paths_script,
    served_gateway,
    serving_pid,
    wrk,
)
from gateway_lookup import seeded_bench


def paced_wrk_command(
    base: str, seconds: int, connections: int, delay_ms: float, script: str, headers: dict[str, str]
) -> tuple[list[str], str]:
    """wrk with each connection waiting `delay_ms` after each answer before its next request; and the Lua
    file to delete afterwards."""
    paced = script + f"delay = function()\n  return {max(1, round(delay_ms))}\nend\n"
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(paced)
    return [*command, "-s", lua.name, base], lua.name


def paced_rate(
    base: str, seconds: int, connections: int, delay_ms: float, script: str, headers: dict[str, str]
) -> float:
    """The rate reached by a short paced run."""
    command, lua = paced_wrk_command(base, seconds, connections, delay_ms, script, headers)
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(lua)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def calibrated_delay(
    base: str, connections: int, rate: float, script: str, headers: dict[str, str], rounds: int = 3
) -> float:
    """The per-connection delay that makes the connections together ask about `rate` a second: wrk waits
    the delay after each answer, so each connection's period is the delay plus the latency, which is
    measured by short paced runs and taken off."""
    target_period_ms = 1000 * connections / rate
    delay = target_period_ms
    for _ in range(rounds):
        reached = paced_rate(base, 8, connections, delay, script, headers)
        latency = 1000 * connections / reached - delay
        delay = max(1.0, target_period_ms - latency)
    return delay


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-gateway"))
    parser.add_argument("--duration", type=int, default=600, help="seconds of soak (default 10 minutes)")
    parser.add_argument("--load", type=float, default=0.8, help="share of the measured capacity")
    parser.add_argument("--capacity-seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()
    settings, numbers, config = seeded_bench(data_dir, seed=2)
    _, headers = bench_headers(settings, config)
    script = rotating_paths_script(
        [f"/folkeregister/api/v1/{config['rolleId']}/v1/personer/{n}" for n in numbers[:5000]]
    )
    print(
        f"gateway database {settings.gateway_database.split(':', 1)[0]}; "
        f"redis {'yes' if settings.redis_url else 'no'}; {args.workers} worker(s); "
        f"wrk {args.connections} connections; load average {load_average()}",
        flush=True,
    )
    with served_gateway(data_dir, workers=args.workers, extra_env=LONG_LIVED_TOKENS) as base:
        wrk(base, 5, args.connections, script=script, headers=headers)
        capacity = wrk(base, args.capacity_seconds, args.connections, script=script, headers=headers)
        rate = args.load * capacity["rps"]
        pid = serving_pid(base)
        baseline, baseline_anon = process_tree_rss_kib(pid), process_tree_rss_kib(pid, "RssAnon")
        print(
            f"capacity (flat out, {args.capacity_seconds} s): {capacity['rps']:.0f} req/s, "
            f"p99 {capacity['p99']:.1f} ms, non-2xx {capacity['errors']:.0f}; gateway RSS "
            f"{baseline / 1024:.1f} MiB, anonymous {baseline_anon / 1024:.1f} MiB (baselines); "
            f"load average {load_average()}",
            flush=True,
        )
        delay = calibrated_delay(base, args.connections, rate, script, headers)
        command, lua = paced_wrk_command(base, args.duration, args.connections, delay, script, headers)
        samples = []
        started = time.monotonic()
        try:
            soak = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            every = min(60.0, max(1.0, args.duration / 10))
            next_sample = time.monotonic() + every
            while soak.poll() is None:
                time.sleep(0.5)
                if time.monotonic() < next_sample:
                    continue
                next_sample += every
                rss, anon = process_tree_rss_kib(pid), process_tree_rss_kib(pid, "RssAnon")
                samples.append(anon)
                print(
                    f"  {time.monotonic() - started:5.0f} s: RSS {rss / 1024:.1f} MiB, anonymous "
                    f"{anon / 1024:.1f} MiB ({(anon - baseline_anon) / baseline_anon:+.1%}); "
                    f"load average {load_average()}",
                    flush=True,
                )
            output, error = soak.communicate()
        finally:
            os.unlink(lua)
        end, end_anon = process_tree_rss_kib(pid), process_tree_rss_kib(pid, "RssAnon")
    if soak.returncode != 0:
        raise SystemExit(f"wrk failed: {error}")
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    reached = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:(.*)", output)
    p50 = re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1)
    growth = (end_anon - baseline_anon) / baseline_anon
    print(
        f"soak {args.duration} s at {args.load:.0%} of {capacity['rps']:.0f} req/s: asked {rate:.0f}/s "
        f"(per-connection delay {delay:.1f} ms), reached {reached:.0f}/s ({requests} requests), "
        f"p50 {p50}, p99 {p99}"
    )
    print(
        f"errors: non-2xx {non2xx.group(1) if non2xx else 0}, socket errors "
        f"{socket_errors.group(1).strip() if socket_errors else 'none'} (target: 0)"
    )
    print(
        f"gateway anonymous memory: {baseline_anon / 1024:.1f} MiB after the capacity run, "
        f"{end_anon / 1024:.1f} MiB at the end ({growth:+.1%}; max {max(samples, default=end_anon) / 1024:.1f} "
        f"MiB; target < +10%); all resident memory {baseline / 1024:.1f} -> {end / 1024:.1f} MiB "
        f"({(end - baseline) / baseline:+.1%}; the rest beside the heap is mostly file pages: code and libraries)"
    )


if __name__ == "__main__":
    main()
