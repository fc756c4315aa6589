"""The portal's server time: a person card and a 25-hit page, beside the machine API's lookup of the same
person, in the same run, the same process and the same role (person-basis).

    .venv/bin/python bench/portal.py --data-dir data/bench-gateway --persons 100000 --requests 300

Seeds the register in --data-dir if it is empty and configures the bench's organisation, role and
integration through the admin command line once (as bench/gateway_lookup.py does). The gateway app runs in
this process (Starlette's TestClient: no network, so what is timed is the server's work plus the same small
client overhead on every row); a case worker's session is created directly in the session store (login is
not what is measured); the case worker is a person user holding the same role the API's integration uses.
Requests alternate between the three kinds so drift affects them alike; medians and p95 are printed.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from _harness import BENCH_ORGNR, bench_headers, percentile
from fiks_folkeregister.app import build_gateway_app, build_register
from fiks_folkeregister.portal.personreferanse import Personreferanser
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings
from gateway_lookup import admin, configure

CASE_WORKER = "17912099997"
PACKAGE = "offentlig-med-hjemmel"
PORTAL_CONFIG_FILE = "portal-bench.json"


def configure_portal(data_dir: Path, config: dict[str, str]) -> str:
    """A person-basis role usable in the portal and the API (gyldighet api and soekWeb), granted to the
    bench's integration and to its case worker (a person user), through the admin command line once; its id."""
    remembered = data_dir / PORTAL_CONFIG_FILE
    if remembered.exists():
        return str(json.loads(remembered.read_text())["rolleId"])
    role = admin(
        data_dir,
        *("role", "create", "--orgnr", BENCH_ORGNR, "--navn", "Bench portal", "--rettighetspakke", PACKAGE),
        *("--bruksomraade", "sok-etter-person", "--part", "person-basis"),
        *("--gyldighet", "api", "--gyldighet", "soekWeb"),
    )
    admin(data_dir, "grant", "--integrasjon", config["integrasjonId"], "--rolle", role["rolleId"])
    admin(
        data_dir,
        *("user", "create", "--orgnr", BENCH_ORGNR, "--foedselsnummer", CASE_WORKER),
        *("--navn", "Bench Saksbehandler", "--json"),
    )
    admin(data_dir, "grant", "--bruker", CASE_WORKER, "--rolle", role["rolleId"])
    remembered.write_text(json.dumps({"rolleId": role["rolleId"]}))
    return str(role["rolleId"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-gateway"))
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="requests of each kind")
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()

    settings = Settings(
        data_dir=data_dir,
        public_url="http://testserver",
        extract_worker=False,
        gateway_token_max_lifetime_seconds=3600,  # one token for the whole run (production: 120 s)
        portal_requests_per_person="1000000/minute",
        idporten_stand_in=True,  # the portal is served only with a provider; nobody logs in here  # one case worker makes every lookup: no limit here
    )
    register = build_register(settings)
    if register.repository.count_persons() == 0:
        print(f"seeding {args.persons} persons into {data_dir} ...", flush=True)
        seed_population(register.repository, args.persons, 1, date(2026, 11, 1))
    with register.repository.engine.connect() as connection:
        numbers = list(connection.execute(select(person.c.foedsels_eller_d_nummer)).scalars())
    register.repository.engine.dispose()
    random.Random(1).shuffle(numbers)
    config = configure(data_dir)
    _, api_headers = bench_headers(settings, config)
    rolle_id = configure_portal(data_dir, config)
    app = build_gateway_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        portal = app.state.portal
        key = "bench-reference-key"
        session = portal.sessions.create(
            {
                "pid": CASE_WORKER,
                "navn": "Bench Saksbehandler",
                "orgnr": BENCH_ORGNR,
                "organisasjon": "Bench",
                "id_token": "",
                "rolle": {
                    "rolle_id": rolle_id,
                    "navn": "Bench portal",
                    "orgnr": BENCH_ORGNR,
                    "organisasjon": "Bench",
                },
                "personreferansenoekkel": key,
            }
        )
        client.cookies.set(portal.cookie.name, session.token)
        references = Personreferanser(key)
        api_prefix = f"/folkeregister/api/v1/{rolle_id}/v1/personer"  # the same role as the portal's
        csrf = session.csrf_token
        timings: dict[str, list[float]] = {"api": [], "card": [], "hits": []}

        def timed(kind: str, call: object) -> None:
            started = time.perf_counter()
            response = call()  # type: ignore[operator]
            timings[kind].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (kind, response.status_code, response.text[:300])

        sample = numbers[: args.requests]
        for warm in sample[:10]:
            client.get(f"{api_prefix}/{warm}", headers=api_headers)
            client.get(f"/portal/person/{references.lag('', warm)}")
        for index, number in enumerate(sample):
            timed("api", lambda n=number: client.get(f"{api_prefix}/{n}", headers=api_headers))
            timed("card", lambda n=number: client.get(f"/portal/person/{references.lag('', n)}"))
            year = 1940 + index % 60
            timed(  # the criteria posted, then the page by GET (POST-redirect-GET): both timed
                "hits",
                lambda y=year: client.post(
                    "/portal/sok/treffliste",
                    data={"csrf_token": csrf, "foedselsaarFraOgMed": str(y), "foedselsaarTilOgMed": str(y)},
                ),
            )

    print(
        f"register of {len(numbers)} persons; in-process gateway (TestClient); role person-basis; "
        f"{args.requests} requests of each kind, interleaved"
    )
    for kind, label in (
        ("api", "machine API GET personer/{id}"),
        ("card", "portal person card (same persons)"),
        ("hits", "portal hit list, a page of 25"),
    ):
        values = timings[kind]
        print(f"{label:36} p50 {percentile(values, 0.5):7.2f} ms  p95 {percentile(values, 0.95):7.2f} ms")
    base = percentile(timings["api"], 0.5)
    print(
        f"card / API lookup (p50): {percentile(timings['card'], 0.5) / base:.1f}x; "
        f"25-hit page / API lookup (p50): {percentile(timings['hits'], 0.5) / base:.1f}x"
    )


if __name__ == "__main__":
    main()
