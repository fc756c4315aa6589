"""Operations: /health (alive), /ready (database, audit writer, register), /metrics (token only, correct across
worker processes), JSON logs carrying the request id and never an identity number, token or password."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import create_engine

from fiks_folkeregister.app import build_gateway_app
from fiks_folkeregister.gateway.router import KONFIGURASJON_PREFIX
from tests.gateway.conftest import Integration, ServedGateway
from tests.upstream.servers import settings_environment, started_process

pytestmark = pytest.mark.parametrize("served_gateway", ["sqlite"], indirect=True)

METRICS_TOKEN = "metrics-token-for-tests"
PERSON = "GET personer/{personidentifikator}"


@contextmanager
def gateway(served: ServedGateway, **settings: Any) -> Iterator[TestClient]:
    app = build_gateway_app(served.settings.model_copy(update=settings))
    with TestClient(app) as client:
        yield client
    app.state.gateway.engine.dispose()


def lookup(
    served: ServedGateway, client: httpx.Client, role: Any, integration: Integration
) -> httpx.Response:
    adult = served.examples["ordinary-adult"][0]
    return client.get(served.url(role, f"personer/{adult}?part=navn"), headers=served.headers(integration))


def sample(exposition: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    total = 0.0
    for line in exposition.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.rsplit(" ", 1)[0]))
        if all(found.get(key) == value for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_health_and_ready_answer_when_everything_works(served_gateway: ServedGateway) -> None:
    health = served_gateway.client.get("/health")
    ready = served_gateway.client.get("/ready")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "auditlog": "ok", "register": "ok"},
    }


def test_an_audit_log_that_cannot_be_written_makes_the_gateway_not_ready(
    served_gateway: ServedGateway,
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    with gateway(served_gateway) as client:
        before = client.get("/ready")
        # A broken audit writer: this gateway's own log points at a connection that cannot be made.
        audit = client.app.state.gateway.audit  # type: ignore[attr-defined]
        audit._engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:9/nowhere")
        refused = lookup(served_gateway, client, role, integration)
        after = client.get("/ready")

    assert before.status_code == 200
    assert refused.status_code == 503
    assert refused.json()["errorCode"] == "REVISJONSLOGG_UTILGJENGELIG"
    assert after.status_code == 503
    assert after.json()["status"] == "not-ready"
    assert after.json()["checks"]["auditlog"] == "failing"


def test_metrics_are_served_only_to_the_bearer_of_the_token(served_gateway: ServedGateway) -> None:
    with gateway(served_gateway) as without_token:
        off = without_token.get("/metrics")
    with gateway(served_gateway, metrics_token=SecretStr(METRICS_TOKEN)) as client:
        anonymous = client.get("/metrics")
        wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
        right = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})

    assert off.status_code == 404
    assert (anonymous.status_code, wrong.status_code) == (401, 401)
    assert right.status_code == 200
    assert right.headers["content-type"].startswith("text/plain")
    assert "fiksreg_requests_total" in right.text


def test_metrics_count_requests_register_calls_audit_batches_and_refusals(
    served_gateway: ServedGateway,
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    other, other_role = served_gateway.config.granted_role(["navn"])
    adult = served_gateway.examples["ordinary-adult"][0]
    settings = {"metrics_token": SecretStr(METRICS_TOKEN), "requests_per_integration": "3/minute"}
    with gateway(served_gateway, **settings) as client:
        answers = [lookup(served_gateway, client, role, integration).status_code for _ in range(4)]
        unknown = client.get(
            served_gateway.url(other_role, f"ukjent/{adult}"), headers=served_gateway.headers(other)
        )
        # The Konfigurasjon API lies under the mirrored API's prefix; its requests are counted as its own.
        konfigurasjon = client.get(f"{KONFIGURASJON_PREFIX}/lovhjemler/barnevern")
        exposition = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text

    assert answers == [200, 200, 200, 429]
    assert unknown.status_code == 404
    assert sample(exposition, "fiksreg_requests_total", resource="konfigurasjon", status="401") == 1
    assert konfigurasjon.status_code == 401
    assert sample(exposition, "fiksreg_requests_total", resource=PERSON, outcome="ok", status="200") == 3
    assert sample(exposition, "fiksreg_requests_total", resource=PERSON, outcome="avvist", status="429") == 1
    assert sample(exposition, "fiksreg_requests_total", resource="ukjent", status="404") == 1
    assert sample(exposition, "fiksreg_request_duration_seconds_count", resource=PERSON) == 4
    assert (
        sample(exposition, "fiksreg_upstream_duration_seconds_count", operation="person", outcome="ok") == 3
    )
    assert sample(exposition, "fiksreg_rate_limit_refusals_total", limit="integration") == 1
    assert sample(exposition, "fiksreg_audit_batch_records_sum") == 5  # every answer was audited
    assert sample(exposition, "fiksreg_audit_commit_duration_seconds_count") >= 1
    assert sample(exposition, "fiksreg_upstream_circuit_breaker_state") == 0
    assert adult not in exposition and str(role.id) not in exposition


@pytest.mark.e2e
def test_metrics_add_up_the_workers_and_logs_carry_no_identity_numbers_tokens_or_passwords(
    served_gateway: ServedGateway,
) -> None:
    integration, role = served_gateway.config.granted_role(["navn", "bostedsadresse"])
    adult = served_gateway.examples["ordinary-adult"][0]
    token = served_gateway.token(integration.orgnr)
    environment = {
        **settings_environment(served_gateway.settings),
        "FIKSREG_METRICS_TOKEN": METRICS_TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": "",  # `serve --workers 2` makes a directory of its own
    }
    with started_process(["serve", "--workers", "2"], environment) as process:
        process.wait_until_healthy(timeout_seconds=240)
        with httpx.Client(base_url=process.url, timeout=60) as client:
            headers = {"Authorization": f"Bearer {token}", "IntegrasjonId": str(integration.id)}
            answers = []
            for _ in range(10):
                answers.append(
                    client.get(
                        served_gateway.url(role, f"personer/{adult}?part=navn"),
                        headers={**headers, "IntegrasjonPassord": integration.password},
                    )
                )
            wrong_password = client.get(
                served_gateway.url(role, f"personer/{adult}"),
                headers={**headers, "IntegrasjonPassord": "Hemmelig-passord-123"},
            )
            bad_token = client.get(
                served_gateway.url(role, f"personer/{adult}"),
                headers={"Authorization": f"Bearer {token}x", "IntegrasjonId": str(integration.id)},
            )
            bulk = client.post(
                served_gateway.url(role, "personer/bulkoppslag?part=navn"),
                headers={**headers, "IntegrasjonPassord": integration.password},
                json={"foedselsEllerDNummer": [adult]},
            )
            scrapes = [
                client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
                for _ in range(4)
            ]
        request_ids = [r.headers["X-Request-Id"] for r in [*answers, wrong_password, bad_token, bulk]]
        log = process.log_when(lambda text: all(request_id in text for request_id in request_ids))

    assert [response.status_code for response in answers] == [200] * 10
    assert (wrong_password.status_code, bad_token.status_code, bulk.status_code) == (401, 401, 200)
    # Whichever worker answers the scrape, it reports every worker's requests.
    for exposition in scrapes:
        assert sample(exposition, "fiksreg_requests_total", resource=PERSON, status="200") == 10
        assert sample(exposition, "fiksreg_requests_total", resource=PERSON, status="401") == 2

    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert lines, log[-2000:]
    logged_ids = {line.get("request_id") for line in lines}
    for response in [*answers, wrong_password, bad_token, bulk]:
        assert response.headers["X-Request-Id"] in logged_ids
    answered = [line for line in lines if line.get("event") == "answered"]
    assert {line["resource"] for line in answered} >= {PERSON, "POST personer/bulkoppslag"}
    for secret in (adult, token, token.split(".")[1], integration.password, "Hemmelig-passord-123"):
        assert secret not in log
