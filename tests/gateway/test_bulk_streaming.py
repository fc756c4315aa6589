"""A bulk lookup's answer, cut to the role and serialised entry by entry, is byte for byte the answer of
cutting the whole answer at once, and its audit record names the same persons."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fiks_folkeregister.domain.informasjonselementer import PartRequest, Rettighetspakke
from fiks_folkeregister.gateway.resources import RESOURCES, FilteredEntries, Oppslag
from fiks_folkeregister.gateway.router import MirroredApi, build_gateway_router
from fiks_folkeregister.upstream.port import bulkoppslag_each
from tests.gateway.conftest import VARIANTS, ServedGateway

BULK = "personer/bulkoppslag"
KINDS = ("ordinary-adult", "fortrolig", "strengt-fortrolig", "name-history", "d-number")

# Two gateway apps built in this process over one upstream: the in-process variants only (the
# two-processes gateway, started for nothing here, would cost the suite its start-up).
IN_PROCESS_VARIANTS = [
    variant for variant in VARIANTS if getattr(variant, "values", (variant,))[0] != "two-processes"
]
pytestmark = pytest.mark.parametrize("served_gateway", IN_PROCESS_VARIANTS, indirect=True)


@dataclasses.dataclass
class TwoGateways:
    streaming: TestClient
    whole: TestClient


@pytest.fixture(scope="module")
def two_gateways(served_gateway: ServedGateway) -> Iterator[TwoGateways]:
    """The same gateway twice, on the same databases: as built, and with the bulk lookup answered the old
    way (the whole answer from the register, then cut to the role and serialised at once)."""
    whole = tuple(dataclasses.replace(r, call_each=None) for r in RESOURCES)
    assert any(r.call_each is not None for r in RESOURCES), "the bulk lookup streams"
    with served_gateway.in_process_gateway() as gateway:
        api = MirroredApi(gateway.access, gateway.upstream, gateway.audit)
        streaming_app, whole_app = FastAPI(), FastAPI()
        streaming_app.include_router(build_gateway_router(api))
        whole_app.include_router(build_gateway_router(api, whole))
        with TestClient(streaming_app) as streaming, TestClient(whole_app) as old:
            yield TwoGateways(streaming, old)


def _numbers(served_gateway: ServedGateway) -> list[str]:
    numbers = [n for kind in KINDS for n in served_gateway.examples.get(kind, [])[:3]]
    assert len(numbers) >= 8
    # An unknown valid-looking number, a malformed one, a repeated one.
    return [*numbers, "01010000000", "not-a-number", numbers[0]]


@pytest.mark.parametrize(
    ("parts", "query"),
    [
        (["navn", "kjoenn"], [("part", "navn"), ("part", "kjoenn")]),
        (["navn", "bostedsadresse", "historikk"], [("part", "navn"), ("part", "historikk")]),
        (["person-basis"], []),
        (["navn"], [("part", "navn"), ("somBestilt", "true")]),
        (["person-basis", "historikk"], [("somBestilt", "true"), ("part", "historikk")]),
    ],
)
def test_a_streamed_bulk_answer_is_byte_identical_to_the_whole_answer(
    served_gateway: ServedGateway, two_gateways: TwoGateways, parts: list[str], query: list[tuple[str, str]]
) -> None:
    integration, role = served_gateway.config.granted_role(parts)
    numbers = _numbers(served_gateway)

    answers = [
        client.post(
            served_gateway.url(role, BULK),
            params=query,
            json={"foedselsEllerDNummer": numbers},
            headers=served_gateway.headers(integration),
        )
        for client in (two_gateways.streaming, two_gateways.whole)
    ]

    streamed, whole = answers
    assert streamed.status_code == whole.status_code == 200, streamed.text
    assert streamed.content == whole.content
    assert len(orjson.loads(streamed.content)["oppslag"]) >= 8
    assert streamed.headers["content-type"] == whole.headers["content-type"]
    records = [served_gateway.audit_record(a.headers["X-Request-Id"]) for a in answers]
    assert records[0]["personer"] == records[1]["personer"]
    assert len(records[0]["personer"]) >= 8


def test_a_refused_bulk_lookup_is_refused_alike(
    served_gateway: ServedGateway, two_gateways: TwoGateways
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])

    answers = [
        client.post(
            served_gateway.url(role, BULK),
            params=[("part", "bostedsadresse")],  # outside the role
            json={"foedselsEllerDNummer": _numbers(served_gateway)},
            headers=served_gateway.headers(integration),
        )
        for client in (two_gateways.streaming, two_gateways.whole)
    ]

    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json()["errorCode"] == answers[1].json()["errorCode"]
    assert [served_gateway.audit_record(a.headers["X-Request-Id"])["personer"] for a in answers] == [[], []]


class WholeOnly:
    """An upstream without `bulkoppslag_each` (a remote register's answer arrives whole)."""

    def __init__(self, upstream: Any) -> None:
        self._upstream = upstream

    def bulkoppslag(self, pakke: Rettighetspakke, body: Any, parts: Any, som_bestilt: bool) -> dict[str, Any]:
        return self._upstream.bulkoppslag(pakke, body, parts, som_bestilt)


@pytest.mark.parametrize("som_bestilt", [False, True])
def test_an_upstream_answering_whole_is_finished_entry_by_entry_alike(
    served_gateway: ServedGateway, som_bestilt: bool
) -> None:
    _, role = served_gateway.config.granted_role(["navn", "kjoenn"])
    # The register is asked for more than the request may be given: the gateway's cut must show.
    asked = ["navn", "kjoenn"]
    request = PartRequest(elements=frozenset({"navn"}), historikk=False)
    body = {"foedselsEllerDNummer": _numbers(served_gateway)}
    with served_gateway.in_process_gateway() as gateway:
        results = []
        for upstream in (gateway.upstream, WholeOnly(gateway.upstream)):
            entries = FilteredEntries(role, request)
            streamed = bulkoppslag_each(upstream, role.rettighetspakke, body, asked, som_bestilt, entries)
            results.append((orjson.dumps(streamed), entries.persons(streamed)))
        whole = Oppslag().filter(
            gateway.upstream.bulkoppslag(role.rettighetspakke, body, asked, som_bestilt), role, request
        )

    assert results[0] == results[1]
    assert results[0][0] == orjson.dumps(whole)
    assert results[0][1] == Oppslag().persons(whole)
    documents = [
        e["folkeregisterperson"] for e in orjson.loads(results[0][0])["oppslag"] if "feilmelding" not in e
    ]
    assert len(documents) >= 8
    assert all(set(document) <= {"navn", "identifikasjonsnummer"} for document in documents)
