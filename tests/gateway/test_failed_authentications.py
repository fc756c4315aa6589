"""Failed authentications are limited per integration id and per client address, and cost the same whatever
was wrong: an unknown integration is as slow as a wrong password, and a limited attempt does no argon2."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import redis
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from fiks_folkeregister.app import build_gateway_app
from tests.gateway.conftest import Integration, ServedGateway

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
    return f"198.51.100.{secrets.randbelow(250) + 1}-{uuid.uuid4().hex[:8]}"


def lookup(served: ServedGateway, client: TestClient, role: Any, integration: Integration) -> httpx.Response:
    adult = served.examples["ordinary-adult"][0]
    return client.get(served.url(role, f"personer/{adult}?part=navn"), headers=served.headers(integration))


def wrong(integration: Integration) -> Integration:
    return Integration(integration.id, "guess", integration.orgnr)


@pytest.fixture
def argon2_verifications(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many argon2 verifications have run (in this process) since the test started."""
    count = [0]
    verify = PasswordHasher.verify

    def counting(self: PasswordHasher, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return count


def assert_limited(served: ServedGateway, response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 60
    body = response.json()
    assert (body["status"], body["errorCode"]) == (429, "FOR_MANGE_FEILFORSOEK")
    assert body["errorJson"] == {"retryAfterSeconds": wait}
    record = served.audit_record(response.headers["X-Request-Id"])
    assert (record["utfall"], record["status"], record["feilkode"]) == (
        "avvist",
        429,
        "FOR_MANGE_FEILFORSOEK",
    )


def test_wrong_passwords_beyond_the_limit_are_refused_with_429_and_no_argon2(
    served_gateway: ServedGateway, argon2_verifications: list[int]
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    with gateway(served_gateway, an_address(), failed_authentications_per_integration="3/minute") as client:
        answers = [lookup(served_gateway, client, role, wrong(integration)).status_code for _ in range(3)]
        verified = argon2_verifications[0]

        limited = lookup(served_gateway, client, role, wrong(integration))
        right_password_meanwhile = lookup(served_gateway, client, role, integration)

    assert answers == [401, 401, 401]
    assert_limited(served_gateway, limited)
    assert_limited(served_gateway, right_password_meanwhile)  # the id is locked until the window has room
    assert argon2_verifications[0] == verified  # refused before any argon2 work


def test_a_password_verified_moments_ago_still_works_while_guesses_on_its_id_are_refused(
    served_gateway: ServedGateway, argon2_verifications: list[int]
) -> None:
    """Only the right password can match a remembered success, so it is let through without reading the
    limits (no argon2 to protect), while every guess on the same id is still refused before argon2."""
    integration, role = served_gateway.config.granted_role(["navn"])
    with gateway(served_gateway, an_address(), failed_authentications_per_integration="3/minute") as client:
        first = lookup(served_gateway, client, role, integration)
        guesses = [lookup(served_gateway, client, role, wrong(integration)).status_code for _ in range(3)]
        verified = argon2_verifications[0]
        limited = lookup(served_gateway, client, role, wrong(integration))
        again = lookup(served_gateway, client, role, integration)

    assert first.status_code == 200
    assert guesses == [401, 401, 401]
    assert_limited(served_gateway, limited)
    assert again.status_code == 200, again.text
    assert again.json()["navn"] == first.json()["navn"]
    assert argon2_verifications[0] == verified  # neither the refused guess nor the remembered success


def test_the_address_limit_holds_across_different_integration_ids(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    address = an_address()
    settings = {"failed_authentications_per_address": "3/minute"}
    with gateway(served_gateway, address, **settings) as client:
        tries = [Integration(uuid.uuid4(), "guess", integration.orgnr) for _ in range(3)]
        answers = [lookup(served_gateway, client, role, attempt).status_code for attempt in tries]
        limited = lookup(served_gateway, client, role, Integration(uuid.uuid4(), "guess", integration.orgnr))
        own = lookup(served_gateway, client, role, integration)
    with gateway(served_gateway, an_address(), **settings) as elsewhere:
        other_address = lookup(served_gateway, elsewhere, role, integration)

    assert answers == [401, 401, 401]
    assert_limited(served_gateway, limited)
    assert_limited(served_gateway, own)
    assert other_address.status_code == 200


def test_an_unknown_integration_costs_an_argon2_verification_like_a_wrong_password(
    served_gateway: ServedGateway, argon2_verifications: list[int]
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    unknown = Integration(uuid.uuid4(), "guess", integration.orgnr)
    foreign_token = served_gateway.token("920000002")
    with gateway(served_gateway, an_address()) as client:
        costs = []
        for attempt, token in ((wrong(integration), None), (unknown, None), (integration, foreign_token)):
            before = argon2_verifications[0]
            adult = served_gateway.examples["ordinary-adult"][0]
            response = client.get(
                served_gateway.url(role, f"personer/{adult}"), headers=served_gateway.headers(attempt, token)
            )
            assert response.status_code == 401
            costs.append(argon2_verifications[0] - before)

    assert costs == [1, 1, 1]  # wrong password, unknown integration, right password of another organisation


def test_successful_attempts_are_not_counted(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    with gateway(served_gateway, an_address(), failed_authentications_per_integration="2/minute") as client:
        answers = [lookup(served_gateway, client, role, integration).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 200]


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis answers at {REDIS_URL}")


def test_the_limit_holds_across_two_gateways_sharing_redis(served_gateway: ServedGateway) -> None:
    _redis_or_skip()
    integration, role = served_gateway.config.granted_role(["navn"])
    settings = {"redis_url": REDIS_URL, "failed_authentications_per_integration": "4/minute"}
    with (
        gateway(served_gateway, an_address(), **settings) as first,
        gateway(served_gateway, an_address(), **settings) as second,
    ):
        answers = [
            lookup(served_gateway, client, role, wrong(integration)).status_code
            for client in (first, second, first, second)
        ]
        limited = lookup(served_gateway, second, role, wrong(integration))
        alone = [
            lookup(served_gateway, client, role, wrong(integration)).status_code for client in (first, second)
        ]

    assert answers == [401, 401, 401, 401]
    assert_limited(served_gateway, limited)
    assert alone == [429, 429]


def test_unreachable_redis_refuses_authentication_with_503(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    with gateway(served_gateway, an_address(), redis_url="redis://127.0.0.1:9/0") as client:
        response = lookup(served_gateway, client, role, integration)

    assert response.status_code == 503
    assert response.json()["errorCode"] == "BEGRENSNING_UTILGJENGELIG"
    assert "navn" not in response.text
