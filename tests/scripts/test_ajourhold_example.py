"""The example client `scripts/ajourhold.py` against a served register and gateway, as `make demo` runs them.

The register process works the extract jobs (as in the demo); the gateway reads the same data in-process.
The test writes events itself (a seeded simulator), so it knows exactly what the client must pick up.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select

from fiks_folkeregister.app import Register, build_admin, build_register, build_token_issuer
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.register.simulator import Simulator
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings
from tests.conftest import make_postgres_database
from tests.gateway.conftest import Configuration, Integration
from tests.upstream.servers import served_process

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ajourhold.py"
MUNICIPALITY = "910000004"
PERSONS = 600
REFERENCE_DATE = date(2026, 11, 1)
PARTS = ["person-basis", "relasjon-utvidet"]  # every event type the simulator writes reaches the role


def load_example() -> ModuleType:
    """The script as a module (it is meant to be copied, not installed)."""
    spec = importlib.util.spec_from_file_location("ajourhold_example", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


ajourhold = load_example()


@dataclass
class Served:
    register: Register
    gateway_url: str
    role_id: str
    integration: Integration
    token: str

    def client(self, password: str | None = None) -> Any:
        return ajourhold.Gateway(
            self.gateway_url,
            self.role_id,
            str(self.integration.id),
            password or self.integration.password,
            self.token,
        )

    def simulate(self, events: int, seed: int) -> int:
        """Let life go on for at least `events` events (a move of a household is several); the newest number."""
        log = self.register.service.hendelser.log
        log.simulate(Simulator(seed, REFERENCE_DATE), events)
        return log.latest()

    def current(self, numbers: list[str]) -> dict[str, dict[str, Any]]:
        """What the register holds now for these persons, as the role's package and parts see it."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(numbers), 1000):
            answer = self.register.service.bulkoppslag(
                {"foedselsEllerDNummer": numbers[start : start + 1000]},
                Rettighetspakke.OFFENTLIG_MED_HJEMMEL,
                PARTS,
                False,
            )
            found |= {e["foedselsEllerDNummer"]: e["folkeregisterperson"] for e in answer["oppslag"]}
        return found

    def everyone(self) -> dict[str, dict[str, Any]]:
        with self.register.repository.engine.connect() as connection:
            numbers = list(connection.execute(select(person.c.foedsels_eller_d_nummer)).scalars())
        return self.current(numbers)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir: Path = tmp_path_factory.mktemp("ajourhold")
    drop = None
    if request.param == "sqlite":
        register_url = f"sqlite:///{data_dir / 'register.sqlite3'}"
        gateway_url = f"sqlite:///{data_dir / 'gateway.sqlite3'}"
    else:
        register_url, drop = make_postgres_database(request.getfixturevalue("postgres_server"))
        gateway_url = register_url
    settings = Settings(data_dir=data_dir, register_database_url=register_url, database_url=gateway_url)
    register = build_register(settings)
    seed_population(register.repository, PERSONS, seed=11, reference_date=REFERENCE_DATE)
    admin = build_admin(settings)
    integration, role = Configuration(admin.engine).granted_role(
        PARTS, orgnr=MUNICIPALITY, bruksomraader=(Bruksomraade.HENDELSESLISTE, Bruksomraade.UTTREKK)
    )
    token = build_token_issuer(settings).issue(
        MUNICIPALITY,
        ["ks:fiks"],
        client_id="test",
        lifetime_seconds=600,
        audience=settings.gateway_token_audience,
    )
    env = {
        "FIKSREG_DATA_DIR": str(data_dir),
        "FIKSREG_REGISTER_DATABASE_URL": register_url,
        "FIKSREG_DATABASE_URL": gateway_url,
        "FIKSREG_SIMULATOR_EVENTS_PER_SECOND": "0",  # the test writes the events
        "FIKSREG_EXTRACT_WORKER_POLL_SECONDS": "0.1",
        "FIKSREG_GATEWAY_TOKEN_MAX_LIFETIME_SECONDS": "600",  # one token for the whole test
    }
    processes = (
        served_process(["register", "serve"], {**env, "FIKSREG_EXTRACT_WORKER": "true"}),
        served_process(["serve"], {**env, "FIKSREG_EXTRACT_WORKER": "false"}),
    )
    try:
        with ExitStack() as stack:
            with ThreadPoolExecutor(2) as starting:
                # Side by side (each takes seconds to start); the stack stops both, even if one failed.
                _register, gateway = starting.map(stack.enter_context, processes)
            yield Served(register, gateway, str(role.id), integration, token)
    finally:
        admin.engine.dispose()
        register.repository.engine.dispose()
        if drop:
            drop()


