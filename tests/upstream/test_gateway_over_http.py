"""What the gateway's caller sees when the register fails over HTTP: clear platform errors, audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fiks_folkeregister.app import DEVELOPMENT_CLIENT_NAME, Gateway, build_gateway_app
from fiks_folkeregister.domain.rolle import Rolle
from fiks_folkeregister.identity.clients import ClientRegistry
from fiks_folkeregister.settings import Settings
from fiks_folkeregister.storage.tables import oppslagslogg
from fiks_folkeregister.upstream.http import HttpUpstream
from fiks_folkeregister.upstream.maskinporten import MaskinportenClient
from tests.gateway.conftest import Configuration, Integration
from tests.upstream.conftest import MUNICIPALITY, Register


@dataclass
class Served:
    client: TestClient
    gateway: Gateway
    integration: Integration
    role: Rolle
    register: Register

    def lookup(self, number: str) -> tuple[int, dict, dict[str, str]]:
        token = self.gateway.issuer.issue(
            MUNICIPALITY, ["ks:fiks"], client_id="test", audience=Settings().gateway_token_audience
        )
        response = self.client.get(
            f"/folkeregister/api/v1/{self.role.id}/v1/personer/{number}",
            params={"part": "navn"},
            headers={
                "Authorization": f"Bearer {token}",
                "IntegrasjonId": str(self.integration.id),
                "IntegrasjonPassord": self.integration.password,
            },
        )
        return response.status_code, response.json(), dict(response.headers)

    def outcome(self, request_id: str) -> tuple[str, int, str | None]:
        with self.gateway.engine.connect() as connection:
            row = connection.execute(
                select(oppslagslogg.c.utfall, oppslagslogg.c.status, oppslagslogg.c.feilkode).where(
                    oppslagslogg.c.request_id == request_id
                )
            ).one()
        return row.utfall, row.status, row.feilkode


@contextmanager
def serve(register: Register, **upstream_settings: Any) -> Iterator[Served]:
    """A gateway with FIKSREG_UPSTREAM=http to ``register``, its own database, one granted role."""
    data_dir = register.settings.data_dir
    settings = Settings(
        data_dir=data_dir,
        register_database_url=register.settings.register_database,
        database_url=f"sqlite:///{data_dir / f'gateway-{uuid.uuid4().hex[:8]}.sqlite3'}",
        upstream="http",
        upstream_url=register.url,
        **upstream_settings,
    )
    app = build_gateway_app(settings)
    gateway: Gateway = app.state.gateway
    config = Configuration(gateway.engine)
    integration, role = config.granted_role(["navn"], orgnr=MUNICIPALITY)
    assert isinstance(gateway.upstream, HttpUpstream)
    with TestClient(app) as client:
        yield Served(client, gateway, integration, role, register)
    gateway.engine.dispose()  # the upstream's connections were closed when the app shut down


@pytest.fixture
def served(register: Register) -> Iterator[Served]:
    with serve(
        register, upstream_attempts=2, upstream_timeout_seconds=0.5, upstream_max_retry_after_seconds=1
    ) as gateway:
        yield gateway


def test_a_lookup_over_http_is_answered_and_audited(served: Served) -> None:
    adult = served.register.examples["ordinary-adult"][0]

    status, body, headers = served.lookup(adult)

    assert status == 200 and set(body) == {"navn", "identifikasjonsnummer"}
    assert served.outcome(headers["x-request-id"]) == ("ok", 200, None)


def test_a_stopped_gateway_closes_its_connections_to_the_register_and_the_token_endpoint(
    register: Register,
) -> None:
    with serve(register) as served:
        assert served.lookup(served.register.examples["ordinary-adult"][0])[0] == 200
        upstream = served.gateway.upstream
        assert isinstance(upstream, HttpUpstream) and not upstream.closed
        tokens = upstream.tokens
        assert isinstance(tokens, MaskinportenClient) and not tokens.closed

    assert upstream.closed and tokens.closed


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ({"latency_seconds": 1.5}, 504, "REGISTERET_SVARER_IKKE"),
        ({"error_rate": 1.0}, 502, "REGISTERET_FEILET"),
        ({"drop_rate": 1.0}, 502, "REGISTERET_FEILET"),
        ({"throttle_rate": 1.0, "throttle_burst": 5, "retry_after_seconds": 30}, 429, "REGISTERET_STRUPER"),
    ],
)
def test_register_faults_become_clear_platform_errors_with_no_personal_data(
    served: Served, fault: dict, status: int, code: str
) -> None:
    adult = served.register.examples["ordinary-adult"][0]
    served.register.faults.set_plan(**fault)

    answered, body, headers = served.lookup(adult)

    assert (answered, body["status"], body["errorCode"]) == (status, status, code)
    assert body["path"].endswith(f"/personer/{adult}") and body["message"]
    assert adult not in str(body["errorJson"]) and "navn" not in body
    assert "Traceback" not in str(body)
    assert served.outcome(headers["x-request-id"]) == ("feil", status, code)
    if status == 429:
        assert headers["retry-after"] == "30"


def test_a_dead_register_gives_fast_503s(own_register: Register, served_dead: Served) -> None:
    adult = own_register.examples["ordinary-adult"][0]
    own_register.server.stop()

    answers = [served_dead.lookup(adult) for _ in range(4)]

    assert [(status, body["errorCode"]) for status, body, _ in answers] == [
        (503, "REGISTERET_UTILGJENGELIG")
    ] * 4
    assert answers[-1][1]["errorJson"] == {"circuitBreaker": "open"}
    assert "retry-after" in answers[-1][2]


@pytest.fixture
def served_dead(own_register: Register) -> Iterator[Served]:
    with serve(
        own_register, upstream_attempts=1, upstream_breaker_failures=2, upstream_breaker_reset_seconds=600
    ) as gateway:
        assert gateway.lookup(own_register.examples["ordinary-adult"][0])[0] == 200
        yield gateway


def test_the_development_client_is_delegated_by_the_organisations_the_gateway_acts_for_only(
    served: Served,
) -> None:
    assert served.lookup(served.register.examples["ordinary-adult"][0])[0] == 200

    clients = ClientRegistry(served.register.settings.issuer_dir).list()

    development = [client for client in clients if client.name == DEVELOPMENT_CLIENT_NAME]
    assert [client.delegations for client in development] == [{MUNICIPALITY}]
