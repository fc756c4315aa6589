"""Property, end to end: after a simulated stretch of life heavy in protection given and lifted, no path of the
gateway (lookup, bulkoppslag, arkiv, bulk arkiv, event document, bulk event documents, search, extract ids
then bulk fetch) gives a role anything outside it, or a protected person's address less graded than the
register grades it today (so never to a package that may not see it), through the person's own versions
and events or a relative's.

In-process on SQLite only: the register-side rule and the pure filters are covered for thousands of cases in
tests/domain/test_beskyttelse_property.py; this drives the real pipeline for fewer.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from fiks_folkeregister.app import build_admin, build_register
from fiks_folkeregister.domain.beskyttelse import GRADING_RANK, current_protection_level, place
from fiks_folkeregister.domain.hendelse import ENTITETER
from fiks_folkeregister.domain.informasjonselementer import (
    ADDRESS_ELEMENTS,
    Rettighetspakke,
    elements_allowed,
)
from fiks_folkeregister.domain.minimering import VISIBLE_ADDRESS_GRADINGS
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.domain.rollepolicy import ALWAYS_RETURNED, event_visible
from fiks_folkeregister.register.hendelser.tables import hendelse
from fiks_folkeregister.register.simulator import Simulator, current_one
from fiks_folkeregister.register.tables import person, person_arkiv
from fiks_folkeregister.register.uttrekk.worker import ExtractWorker
from fiks_folkeregister.settings import Settings
from tests.conftest import seeded_register_copy
from tests.gateway.conftest import Configuration, Integration, ServedGateway, _in_process

EVERYTHING = (Bruksomraade.SOK_ETTER_PERSON, Bruksomraade.HENDELSESLISTE, Bruksomraade.UTTREKK)
#: Life with much more protection given, lifted and corrected than the simulator's usual mix.
KINDS = (
    ("flytting", 20.0),
    ("foedsel", 5.0),
    ("ekteskap", 4.0),
    ("deltBostedNy", 3.0),
    ("adressebeskyttelseNy", 12.0),
    ("adressebeskyttelseOpphoert", 3.0),
    ("korrigering", 6.0),
    ("annullering", 3.0),
    ("doedsfall", 2.0),
)


@dataclass(frozen=True)
class Target:
    """A protected person: the ids of their versions and events, and every place graded today around them."""

    number: str
    relatives: tuple[str, ...]
    versions: tuple[str, ...]
    events: tuple[str, ...]
    graded: dict[bytes, int]
    """place → rank of the strictest grading the person's or a relative's current document gives it."""
    bosted: dict[str, Any]


@dataclass(repr=False)  # a failing example names its draws, not the whole served gateway
class World:
    gateway: ServedGateway
    roles: list[tuple[Integration, Rolle]]
    targets: list[Target]


def _graded_places(document: dict[str, Any]) -> dict[bytes, int]:
    found: dict[bytes, int] = {}
    for element in ADDRESS_ELEMENTS:
        for entry in document.get(element) or ():
            where, rank = place(entry), GRADING_RANK.get(entry.get("adressegradering"), 99)
            if where is not None and rank > 0:
                found[where] = max(found.get(where, 0), rank)
    return found


def _role_pool(config: Configuration) -> list[tuple[Integration, Rolle]]:
    rng = random.Random(5)
    pool = []
    for pakke in Rettighetspakke:
        allowed = sorted(elements_allowed(pakke))
        choices = [
            [*allowed, "historikk"],
            allowed,
            ["navn", "bostedsadresse", "historikk"],
            ["bostedsadresse", "oppholdsadresse", "deltBosted", "postadresse", "historikk"],
            *(
                rng.sample(allowed, rng.randint(1, len(allowed))) + ["historikk"] * rng.randint(0, 1)
                for _ in range(3)
            ),
        ]
        pool += [config.granted_role(parts, pakke=pakke, bruksomraader=EVERYTHING) for parts in choices]
    return pool


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("protection-property")
    register_url, _drop, examples = seeded_register_copy(request, "sqlite", data_dir)
    settings_ = Settings(
        data_dir=data_dir,
        register_database_url=register_url,
        database_url=f"sqlite:///{data_dir / 'gateway.sqlite3'}",
        extract_worker=False,
    )
    register = build_register(settings_)
    register.service.hendelser.log.simulate(Simulator(77, date(2026, 11, 1), kinds=KINDS), 1500)
    admin = build_admin(settings_)
    config = Configuration(admin.engine)
    with register.repository.engine.connect() as connection:
        current = {
            row.id: orjson.loads(row.dokument)
            for row in connection.execute(
                select(person.c.id, person_arkiv.c.dokument).join(
                    person_arkiv, person_arkiv.c.dokumentidentifikator == person.c.dokumentidentifikator
                )
            )
        }
        versions: dict[int, list[str]] = {}
        for row in connection.execute(select(person_arkiv.c.person_id, person_arkiv.c.dokumentidentifikator)):
            versions.setdefault(row.person_id, []).append(row.dokumentidentifikator)
        events: dict[int, list[str]] = {}
        for row in connection.execute(select(hendelse.c.person_id, hendelse.c.hendelsesidentifikator)):
            events.setdefault(row.person_id, []).append(row.hendelsesidentifikator)
    by_number = {
        current_one(doc, "identifikasjonsnummer")["foedselsEllerDNummer"]: pid for pid, doc in current.items()
    }
    targets = []
    for person_id, document in current.items():
        bosted = current_one(document, "bostedsadresse")
        if current_protection_level(document) == "ugradert" or bosted is None or person_id not in events:
            continue
        relatives = [e["relatertPerson"] for e in document.get("familierelasjon") or ()]
        relatives = [number for number in dict.fromkeys(relatives) if number in by_number]
        graded: dict[bytes, int] = {}
        for pid in [person_id, *(by_number[n] for n in relatives)]:
            for where, rank in _graded_places(current[pid]).items():
                graded[where] = max(graded.get(where, 0), rank)
        targets.append(
            Target(
                current_one(document, "identifikasjonsnummer")["foedselsEllerDNummer"],
                tuple(relatives),
                tuple(v for pid in [person_id, *(by_number[n] for n in relatives)] for v in versions[pid]),
                tuple(
                    e for pid in [person_id, *(by_number[n] for n in relatives)] for e in events.get(pid, ())
                ),
                graded,
                bosted,
            )
        )
    assert len(targets) >= 10, "the simulation should leave protected persons with events"
    with _in_process(settings_) as client:
        gateway = ServedGateway(
            client, settings_, examples, config, register, admin.engine, admin.audit, "sqlite"
        )
        yield World(gateway, _role_pool(config), targets)
    admin.engine.dispose()
    register.repository.engine.dispose()


def _address_entries(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "adressegradering" in value or place(value) is not None:
            yield value
        for inner in value.values():
            yield from _address_entries(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _address_entries(inner)


def _check_addresses(answer: Any, graded: dict[bytes, int], pakke: Rettighetspakke) -> None:
    for entry in _address_entries(answer):
        grading = entry.get("adressegradering")
        assert grading in VISIBLE_ADDRESS_GRADINGS[pakke], (pakke.value, entry)
        where = place(entry)
        if where in graded:
            assert GRADING_RANK[grading] >= graded[where], ("less graded than today", entry)


def _check_person(document: dict[str, Any], role: Rolle, parts: list[str], target: Target) -> None:
    assert set(document) <= role.elementer | ALWAYS_RETURNED
    if not (role.historikk and "historikk" in parts):
        for value in document.values():
            for entry in [value] if isinstance(value, dict) else value:
                assert entry.get("erGjeldende") is True
    _check_addresses(document, target.graded, role.rettighetspakke)


UNKNOWN_EVENT = "00000000-0000-4000-8000-000000000000"
PATHS = ("lookup", "bulkoppslag", "arkiv", "bulkarkiv", "hendelse", "hendelser", "soek")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_path_gives_a_role_more_than_it_may_see(world: World, data: st.DataObject) -> None:
    integration, role = data.draw(st.sampled_from(world.roles))
    target = data.draw(st.sampled_from(world.targets))
    asked = data.draw(st.sets(st.sampled_from(sorted(role.elementer)), min_size=1))
    parts = sorted(asked) + (["historikk"] if role.historikk and data.draw(st.booleans()) else [])
    path = data.draw(st.sampled_from(PATHS))
    gateway, pakke = world.gateway, role.rettighetspakke
    headers = gateway.headers(integration)

    def call(method: str, resource: str, **options: Any) -> Any:
        return gateway.client.request(method, gateway.url(role, resource), headers=headers, **options)

    if path in ("lookup", "bulkoppslag"):
        numbers = [target.number, *target.relatives]
        if path == "lookup":
            number = data.draw(st.sampled_from(numbers))
            response = call("GET", f"personer/{number}", params={"part": parts})
            assert response.status_code == 200, response.text
            _check_person(response.json(), role, parts, target)
        else:
            response = call(
                "POST", "personer/bulkoppslag", params={"part": parts}, json={"foedselsEllerDNummer": numbers}
            )
            assert response.status_code == 200, response.text
            for entry in response.json()["oppslag"]:
                _check_person(entry["folkeregisterperson"], role, parts, target)
    elif path in ("arkiv", "bulkarkiv"):
        chosen = data.draw(st.lists(st.sampled_from(target.versions), min_size=1, max_size=20))
        if path == "arkiv":
            response = call("GET", f"personer/arkiv/{chosen[0]}", params={"part": parts})
            assert response.status_code == 200, response.text
            _check_person(response.json(), role, parts, target)
        else:
            response = call(
                "POST",
                "personer/bulkoppslag/arkiv",
                params={"part": parts},
                json={"dokumentidentifikator": chosen},
            )
            assert response.status_code == 200, response.text
            for entry in response.json()["oppslag"]:
                _check_person(entry["folkeregisterperson"], role, parts, target)
    elif path in ("hendelse", "hendelser"):
        chosen = data.draw(st.lists(st.sampled_from(target.events), min_size=1, max_size=20))
        if path == "hendelse":
            response = call("GET", f"hendelser/{chosen[0]}")
        else:
            response = call("POST", "hendelser/bulkoppslag", json={"dokumentidentifikator": chosen})
        if pakke is Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL:
            assert response.status_code == 403
            return
        if path == "hendelse" and response.status_code == 404:
            # An event of a type outside the role answers exactly as an unknown one.
            stored = gateway.register.service.hendelser.dokument(chosen[0], pakke)
            assert not event_visible(role, stored["hendelse"]["hendelsestype"])
            unknown = call("GET", f"hendelser/{UNKNOWN_EVENT}")
            assert unknown.status_code == 404
            assert response.json() == orjson.loads(
                unknown.content.replace(UNKNOWN_EVENT.encode(), chosen[0].encode())
            )
            return
        assert response.status_code == 200, response.text
        documents = response.json() if isinstance(response.json(), list) else [response.json()]
        assert all(event_visible(role, d["hendelse"]["hendelsestype"]) for d in documents)
        entities = {ENTITETER[name][0] for name in role.elementer | ALWAYS_RETURNED if name in ENTITETER}
        for document in documents:
            assert {e["entitet"] for e in document["hendelse"]["egenskapshendelse"]} <= entities
            _check_addresses(document, target.graded, pakke)
    else:
        veg = target.bosted.get("vegadresse")
        if veg is None or "bostedsadresse" not in role.elementer:
            return
        criteria = {
            "adressenavn": veg["adressenavn"],
            "husnummer": veg["adressenummer"]["husnummer"],
            "kommunenummer": veg["kommunenummer"],
        }
        response = call("GET", "personer/soek", params=criteria)
        assert response.status_code == 200, response.text
        grading = target.bosted["adressegradering"]
        if grading not in VISIBLE_ADDRESS_GRADINGS[pakke]:
            found = set(response.json()["foedselsEllerDNummer"])
            assert not found & {target.number, *target.relatives}, "found by a protected address"


def test_a_complete_extract_then_bulk_fetch_gives_nothing_protected(world: World) -> None:
    """Extract ids (uttrekk/komplett, batches) then the bulk fetch of every listed version, for the protected."""
    gateway = world.gateway
    integration, role = world.roles[0]
    headers = gateway.headers(integration)
    job = gateway.client.get(gateway.url(role, "uttrekk/komplett"), headers=headers)
    assert job.status_code == 200, job.text
    ExtractWorker(gateway.register.service.uttrekk).work_pending()
    listed: list[str] = []
    number = 0
    while True:
        batch = gateway.client.get(
            gateway.url(role, f"uttrekk/{job.json()['jobbId']}/batch/{number}"), headers=headers
        )
        assert batch.status_code == 200, batch.text
        if not batch.json():
            break
        listed += batch.json()["dokumentidentifikator"]
        number += 1
    graded: dict[str, dict[bytes, int]] = {}
    for target in world.targets:
        for version in target.versions:
            merged = graded.setdefault(version, {})
            for where, rank in target.graded.items():
                merged[where] = max(merged.get(where, 0), rank)
    wanted = sorted(set(graded) & set(listed))
    assert wanted
    for chosen_integration, chosen in (world.roles[0], world.roles[7]):  # each package, every element
        for start in range(0, len(wanted), 1000):
            fetched = gateway.client.post(
                gateway.url(chosen, "personer/bulkoppslag/arkiv"),
                params={"part": [*sorted(chosen.elementer), "historikk"]},
                json={"dokumentidentifikator": wanted[start : start + 1000]},
                headers=gateway.headers(chosen_integration),
            )
            assert fetched.status_code == 200, fetched.text
            for entry in fetched.json()["oppslag"]:
                assert set(entry["folkeregisterperson"]) <= chosen.elementer | ALWAYS_RETURNED
                _check_addresses(
                    entry["folkeregisterperson"],
                    graded[entry["dokumentidentifikator"]],
                    chosen.rettighetspakke,
                )
