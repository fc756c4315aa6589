"""The example client `scripts/skolestart.py` end to end: a served register and gateway, an extract by
birth year, the Oppvekst API, and one CSV per skolekrets in which no protected address is printed."""

from __future__ import annotations

import csv
import importlib.util
import sys
import uuid
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

from fiks_folkeregister.app import build_admin, build_register, build_token_issuer
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings
from tests.gateway.conftest import Configuration, Integration
from tests.gateway.oppvekst_documents import People, bosted, meta, number_of, responsibility
from tests.gateway.test_oppvekst import OPPVEKST_PARTS
from tests.upstream.servers import served_process

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "skolestart.py"
MUNICIPALITY = "910000004"
PERSONS = 800
REFERENCE_DATE = date(2026, 11, 1)
BORN = 2021  # school start August 2027
SECRET_STREET = "Fortroligveien"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("skolestart_example", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


skolestart = load_example()


@dataclass
class Served:
    gateway_url: str
    role_id: str
    integration: Integration
    token: str
    kommunenummer: str
    documents: dict[str, dict[str, Any]]  # everyone, as the register holds them (offentlig-med-hjemmel)
    protected_child: str


def _current(document: Mapping[str, Any], element: str) -> list[Mapping[str, Any]]:
    return [e for e in document.get(element) or () if e.get("erGjeldende")]


def _kommune(document: Mapping[str, Any]) -> str | None:
    for address in _current(document, "bostedsadresse"):
        for kind in ("vegadresse", "matrikkeladresse"):
            if kind in address:
                return address[kind].get("kommunenummer") or address[kind]["matrikkelnummer"]["kommunenummer"]
        return (address.get("ukjentBosted") or {}).get("bostedskommune")
    return None


def _born(document: Mapping[str, Any]) -> int | None:
    years = [int(e["foedselsaar"]) for e in _current(document, "foedsel")]
    return years[0] if years else None


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir: Path = tmp_path_factory.mktemp("skolestart")
    register_url = f"sqlite:///{data_dir / 'register.sqlite3'}"
    gateway_url = f"sqlite:///{data_dir / 'gateway.sqlite3'}"
    settings = Settings(data_dir=data_dir, register_database_url=register_url, database_url=gateway_url)
    register = build_register(settings)
    seed_population(register.repository, PERSONS, seed=5, reference_date=REFERENCE_DATE)
    with register.repository.engine.connect() as connection:
        numbers = list(connection.execute(select(person.c.foedsels_eller_d_nummer)).scalars())
    everyone: dict[str, dict[str, Any]] = {}
    for start in range(0, len(numbers), 1000):
        answer = register.service.bulkoppslag(
            {"foedselsEllerDNummer": numbers[start : start + 1000]},
            Rettighetspakke.OFFENTLIG_MED_HJEMMEL,
            ["person-basis", "foreldreansvar"],
            False,
        )
        everyone |= {e["foedselsEllerDNummer"]: e["folkeregisterperson"] for e in answer["oppslag"]}
    counts = Counter(_kommune(d) for d in everyone.values() if _born(d) == BORN)
    kommunenummer = counts.most_common(1)[0][0]
    # A fortrolig child whose mother (not protected in the data) lives at the same address: the role may
    # see both addresses, but the school's lists must not print them.
    people = People()
    child = people.person(
        "Vernet",
        date(BORN, 5, 5),
        "kvinne",
        bostedsadresse=[bosted(SECRET_STREET, "8", "fortrolig")],
        adressebeskyttelse=[{**meta(), "graderingsnivaa": "fortrolig"}],
    )
    for entry in child["bostedsadresse"]:
        entry["vegadresse"]["kommunenummer"] = kommunenummer
    mother = people.person(
        "Vernetmor", date(1990, 2, 2), "kvinne", bostedsadresse=[bosted(SECRET_STREET, "8")]
    )
    responsibility(child, "mor", mother)
    register.repository.add_persons([child, mother], [str(uuid.uuid4()), str(uuid.uuid4())])
    for document in (child, mother):
        everyone[number_of(document)] = document

    admin = build_admin(settings)
    integration, role = Configuration(admin.engine).granted_role(
        OPPVEKST_PARTS,
        orgnr=MUNICIPALITY,
        bruksomraader=(Bruksomraade.SOK_ETTER_PERSON, Bruksomraade.UTTREKK),
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
        "FIKSREG_SIMULATOR_EVENTS_PER_SECOND": "0",
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
                _register, gateway = starting.map(stack.enter_context, processes)
            yield Served(gateway, str(role.id), integration, token, kommunenummer, everyone, number_of(child))
    finally:
        admin.engine.dispose()
        register.repository.engine.dispose()


def test_school_start_lists_every_child_by_skolekrets_with_guardians_and_no_protected_address(
    served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--gateway", served.gateway_url,
        "--rolle-id", served.role_id,
        "--integrasjon-id", str(served.integration.id),
        "--token", served.token,
        "--kommunenummer", served.kommunenummer,
        "--ut", str(tmp_path),
        "--dato", REFERENCE_DATE.isoformat(),
        f"--integrasjon-passord={served.integration.password}",
    ]  # fmt: skip

    assert skolestart.main(argv) == 0

    expected = {
        number
        for number, document in served.documents.items()
        if _born(document) == BORN
        and _kommune(document) == served.kommunenummer
        and [e["status"] for e in _current(document, "status")] == ["bosatt"]
        and all(a["adressegradering"] != "strengtFortrolig" for a in _current(document, "bostedsadresse"))
    }
    assert served.protected_child in expected and len(expected) >= 3
    assert f"{len(expected)} children born {BORN} in {served.kommunenummer} start school in August 2027" in (
        capsys.readouterr().out
    )
    rows: list[dict[str, str]] = []
    for path in sorted(tmp_path.glob("skolekrets-*.csv")):
        assert SECRET_STREET not in path.read_text(encoding="utf-8")
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                assert path.name == f"skolekrets-{row['skolekrets']}.csv"
                rows.append(row)
    assert {row["barn_foedselsnummer"] for row in rows} == expected
    for number in expected:
        document = served.documents[number]
        home = _current(document, "bostedsadresse")[0]
        mine = [row for row in rows if row["barn_foedselsnummer"] == number]
        assert {row["skolekrets"] for row in mine} == {str(home.get("skolekrets", "ukjent"))}
        guardians = {e["ansvarlig"] for e in _current(document, "foreldreansvar") if e.get("ansvarlig")}
        assert {row["foresatt_foedselsnummer"] for row in mine} - {""} == guardians
        for row in mine:
            if not row["foresatt_foedselsnummer"]:
                continue
            if (
                row["barn_adressebeskyttelse"] != "ugradert"
                or row["foresatt_adressebeskyttelse"] != "ugradert"
            ):
                assert row["foresatt_postadresse"] == skolestart.PROTECTED
                continue
            guardian = served.documents[row["foresatt_foedselsnummer"]]
            street = (_current(guardian, "bostedsadresse") or [{}])[0].get("vegadresse")
            if street and not _current(guardian, "postadresse"):
                assert row["foresatt_postadresse"].startswith(street["adressenavn"])
    protected_rows = [row for row in rows if row["barn_foedselsnummer"] == served.protected_child]
    assert [row["foresatt_postadresse"] for row in protected_rows] == [skolestart.PROTECTED]


def test_a_refusal_stops_the_script_saying_why(
    served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--gateway", served.gateway_url,
        "--rolle-id", served.role_id,
        "--integrasjon-id", str(served.integration.id),
        "--token", served.token,
        "--kommunenummer", served.kommunenummer,
        "--ut", str(tmp_path),
        "--integrasjon-passord=wrong",
    ]  # fmt: skip

    assert skolestart.main(argv) == 1
    assert "401 AUTENTISERING_FEILET" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.csv"))


def test_the_school_start_year_turns_in_august() -> None:
    assert skolestart.school_start_year(date(2026, 7, 31)) == 2026
    assert skolestart.school_start_year(date(2026, 8, 1)) == 2027