def run_feed(served: Served, store_dir: Path) -> tuple[list[Any], dict[str, dict[str, Any]], int | None]:
    """One run of the client as a restarted process would do it: fresh objects over the same files."""
    gateway = served.client()
    store = ajourhold.ClientRegister(store_dir / "personer.sqlite3")
    pointer = ajourhold.SequencePointer(store_dir / "sekvensnummer.txt")
    try:
        pages = ajourhold.catch_up(gateway, store, pointer, PARTS)
        stored = {n: store.document(n) for n in served.everyone()}
        return pages, {n: d for n, d in stored.items() if d is not None}, pointer.load()
    finally:
        store.close()
        gateway.close()


def changed_persons(served: Served, first: int, last: int) -> list[str]:
    """The persons the events `first`..`last` name, read from the register's own log."""
    entries = served.register.service.hendelser.log.page(first, limit=last - first + 1)
    assert [e.sekvensnummer for e in entries] == list(range(first, last + 1))
    return list(dict.fromkeys(e.folkeregisteridentifikator for e in entries))


def test_the_client_follows_the_feed_from_its_stored_pointer(served: Served, tmp_path: Path) -> None:
    last = served.simulate(1100, seed=21)
    pages, stored, pointer = run_feed(served, tmp_path)
    assert [(p.first, p.last, p.events) for p in pages] == [(1, 1000, 1000), (1001, last, last - 1000)]
    assert pointer == last + 1
    changed = changed_persons(served, 1, last)
    assert set(changed) <= set(stored)
    assert {n: stored[n] for n in changed} == served.current(changed)

    again, stored_again, pointer_again = run_feed(served, tmp_path)
    assert again == [] and pointer_again == last + 1 and stored_again == stored  # nothing re-applied

    newest = served.simulate(40, seed=22)
    later, stored_later, pointer_later = run_feed(served, tmp_path)
    assert [(p.first, p.last) for p in later] == [(last + 1, newest)]
    assert pointer_later == newest + 1
    changed_later = changed_persons(served, last + 1, newest)
    assert {n: stored_later[n] for n in changed_later} == served.current(changed_later)
    untouched = set(stored) - set(changed_later)
    assert {n: stored_later[n] for n in untouched} == {n: stored[n] for n in untouched}


def kommune(address: Mapping[str, Any]) -> str | None:
    for kind in ("vegadresse", "matrikkeladresse"):
        if kind in address:
            return address[kind].get("kommunenummer")
    return (address.get("ukjentBosted") or {}).get("bostedskommune")


def school_starters_by_hand(
    documents: Mapping[str, Mapping[str, Any]], kommunenummer: str, year: int
) -> set[str]:
    """Bosatt, born that year, a current bostedsadresse in the municipality the role may see."""
    found = set()
    for number, document in documents.items():
        status = [e["status"] for e in document.get("status", ()) if e.get("erGjeldende")]
        born = [e.get("foedselsaar") for e in document.get("foedsel", ()) if e.get("erGjeldende")]
        home = [kommune(a) for a in document.get("bostedsadresse", ()) if a.get("erGjeldende")]
        if status == ["bosatt"] and born and int(born[0]) == year and kommunenummer in home:
            found.add(number)
    return found


def test_the_extract_fetches_exactly_the_persons_the_criteria_select(served: Served) -> None:
    everyone = served.everyone()
    children = Counter(
        (kommune(a), int(e["foedselsaar"]))
        for d in everyone.values()
        for e in d.get("foedsel", ())
        if e.get("erGjeldende") and int(e["foedselsaar"]) >= REFERENCE_DATE.year - 16
        for a in d.get("bostedsadresse", ())
        if a.get("erGjeldende")
    )
    (kommunenummer, year), _count = children.most_common(1)[0]
    expected = school_starters_by_hand(everyone, kommunenummer, year)
    assert expected, "the population should hold children for the extract"

    gateway = served.client()
    try:
        persons = ajourhold.take_extract(
            gateway, ajourhold.school_starters(kommunenummer, year), PARTS, poll_seconds=0.1
        )
    finally:
        gateway.close()
    assert set(persons) == expected
    assert persons == served.current(sorted(expected))


def test_the_command_line_catches_up_takes_the_extract_and_says_what_it_did(
    served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    served.simulate(10, seed=23)
    argv = [
        "--gateway", served.gateway_url,
        "--rolle-id", served.role_id,
        "--integrasjon-id", str(served.integration.id),
        "--token", served.token,
        "--store", str(tmp_path),
        "--kommunenummer", "0301",
    ]  # fmt: skip
    # `=`: a generated password may start with "-", which argparse would take for an option
    assert ajourhold.main([*argv, f"--integrasjon-passord={served.integration.password}"]) == 0
    out = capsys.readouterr().out
    assert "ajourhold from sequence number 1" in out and "up to date" in out
    extracted = json.loads((tmp_path / "uttrekk.json").read_text())
    assert f"{len(extracted)} children born {date.today().year - 6} living in 0301" in out
    assert ajourhold.SequencePointer(tmp_path / "sekvensnummer.txt").load() > 1

    assert ajourhold.main([*argv, "--integrasjon-passord=wrong", "ajourhold"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("stopped: GET ") and "hendelser/feed: 401 AUTENTISERING_FEILET" in error
