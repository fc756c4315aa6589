"""Request rates per client address and per integration: 429 with `Retry-After` in seconds and the platform's
body beyond them, audited; an organisation's own rate for its integrations; shared across gateway processes
through Redis."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import update

from fiks_folkeregister.app import build_gateway_app
from fiks_folkeregister.storage.tables import organisasjon
from tests.gateway.conftest import Integration, ServedGateway
from tests.upstream.servers import settings_environment, started_process

REDIS_URL = "redis://localhost:6379/0"

# Only the in-process SQLite variant: these tests build their own gateways on its databases.
pytestmark = pytest.mark.parametrize("served_gateway", ["sqlite"], indirect=True)


@contextmanager
def gateway(served: ServedGateway, address: str, **settings: Any) -> Iterator[TestClient]:
    """A gateway of its own on the served databases, with these settings, called from ``address``."""
    app = build_gateway_app(served.settings.model_copy(update=settings))
    with TestClient(app, client=(address, 50000)) as client:
        yield client
    app.state.gateway.engine.dispose()


def an_address() -> str:
    return f"203.0.113.{secrets.randbelow(250) + 1}-{uuid.uuid4().hex[:8]}"


def lookup(
    served: ServedGateway, client: httpx.Client, role: Any, integration: Integration
) -> httpx.Response:
    adult = served.examples["ordinary-adult"][0]
    return client.get(served.url(role, f"personer/{adult}?part=navn"), headers=served.headers(integration))


def assert_limited(served: ServedGateway, response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 60
    body = response.json()
    assert (body["status"], body["errorCode"]) == (429, "FOR_MANGE_FORESPOERSLER")
    assert body["errorJson"] == {"retryAfterSeconds": wait}
    assert body["errorId"] == response.headers["X-Request-Id"]
    assert "navn" not in body and "identifikasjonsnummer" not in response.text
    record = served.audit_record(response.headers["X-Request-Id"])
    assert (record["utfall"], record["status"], record["feilkode"]) == (
        "avvist",
        429,
        "FOR_MANGE_FORESPOERSLER",
    )
    assert record["personer"] == []


def set_organisation_rate(served: ServedGateway, orgnr: str, per_minute: int | None) -> None:
    with served.engine.begin() as connection:
        connection.execute(
            update(organisasjon)
            .where(organisasjon.c.orgnr == orgnr)
            .values(forespoersler_per_minutt=per_minute)
        )


def test_an_address_beyond_its_rate_is_refused_and_others_are_not(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    other_integration, other_role = served_gateway.config.granted_role(["navn"])
    address = an_address()
    with gateway(served_gateway, address, requests_per_address="3/minute") as client:
        answers = [lookup(served_gateway, client, role, integration).status_code for _ in range(3)]
        limited = lookup(served_gateway, client, role, integration)
        # The address is limited whoever calls from it, and before the token is even looked at.
        other_integration_there = lookup(served_gateway, client, other_role, other_integration)
        no_token = client.get(served_gateway.url(role, "personer/x"))
    with gateway(served_gateway, an_address(), requests_per_address="3/minute") as elsewhere:
        from_elsewhere = lookup(served_gateway, elsewhere, role, integration)

    assert answers == [200, 200, 200]
    assert_limited(served_gateway, limited)
    assert_limited(served_gateway, other_integration_there)
    assert_limited(served_gateway, no_token)
    assert from_elsewhere.status_code == 200


def test_an_integration_beyond_its_rate_is_refused_from_every_address(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    other, other_role = served_gateway.config.granted_role(["navn"])
    settings = {"requests_per_integration": "2/minute"}
    with gateway(served_gateway, an_address(), **settings) as first:
        answers = [lookup(served_gateway, first, role, integration).status_code for _ in range(2)]
        limited = lookup(served_gateway, first, role, integration)
        other_integration = lookup(served_gateway, first, other_role, other)
    with gateway(served_gateway, an_address(), **settings) as second:
        # In-process counts: a second gateway has its own (the Redis test below shares them).
        assert lookup(served_gateway, second, role, integration).status_code == 200

    assert answers == [200, 200]
    assert_limited(served_gateway, limited)
    assert other_integration.status_code == 200


def test_failed_authentications_do_not_use_up_the_integrations_requests(
    served_gateway: ServedGateway,
) -> None:
    """Nobody can exhaust another organisation's allowance by naming its integration id."""
    integration, role = served_gateway.config.granted_role(["navn"])
    guess = Integration(integration.id, "guess", integration.orgnr)
    with gateway(served_gateway, an_address(), requests_per_integration="2/minute") as client:
        refused = [lookup(served_gateway, client, role, guess).status_code for _ in range(3)]
        answers = [lookup(served_gateway, client, role, integration).status_code for _ in range(2)]

    assert refused == [401, 401, 401]
    assert answers == [200, 200]


def test_an_organisation_sets_its_own_rate_for_its_integrations(served_gateway: ServedGateway) -> None:
    orgnr = "940000017"
    served_gateway.config.org(orgnr)
    integration, role = served_gateway.config.granted_role(["navn"], orgnr=orgnr)
    default_integration, default_role = served_gateway.config.granted_role(["navn"])
    set_organisation_rate(served_gateway, orgnr, 2)
    try:
        with gateway(served_gateway, an_address(), requests_per_integration="5/minute") as client:
            own = [lookup(served_gateway, client, role, integration).status_code for _ in range(2)]
            limited = lookup(served_gateway, client, role, integration)
            others = [
                lookup(served_gateway, client, default_role, default_integration).status_code
                for _ in range(5)
            ]
            beyond_default = lookup(served_gateway, client, default_role, default_integration)
    finally:
        set_organisation_rate(served_gateway, orgnr, None)

    assert own == [200, 200]
    assert_limited(served_gateway, limited)
    assert others == [200] * 5
    assert_limited(served_gateway, beyond_default)


def test_unreachable_redis_refuses_requests_with_503(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    with gateway(served_gateway, an_address(), redis_url="redis://127.0.0.1:9/0") as client:
        response = lookup(served_gateway, client, role, integration)

    assert response.status_code == 503
    assert response.json()["errorCode"] == "BEGRENSNING_UTILGJENGELIG"
    assert response.headers["Retry-After"] == "5"
    assert "navn" not in response.text


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis answers at {REDIS_URL}")


@pytest.mark.e2e
def test_the_rate_holds_across_two_gateway_processes_sharing_redis(served_gateway: ServedGateway) -> None:
    _redis_or_skip()
    integration, role = served_gateway.config.granted_role(["navn"])
    environment = {
        **settings_environment(served_gateway.settings),
        "FIKSREG_REDIS_URL": REDIS_URL,
        "FIKSREG_REQUESTS_PER_INTEGRATION": "4/minute",
    }
    with ExitStack() as stack:
        processes = [stack.enter_context(started_process(["serve"], environment)) for _ in range(2)]
        for process in processes:
            process.wait_until_healthy(timeout_seconds=240)
        first, second = (
            stack.enter_context(httpx.Client(base_url=process.url, timeout=60)) for process in processes
        )
        answers = [
            lookup(served_gateway, client, role, integration).status_code
            for client in (first, second, first, second)
        ]
        limited = [lookup(served_gateway, client, role, integration) for client in (first, second)]

    assert answers == [200, 200, 200, 200]
    for response in limited:
        assert_limited(served_gateway, response)
