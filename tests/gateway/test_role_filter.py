"""Property: whatever the role, the request and the register's answer, nothing outside the role leaks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiks_folkeregister.domain.informasjonselementer import (
    ALIASES,
    ELEMENTS,
    HISTORIKK,
    IDENTIFIKASJONSNUMMER,
    PERSON_BASIS,
    Rettighetspakke,
    elements_allowed,
    expand,
)
from fiks_folkeregister.domain.rolle import Rolle
from fiks_folkeregister.gateway.router import MirroredApi, build_gateway_router
from fiks_folkeregister.upstream.port import Kriterier
from tests.domain.person_documents import person_documents
from tests.gateway.conftest import ServedGateway

PARTS = (*ELEMENTS, *ALIASES, HISTORIKK)
EXAMPLES = ("ordinary-adult", "fortrolig", "strengt-fortrolig", "parent-with-foreldreansvar", "name-history")
REFUSALS = {"PART_IKKE_TILLATT", "PERSON_BASIS_MANGLER", "HISTORIKK_IKKE_TILLATT"}


@st.composite
def roles(draw: st.DrawFn) -> tuple[Rettighetspakke, list[str]]:
    pakke = draw(st.sampled_from(list(Rettighetspakke)))
    allowed = sorted(elements_allowed(pakke))
    names = draw(st.lists(st.sampled_from(allowed), min_size=1, max_size=8, unique=True))
    if draw(st.booleans()):
        names.append(HISTORIKK)
    return pakke, names


requests = st.lists(st.sampled_from(PARTS), max_size=5, unique=True)


def assert_within_role(document: dict[str, Any], role: Rolle) -> None:
    assert set(document) <= role.elementer | {IDENTIFIKASJONSNUMMER}
    if not role.historikk:
        for value in document.values():
            entries = value if isinstance(value, list) else [value]
            assert all(entry.get("erGjeldende") is True for entry in entries)


def expected_refusal(role: Rolle, parts: Sequence[str]) -> bool:
    wanted = expand(parts)
    if not wanted:
        wanted = ALIASES[PERSON_BASIS]
    return bool(wanted - role.elementer - {IDENTIFIKASJONSNUMMER}) or (
        HISTORIKK in parts and not role.historikk
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(role_spec=roles(), parts=requests, example=st.sampled_from(EXAMPLES))
def test_no_answer_from_the_register_holds_an_element_outside_the_role(
    served_gateway: ServedGateway,
    granted_roles: Roles,
    role_spec: tuple[Rettighetspakke, list[str]],
    parts: list[str],
    example: str,
) -> None:
    integration, role = granted_roles.get(*role_spec)
    person = served_gateway.examples[example][0]

    response = served_gateway.client.get(
        served_gateway.url(role, f"personer/{person}"),
        params=[("part", part) for part in parts],
        headers=served_gateway.headers(integration),
    )

    if expected_refusal(role, parts):
        assert response.status_code == 403 and response.json()["errorCode"] in REFUSALS
    else:
        assert response.status_code == 200, response.text
        assert_within_role(response.json(), role)


class LyingUpstream:
    """An upstream that ignores the rights package and the parts and returns everything it has."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {}

    def person(self, pakke: Rettighetspakke, personidentifikator: str, parts: Any) -> dict[str, Any]:
        return self.document

    def bulkoppslag(self, pakke: Rettighetspakke, body: Any, parts: Any, som_bestilt: bool) -> dict[str, Any]:
        return {"oppslag": [{"foedselsEllerDNummer": "x", "folkeregisterperson": self.document}]}

    def arkivperson(self, pakke: Rettighetspakke, dokumentidentifikator: str, parts: Any) -> dict[str, Any]:
        return self.document

    def bulkoppslag_arkiv(self, pakke: Rettighetspakke, body: Any, parts: Any) -> dict[str, Any]:
        return self.bulkoppslag(pakke, body, parts, False)

    def soek(self, pakke: Rettighetspakke, kriterier: Kriterier) -> dict[str, Any]:
        return {"foedselsEllerDNummer": ["x"], "persons": [self.document]}

    def entydigsoek(self, pakke: Rettighetspakke, kriterier: Kriterier, parts: Any) -> dict[str, Any]:
        return self.document


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(role_spec=roles(), parts=requests, document=person_documents(), bulk=st.booleans())
def test_the_gateway_filters_to_the_role_even_when_the_register_does_not_minimise(
    served_gateway: ServedGateway,
    granted_roles: Roles,
    lying: tuple[TestClient, LyingUpstream],
    role_spec: tuple[Rettighetspakke, list[str]],
    parts: list[str],
    document: dict[str, Any],
    bulk: bool,
) -> None:
    client, upstream = lying
    upstream.document = document
    integration, role = granted_roles.get(*role_spec)
    query = [("part", part) for part in parts]
    headers = served_gateway.headers(integration)

    if bulk:
        response = client.post(
            served_gateway.url(role, "personer/bulkoppslag"),
            params=query,
            json={"foedselsEllerDNummer": ["x"]},
            headers=headers,
        )
    else:
        response = client.get(served_gateway.url(role, "personer/01010112345"), params=query, headers=headers)

    if expected_refusal(role, parts):
        assert response.status_code == 403
        return
    assert response.status_code == 200, response.text
    answer = response.json()
    assert_within_role(answer["oppslag"][0]["folkeregisterperson"] if bulk else answer, role)


class Roles:
    """Roles granted to one integration per rights package, made once per distinct definition."""

    def __init__(self, served: ServedGateway) -> None:
        self._served = served
        self._integrations: dict[Rettighetspakke, Any] = {}
        self._roles: dict[tuple[Rettighetspakke, frozenset[str]], Rolle] = {}

    def get(self, pakke: Rettighetspakke, names: list[str]) -> tuple[Any, Rolle]:
        if pakke not in self._integrations:
            self._integrations[pakke] = self._served.config.integration()
        integration = self._integrations[pakke]
        key = (pakke, frozenset(names))
        if key not in self._roles:
            self._roles[key] = self._served.config.role(names, pakke=pakke)
            self._served.config.grant(integration, self._roles[key])
        return integration, self._roles[key]


@pytest.fixture(scope="module")
def granted_roles(served_gateway: ServedGateway) -> Roles:
    return Roles(served_gateway)


@pytest.fixture(scope="module")
def lying(served_gateway: ServedGateway) -> Iterator[tuple[TestClient, LyingUpstream]]:
    """A gateway app in this process (only there can its upstream be replaced), on the served databases."""
    if served_gateway.variant == "two-processes":
        pytest.skip(
            "a lying upstream can only be put inside a gateway app built in this process, so these tests "
            "never reach the served processes; they run in the sqlite and postgresql variants"
        )
    upstream = LyingUpstream()
    with served_gateway.in_process_gateway() as gateway:
        app = FastAPI()
        app.include_router(build_gateway_router(MirroredApi(gateway.access, upstream, gateway.audit)))
        with TestClient(app) as client:
            yield client, upstream


def test_a_search_hit_list_carries_identity_numbers_only(
    served_gateway: ServedGateway, granted_roles: Roles, lying: tuple[TestClient, LyingUpstream]
) -> None:
    client, upstream = lying
    upstream.document = {"navn": [{"fornavn": "Hemmelig", "erGjeldende": True}]}
    integration, role = granted_roles.get(Rettighetspakke.OFFENTLIG_MED_HJEMMEL, ["navn"])

    response = client.get(
        served_gateway.url(role, "personer/soek?navn=Hemmelig"), headers=served_gateway.headers(integration)
    )

    assert response.json() == {"foedselsEllerDNummer": ["x"]}
