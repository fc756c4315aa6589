"""The Oppvekst API through the gateway versus the register's own bulk lookups of the same persons.

    .venv/bin/python bench/oppvekst.py --data-dir data/bench-oppvekst [--persons 30000] [--rounds 5]

Seeds the register in --data-dir if it is empty, picks 1000 children (under 17, with parental
responsibility) and configures an Oppvekst role, integration and grant through the admin command line
once. Serves the register and the gateway side by side from the same data directory, then in alternating
rounds times:

- direct: `POST personer/bulkoppslag` of the 1000 children at the register, reading the answer for their
  guardians, then `POST personer/bulkoppslag` of the guardians (one call per 1000), same parts;
- gateway: `POST /register/api/v1/ks/{rolleId}/oppvekst` of the same 1000 children (authentication,
  role, the same two bulk lookups through the HTTP-less embedded upstream, role filter, flattening, audit).

Target: the gateway at most 2x the direct baseline (medians). A default run takes well under a minute
once the register is seeded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import time
from datetime import date
from pathlib import Path

import httpx
import orjson
from sqlalchemy import select

from _harness import (
    BENCH_ORGNR,
    CLI,
    LONG_LIVED_TOKENS,
    bench_headers,
    median,
    served_gateway,
    served_register,
)
from fiks_folkeregister.app import build_register
from fiks_folkeregister.domain.oppvekst import OPPVEKST_ELEMENTS, guardian_numbers
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings

PACKAGE = "offentlig-med-hjemmel"
CONFIG_FILE = "oppvekst-bench.json"
REFERENCE_DATE = date(2026, 11, 1)
PARTS = [*sorted(OPPVEKST_ELEMENTS), "historikk"]
CHILDREN = 1000


def _admin(data_dir: Path, *args: str) -> str:
    env = {**os.environ, "FIKSREG_DATA_DIR": str(data_dir)}
    return subprocess.run([CLI, "admin", *args], env=env, check=True, capture_output=True, text=True).stdout


def configure(data_dir: Path) -> dict[str, str]:
    """An organisation, an Oppvekst role, an integration and its grant, made once and remembered."""
    remembered = data_dir / CONFIG_FILE
    if remembered.exists():
        return json.loads(remembered.read_text())
    if BENCH_ORGNR not in {o["orgnr"] for o in json.loads(_admin(data_dir, "org", "list", "--json"))}:
        _admin(
            data_dir, "org", "create", "--orgnr", BENCH_ORGNR, "--navn", "Bench", "--kommunenummer", "0301"
        )
    parts = [arg for part in PARTS for arg in ("--part", part)]
    role = json.loads(
        _admin(
            data_dir,
            "role",
            "create",
            "--orgnr",
            BENCH_ORGNR,
            "--navn",
            "Bench oppvekst",
            "--rettighetspakke",
            PACKAGE,
            "--bruksomraade",
            "sok-etter-person",
            *parts,
        )
    )
    integration = json.loads(
        _admin(data_dir, "integration", "create", "--orgnr", BENCH_ORGNR, "--navn", "Bench oppvekst")
    )
    _admin(data_dir, "grant", "--integrasjon", integration["integrasjonId"], "--rolle", role["rolleId"])
    config = {"rolleId": role["rolleId"], **integration}
    remembered.write_text(json.dumps(config))
    return config


def pick_children(settings: Settings, persons: int) -> list[str]:
    """1000 children under 17 with parental responsibility, in a fixed random order."""
    register = build_register(settings)
    if register.repository.count_persons() == 0:
        print(f"seeding {persons} persons into {settings.data_dir} ...", flush=True)
        seed_population(register.repository, persons, 1, REFERENCE_DATE)
    with register.repository.engine.connect() as connection:
        numbers = sorted(connection.execute(select(person.c.foedsels_eller_d_nummer)).scalars())
    random.Random(1).shuffle(numbers)
    children: list[str] = []
    for start in range(0, len(numbers), 1000):
        answer = register.service.bulkoppslag(
            {"foedselsEllerDNummer": numbers[start : start + 1000]},
            PACKAGE,
            ["foedsel", "foreldreansvar"],
            False,
        )
        for entry in answer["oppslag"]:
            document = entry["folkeregisterperson"]
            born = [e.get("foedselsaar") for e in document.get("foedsel", ()) if e.get("erGjeldende")]
            if born and int(born[0]) > REFERENCE_DATE.year - 17 and guardian_numbers([document]):
                children.append(entry["foedselsEllerDNummer"])
        if len(children) >= CHILDREN:
            break
    register.repository.engine.dispose()
    if len(children) < CHILDREN:
        raise SystemExit(f"only {len(children)} children in the register; seed more persons (--persons)")
    return children[:CHILDREN]


def direct_round(client: httpx.Client, children: list[str]) -> tuple[float, int, int]:
    """The register's own bulk lookups: the children, then their guardians. (ms, calls, guardians)."""
    path = f"/folkeregisteret/{PACKAGE}/api/v1/personer/bulkoppslag"
    params = [("part", part) for part in PARTS]
    started = time.perf_counter()
    answer = client.post(path, params=params, json={"foedselsEllerDNummer": children})
    answer.raise_for_status()
    documents = [e["folkeregisterperson"] for e in orjson.loads(answer.content)["oppslag"]]
    guardians = guardian_numbers(documents)
    calls = 1
    for start in range(0, len(guardians), 1000):
        found = client.post(
            path, params=params, json={"foedselsEllerDNummer": guardians[start : start + 1000]}
        )
        found.raise_for_status()
        orjson.loads(found.content)
        calls += 1
    return (time.perf_counter() - started) * 1000, calls, len(guardians)


def gateway_round(client: httpx.Client, role_id: str, children: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    answer = client.post(f"/register/api/v1/ks/{role_id}/oppvekst", json={"foedselsnumre": children})
    answer.raise_for_status()
    found = orjson.loads(answer.content)
    return (time.perf_counter() - started) * 1000, len(found)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-oppvekst"))
    parser.add_argument("--persons", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (medians)")
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()
    settings = Settings(data_dir=data_dir)
    children = pick_children(settings, args.persons)
    config = configure(data_dir)
    direct_headers, gateway_headers = bench_headers(settings, config)
    direct: list[float] = []
    gateway: list[float] = []
    with (
        served_register(data_dir) as direct_base,
        served_gateway(data_dir, extra_env=LONG_LIVED_TOKENS) as gateway_base,
        httpx.Client(base_url=direct_base, headers=direct_headers, timeout=120) as direct_client,
        httpx.Client(base_url=gateway_base, headers=gateway_headers, timeout=120) as gateway_client,
    ):
        direct_round(direct_client, children)  # warm both
        gateway_round(gateway_client, config["rolleId"], children)
        for _ in range(args.rounds):
            took, calls, guardians = direct_round(direct_client, children)
            direct.append(took)
            took, answered = gateway_round(gateway_client, config["rolleId"], children)
            gateway.append(took)
    ratio = median(gateway) / median(direct)
    print(f"{len(children)} children, {guardians} guardians; {args.rounds} alternating rounds (medians)")
    print(f"direct  bulkoppslag x{calls} (children, then guardians): {median(direct):7.0f} ms")
    print(f"gateway POST oppvekst ({answered} children answered):   {median(gateway):7.0f} ms")
    print(f"gateway / direct: {ratio:.2f}x (target at most 2x) {'OK' if ratio <= 2 else 'OVER TARGET'}")


if __name__ == "__main__":
    main()
