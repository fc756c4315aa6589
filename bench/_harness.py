"""Shared bench plumbing: a served register in a subprocess, wrk runs, and percentile maths."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

CLI = str(Path(sys.executable).with_name("fiks-folkeregister"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: One gateway token for a whole bench run: its gateway accepts an hour's lifetime (production: 120 s).
LONG_LIVED_TOKENS = {"FIKSREG_GATEWAY_TOKEN_MAX_LIFETIME_SECONDS": "3600"}


@contextmanager
def served_register(
    data_dir: Path, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve the register from `data_dir` in a subprocess; yield its base URL."""
    with _served(["register", "serve"], data_dir, workers, extra_env) as base:
        yield base


@contextmanager
def served_gateway(
    data_dir: Path, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve the gateway (`fiks-folkeregister serve`) from `data_dir` in a subprocess; yield its base URL."""
    with _served(["serve"], data_dir, workers, extra_env) as base:
        yield base


@contextmanager
def _served(
    command: list[str], data_dir: Path, workers: int, extra_env: dict[str, str] | None
) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "FIKSREG_DATA_DIR": str(data_dir), **(extra_env or {})}
    process = subprocess.Popen([CLI, *command, "--port", str(port), "--workers", str(workers)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a loaded shared machine starts slowly
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"`{' '.join(command)}` did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(
    url: str,
    seconds: int,
    connections: int,
    threads: int = 2,
    script: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, float]:
    """Run wrk once; return requests/s, p50 and p99 latency (ms) and the count of non-2xx answers."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for the HTTP benchmarks: apt-get install wrk (Debian)")
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    command += ["--timeout", "10s"]  # a loaded shared machine answers slowly: count those answers too
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        command += ["-s", lua.name]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {"rps": rps, "p50": p50, "p99": p99, "errors": float(non2xx.group(1)) if non2xx else 0.0}


def rotating_paths_script(paths: Sequence[str]) -> str:
    """A wrk Lua script that asks for each path in turn."""
    quoted = ",".join(f'"{path}"' for path in paths)
    return (
        f"local paths = {{{quoted}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )


def add_served_gateway_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the benches that load served gateways with wrk: data, population, load shape."""
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-gateway"))
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10, help="length of one wrk round")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per server (medians)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per served process")


#: The bench's municipality and the register scope its direct calls use.
BENCH_ORGNR = "910000004"
REGISTER_SCOPE = "folkeregister:deling/offentligmedhjemmel"


def bench_headers(settings: Any, config: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Hour-long credentials for the bench: the register's own API, and the gateway as the configured integration."""
    from fiks_folkeregister.app import build_token_issuer

    issuer = build_token_issuer(settings)
    direct = {
        "Authorization": "Bearer "
        + issuer.issue(BENCH_ORGNR, [REGISTER_SCOPE], "bench", lifetime_seconds=3600)
    }
    token = issuer.issue(
        BENCH_ORGNR, ["ks:fiks"], "bench", lifetime_seconds=3600, audience=settings.gateway_token_audience
    )
    gateway = {
        "Authorization": "Bearer " + token,
        "IntegrasjonId": config["integrasjonId"],
        "IntegrasjonPassord": config["integrasjonPassord"],
    }
    return direct, gateway


def process_tree_rss_kib(root: int, field: str = "VmRSS") -> int:
    """Resident memory of a process and all its descendants (uvicorn's workers), in KiB (Linux /proc):
    `VmRSS` all of it, `RssAnon` only the anonymous part (the heap: what a leak grows; `RssFile` counts
    pages of memory-mapped database files, which grow as the register's file is read)."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(re.search(rf"{field}:\s+(\d+)", status).group(1))
            pending += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except (OSError, AttributeError):
            continue
    return total


def process_tree_cpu_seconds(root: int) -> float:
    """CPU time (user and system, every thread) used so far by a process and all its descendants (Linux
    /proc): what a served process spends, whichever thread or worker spends it."""
    ticks, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
            pending += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def serving_pid(base: str) -> int:
    port = base.rsplit(":", 1)[1]
    found = subprocess.run(["pgrep", "-f", "--", f"serve --port {port}"], capture_output=True, text=True)
    return min(int(pid) for pid in found.stdout.split())


def machine_cpu() -> tuple[int, int]:
    """The machine's CPU time so far (Linux /proc/stat, in ticks): busy, and all of it."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of the machine's CPU time that was busy between two `machine_cpu` readings."""
    return (after[0] - before[0]) / max(1, after[1] - before[1])


def load_average() -> str:
    """The machine's load average (1, 5, 15 minutes), printed beside each figure: the machine is shared."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())
