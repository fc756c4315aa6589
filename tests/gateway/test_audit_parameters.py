"""The audit record keeps the parameters a resource defines; of anything else only a name, never a secret."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from fiks_folkeregister.gateway.resources import RESOURCES
from fiks_folkeregister.gateway.router import audited_body, audited_parameters
from tests.gateway.conftest import ServedGateway

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
PASSWORD = "hunter2-Very-Secret"

SQLITE_ONLY = pytest.mark.parametrize("served_gateway", ["sqlite"], indirect=True)


def _record(served: ServedGateway, response) -> dict:  # type: ignore[no-untyped-def]
    record = served.audit_record(response.headers["X-Request-Id"])
    for secret in (JWT, PASSWORD):
        assert secret not in str(record)
    return record


@SQLITE_ONLY
def test_query_parameters_the_resource_does_not_define_are_recorded_by_name_only(
    served_gateway: ServedGateway,
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    adult = served_gateway.examples["ordinary-adult"][0]
    query = f"?part=navn&IntegrasjonPassord={PASSWORD}&access_token={JWT}&utvalg=alle&{JWT}="
    response = served_gateway.client.get(
        served_gateway.url(role, f"personer/{adult}{query}"), headers=served_gateway.headers(integration)
    )

    assert _record(served_gateway, response)["parametre"] == {
        "personidentifikator": adult,
        "part": ["navn"],
        "ikkeDefinerteParametre": ["[skjult]", "[skjult]", "utvalg", "[skjult]"],
    }


@SQLITE_ONLY
def test_search_criteria_are_recorded_and_a_password_beside_them_is_not(
    served_gateway: ServedGateway,
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    response = served_gateway.client.get(
        served_gateway.url(role, f"personer/soek?navn=Ola&password={PASSWORD}"),
        headers=served_gateway.headers(integration),
    )

    assert _record(served_gateway, response)["parametre"] == {
        "navn": "Ola",
        "ikkeDefinerteParametre": ["[skjult]"],
    }


@SQLITE_ONLY
def test_body_fields_the_resource_does_not_define_are_recorded_by_name_only(
    served_gateway: ServedGateway,
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    adult = served_gateway.examples["ordinary-adult"][0]
    response = served_gateway.client.post(
        served_gateway.url(role, "personer/bulkoppslag?part=navn"),
        headers=served_gateway.headers(integration),
        json={"foedselsEllerDNummer": [adult], "passord": PASSWORD, "merknad": JWT},
    )

    assert _record(served_gateway, response)["parametre"] == {
        "part": ["navn"],
        "foedselsEllerDNummer": [adult],
        "ikkeDefinerteFelter": ["[skjult]", "merknad"],
    }


@SQLITE_ONLY
def test_an_unknown_path_is_recorded_and_logged_without_what_its_segments_hold(
    served_gateway: ServedGateway, caplog: pytest.LogCaptureFixture
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    caplog.set_level(logging.INFO)
    response = served_gateway.client.get(
        served_gateway.url(role, f"personer/{JWT}/passord/{PASSWORD}"),
        headers=served_gateway.headers(integration),
    )

    assert response.status_code == 404
    assert _record(served_gateway, response)["ressurs"] == "GET personer/*/passord/*"
    ours = [record.getMessage() for record in caplog.records if record.name.startswith("fiks_folkeregister")]
    assert any("GET personer/*/passord/*" in line for line in ours)
    assert not [line for line in ours if JWT in line or PASSWORD in line]


def test_a_credential_like_name_is_never_recorded_even_when_a_resource_defines_it() -> None:
    soek = next(resource for resource in RESOURCES if resource.path == "personer/soek")
    careless = dataclasses.replace(soek, query_parameters=(*soek.query_parameters, "apiKey"))

    recorded = audited_parameters(careless, {}, {"navn": ["Ola"], "apiKey": [PASSWORD]})
    body = audited_body(dataclasses.replace(soek, body_fields=("token",)), {"token": JWT})

    assert recorded == {"navn": "Ola", "ikkeDefinerteParametre": ["[skjult]"]}
    assert body == {"ikkeDefinerteFelter": ["[skjult]"]}
