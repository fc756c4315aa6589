"""Asynchronous extracts: every criterion, the job life cycle, the 10-job limit, restarts and ownership."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from fiks_folkeregister.domain.dokument import address_kommune, current_identifier
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.register.service import RegisterService
from fiks_folkeregister.register.simulator import Simulator, current, current_one
from fiks_folkeregister.register.tables import person, person_arkiv
from fiks_folkeregister.register.uttrekk.worker import ExtractWorker
from tests.register.conftest import MED, UTEN, ServedRegister

ORG = "910000004"
OTHER_ORG = "920000002"
MED_PAKKE = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
Document = dict[str, Any]


@pytest.fixture(autouse=True)
def no_background_worker(served_register: ServedRegister) -> None:
    """These tests drive the worker themselves, to see jobs while they are still waiting."""
    background = served_register.client.app.state.extract_worker  # type: ignore[attr-defined]
    if background is not None:
        background.stop()


def service(register: ServedRegister) -> RegisterService:
    return register.client.app.state.register.service  # type: ignore[attr-defined, no-any-return]


def worker(register: ServedRegister, lease_seconds: float = 60) -> ExtractWorker:
    return ExtractWorker(service(register).uttrekk, lease_seconds=lease_seconds)


def headers(register: ServedRegister, scope: str = MED, orgnr: str = ORG) -> dict[str, str]:
    return {"Authorization": f"Bearer {register.token(scope, orgnr=orgnr)}"}


def order(
    register: ServedRegister, body: Any, package: str = "offentlig-med-hjemmel", orgnr: str = ORG
) -> Any:
    scope = MED if package == "offentlig-med-hjemmel" else UTEN
    return register.client.post(
        register.url(package, "uttrekk/tilpasset"), json=body, headers=headers(register, scope, orgnr)
    )


def batches(
    register: ServedRegister, jobbid: str, package: str = "offentlig-med-hjemmel", orgnr: str = ORG
) -> list[str]:
    scope = MED if package == "offentlig-med-hjemmel" else UTEN
    found: list[str] = []
    for number in range(10_000):
        response = register.client.get(
            register.url(package, f"uttrekk/{jobbid}/batch/{number}"), headers=headers(register, scope, orgnr)
        )
        assert response.status_code == 200, response.text
        body = response.json()
        if body == {}:
            return found
        found += body.get("foedselsEllerDNummer") or body["dokumentidentifikator"]
    raise AssertionError("no end marker")


def all_documents(register: ServedRegister) -> list[Document]:
    with register.repository.engine.connect() as connection:
        rows = connection.execute(
            select(person_arkiv.c.dokument).join(
                person, person.c.dokumentidentifikator == person_arkiv.c.dokumentidentifikator
            )
        ).all()
    return [orjson.loads(row[0]) for row in rows]


def run(register: ServedRegister, body: Any, package: str = "offentlig-med-hjemmel") -> list[str]:
    response = order(register, body, package)
    assert response.status_code == 200, response.text
    worker(register).work_pending()
    return batches(register, response.json()["jobbId"], package)


def _status(d: Document) -> str:
    return str((current_one(d, "status") or {}).get("status"))


def _year(d: Document) -> int:
    return int(d["foedsel"][0]["foedselsaar"])


CRITERIA: list[tuple[str, dict[str, Any], Callable[[Document], bool]]] = [
    ("bosatt", {"personstatustyper": ["bosatt"]}, lambda d: _status(d) == "bosatt"),
    ("aktiv", {"personstatustyper": ["aktiv"]}, lambda d: _status(d) in {"midlertidig", "ikkeBosatt"}),
    (
        "utflyttet+doed",
        {"personstatustyper": ["utflyttet", "doed"]},
        lambda d: _status(d) in {"utflyttet", "doed"},
    ),
    ("inaktiv", {"personstatustyper": ["inaktiv"]}, lambda d: _status(d) in {"inaktiv", "opphoert"}),
    (
        "bostedskommune",
        {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": "0301"}},
        lambda d: (
            _status(d) == "bosatt"
            and any(
                address_kommune(a) == "0301" and a["adressegradering"] != "strengtFortrolig"
                for a in current(d, "bostedsadresse")
            )
        ),
    ),
    (
        "oppholdskommune",
        {"personstatustyper": ["aktiv"], "kommunenummer": {"oppholdskommunenummer": "0301"}},
        lambda d: (
            _status(d) in {"midlertidig", "ikkeBosatt"}
            and any(address_kommune(a) == "0301" for a in current(d, "oppholdsadresse"))
        ),
    ),
    (
        "foedselsaar",
        {"personstatustyper": ["bosatt"], "foedselsaarFraOgMed": "2010", "foedselsaarTilOgMed": "2016"},
        lambda d: _status(d) == "bosatt" and 2010 <= _year(d) <= 2016,
    ),
    (
        "doedsaar",
        {"personstatustyper": ["doed"], "doedsaarFraOgMed": "2015", "doedsaarTilOgMed": "2020"},
        lambda d: _status(d) == "doed" and 2015 <= int(d["doedsfall"]["doedsdato"][:4]) <= 2020,
    ),
    (
        "kjoenn",
        {"personstatustyper": ["bosatt"], "kjoenn": "kvinne"},
        lambda d: _status(d) == "bosatt" and d["kjoenn"][0]["kjoenn"] == "kvinne",
    ),
    (
        "statsborgerskap",
        {"personstatustyper": ["bosatt"], "statsborgerskap": "POL"},
        lambda d: (
            _status(d) == "bosatt"
            and any(e["statsborgerskap"] == "POL" for e in current(d, "statsborgerskap"))
        ),
    ),
    (
        "sivilstand",
        {"personstatustyper": ["bosatt"], "sivilstandstype": "skilt"},
        lambda d: (
            _status(d) == "bosatt" and (current_one(d, "sivilstand") or {}).get("sivilstand") == "skilt"
        ),
    ),
]


@pytest.mark.parametrize(("name", "body", "expected"), CRITERIA, ids=[c[0] for c in CRITERIA])
def test_each_criterion_selects_exactly_the_matching_persons(
    served_register: ServedRegister, name: str, body: dict[str, Any], expected: Callable[[Document], bool]
) -> None:
    wanted = sorted(current_identifier(d) for d in all_documents(served_register) if expected(d))
    found = run(served_register, body)
    assert sorted(found) == wanted
    assert wanted or name in {"inaktiv"}, "the population should hold someone for this criterion"


def test_every_person_of_an_extract_is_fetched_once_by_bulkoppslag_as_in_process(
    served_register: ServedRegister,
) -> None:
    """The extract-then-fetch flow: the HTTP answer (serialised per person) equals the in-process one."""
    body = {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": "0301"}}
    numbers = run(served_register, body)
    assert numbers
    fetched: list[str] = []
    for start in range(0, len(numbers), 1000):
        chunk = {"foedselsEllerDNummer": numbers[start : start + 1000]}
        response = served_register.client.post(
            served_register.url("offentlig-med-hjemmel", "personer/bulkoppslag"),
            json=chunk,
            headers=headers(served_register),
        )
        assert response.status_code == 200, response.text
        in_process = service(served_register).bulkoppslag(chunk, MED_PAKKE, None, False)
        assert response.json() == orjson.loads(orjson.dumps(in_process))
        fetched += [entry["foedselsEllerDNummer"] for entry in response.json()["oppslag"]]
    assert fetched == numbers


def test_uten_hjemmel_finds_no_protected_person_by_municipality(served_register: ServedRegister) -> None:
    body = {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": "0301"}}
    med = set(run(served_register, body))
    uten = set(run(served_register, body, "offentlig-uten-hjemmel"))
    graded = {
        current_identifier(d)
        for d in all_documents(served_register)
        if any(e["graderingsnivaa"] != "ugradert" for e in current(d, "adressebeskyttelse"))
    }
    assert uten <= med
    assert not uten & graded


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        {"personstatustyper": []},
        {"personstatustyper": ["levende"]},
        {"personstatustyper": "bosatt"},
        {
            "personstatustyper": ["bosatt"],
            "kommunenummer": {"bostedskommunenummer": "0301", "oppholdskommunenummer": "0301"},
        },
        {"personstatustyper": ["bosatt"], "kommunenummer": {}},
        {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": "9999"}},
        {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": "301"}},
        {"personstatustyper": ["bosatt"], "foedselsaarFraOgMed": "20x0"},
        {"personstatustyper": ["bosatt"], "foedselsaarFraOgMed": "2020", "foedselsaarTilOgMed": "2010"},
        {"personstatustyper": ["bosatt"], "kjoenn": "annet"},
        {"personstatustyper": ["bosatt"], "statsborgerskap": "no"},
        {"personstatustyper": ["bosatt"], "sivilstandstype": "forlovet"},
        {"personstatustyper": ["bosatt"], "alder": 6},
    ],
)
def test_malformed_extract_bodies_are_400(served_register: ServedRegister, body: Any) -> None:
    response = order(served_register, body)
    assert response.status_code == 400, response.text
    assert response.json()["feilmelding"]


def test_batches_404_while_running_then_end_marker_and_410_unknown(served_register: ServedRegister) -> None:
    jobbid = order(served_register, {"personstatustyper": ["bosatt"]}).json()["jobbId"]
    url = served_register.url("offentlig-med-hjemmel", f"uttrekk/{jobbid}/batch/0")
    assert served_register.client.get(url, headers=headers(served_register)).status_code == 404
    worker(served_register).work_pending()
    first = served_register.client.get(url, headers=headers(served_register))
    assert first.status_code == 200 and len(first.json()["foedselsEllerDNummer"]) == 1000
    beyond = served_register.url("offentlig-med-hjemmel", f"uttrekk/{jobbid}/batch/99")
    assert served_register.client.get(beyond, headers=headers(served_register)).json() == {}
    bad = served_register.url("offentlig-med-hjemmel", f"uttrekk/{jobbid}/batch/-1")
    assert served_register.client.get(bad, headers=headers(served_register)).status_code == 400
    unknown = served_register.url("offentlig-med-hjemmel", "uttrekk/no-such-job/batch/0")
    assert served_register.client.get(unknown, headers=headers(served_register)).status_code == 410


def test_another_organisation_gets_nothing_of_a_job(served_register: ServedRegister) -> None:
    jobbid = order(served_register, {"personstatustyper": ["doed"]}).json()["jobbId"]
    worker(served_register).work_pending()
    url = served_register.url("offentlig-med-hjemmel", f"uttrekk/{jobbid}/batch/0")
    assert served_register.client.get(url, headers=headers(served_register)).status_code == 200
    response = served_register.client.get(url, headers=headers(served_register, orgnr=OTHER_ORG))
    assert response.status_code == 410


def test_at_most_ten_running_jobs_per_organisation(served_register: ServedRegister) -> None:
    worker(served_register).work_pending()
    for _ in range(10):
        assert order(served_register, {"personstatustyper": ["doed"]}).status_code == 200
    refused = order(served_register, {"personstatustyper": ["doed"]})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert order(served_register, {"personstatustyper": ["doed"]}, orgnr=OTHER_ORG).status_code == 200
    worker(served_register).work_pending()
    assert order(served_register, {"personstatustyper": ["doed"]}).status_code == 200
    worker(served_register).work_pending()


def test_a_job_interrupted_midway_is_finished_after_a_restart(served_register: ServedRegister) -> None:
    body = {"personstatustyper": ["bosatt", "aktiv", "utflyttet", "doed"]}
    jobbid = order(served_register, body).json()["jobbId"]
    assert worker(served_register).work_pending(max_batches=1) == 0  # "crashed" after one batch
    url = served_register.url("offentlig-med-hjemmel", f"uttrekk/{jobbid}/batch/0")
    assert served_register.client.get(url, headers=headers(served_register)).status_code == 404
    assert worker(served_register, lease_seconds=0).work_pending() == 1  # the restarted worker
    assert sorted(batches(served_register, jobbid)) == sorted(
        current_identifier(d)
        for d in all_documents(served_register)
        if _status(d) in {"bosatt", "utflyttet", "doed", "midlertidig", "ikkeBosatt"}
    )


def test_complete_extract_returns_the_versions_valid_at_the_sequence_number_despite_later_writes(
    served_register: ServedRegister,
) -> None:
    log = service(served_register).hendelser.log
    log.simulate(Simulator(21, date(2026, 11, 1)), 400)
    at = log.latest()
    with served_register.repository.engine.connect() as connection:
        expected = sorted(row[0] for row in connection.execute(select(person.c.dokumentidentifikator)).all())
    response = served_register.client.get(
        served_register.url("offentlig-med-hjemmel", "uttrekk/komplett"),
        params={"feedsekvensnr": str(at)},
        headers=headers(served_register),
    )
    assert response.status_code == 200
    log.simulate(Simulator(22, date(2026, 11, 1)), 600)  # written after ordering, before working
    worker(served_register).work_pending()
    assert sorted(batches(served_register, response.json()["jobbId"])) == expected
    capped = served_register.client.get(
        served_register.url("offentlig-med-hjemmel", "uttrekk/komplett"),
        params={"feedsekvensnr": str(at + 10**9)},
        headers=headers(served_register),
    )
    assert capped.status_code == 200
    worker(served_register).work_pending()


@pytest.mark.parametrize("value", ["-3", "x"])
def test_complete_extract_bad_sequence_numbers(served_register: ServedRegister, value: str) -> None:
    response = served_register.client.get(
        served_register.url("offentlig-med-hjemmel", "uttrekk/komplett"),
        params={"feedsekvensnr": value},
        headers=headers(served_register),
    )
    assert response.status_code == 400


def test_complete_extract_is_only_for_offentlig_med_hjemmel(served_register: ServedRegister) -> None:
    response = served_register.client.get(
        served_register.url("offentlig-uten-hjemmel", "uttrekk/komplett"),
        headers=headers(served_register, UTEN),
    )
    assert response.status_code == 403
