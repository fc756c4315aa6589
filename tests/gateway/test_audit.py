"""The audit trail: every request to the mirrored API leaves exactly one record, or no data leaves at all."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from fiks_folkeregister.audit.log import AuditLog
from fiks_folkeregister.gateway.router import MirroredApi, build_gateway_router
from tests.gateway.conftest import ORG_A, ServedGateway


def test_a_successful_lookup_is_recorded_with_who_what_and_whom(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn", "foedsel"])
    adult = served_gateway.examples["ordinary-adult"][3]
    before = datetime.now(UTC) - timedelta(seconds=5)

    response = served_gateway.client.get(
        served_gateway.url(role, f"personer/{adult}"),
        params=[("part", "navn"), ("part", "foedsel")],
        headers=served_gateway.headers(integration),
    )

    assert response.status_code == 200
    request_id = response.headers["X-Request-Id"]
    [record] = [r for r in served_gateway.audit.query(ORG_A, person=adult) if r.request_id == request_id]
    assert record.tidspunkt >= before and record.tidspunkt.tzinfo is not None
    assert (record.orgnr, record.rolle_id, record.integrasjon_id, record.klient_orgnr) == (
        ORG_A,
        role.id,
        integration.id,
        ORG_A,
    )
    assert record.ressurs == "GET personer/{personidentifikator}"
    assert record.parametre == {"personidentifikator": adult, "part": ["navn", "foedsel"]}
    assert list(record.personer) == [adult]
    assert (record.utfall, record.status, record.feilkode) == ("ok", 200, None)
    assert request_id in {r.request_id for r in served_gateway.audit.lookups_of_person(adult)}


def test_every_call_successful_or_refused_leaves_exactly_one_record(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    adult = served_gateway.examples["ordinary-adult"][0]
    url = served_gateway.url(role, f"personer/{adult}?part=navn")
    headers = served_gateway.headers(integration)
    calls = [
        lambda: served_gateway.client.get(url, headers=headers),
        lambda: served_gateway.client.get(url),
        lambda: served_gateway.client.get(url, headers={**headers, "IntegrasjonPassord": "wrong"}),
        lambda: served_gateway.client.get(url.replace("part=navn", "part=kjoenn"), headers=headers),
        lambda: served_gateway.client.get(
            served_gateway.url(role, "personer/12345678901?part=navn"), headers=headers
        ),
        lambda: served_gateway.client.post(
            served_gateway.url(role, "personer/bulkoppslag"), content=b"{not json", headers=headers
        ),
    ]
    before = served_gateway.audit_count()

    responses = [call() for call in calls]

    assert [r.status_code for r in responses] == [200, 401, 401, 403, 400, 415]
    assert served_gateway.audit_count() == before + len(calls)
    for response in responses:
        served_gateway.audit_record(response.headers["X-Request-Id"])


def test_a_refusal_records_what_was_known_and_nothing_secret(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    adult = served_gateway.examples["ordinary-adult"][0]
    token = served_gateway.token()

    response = served_gateway.client.get(
        served_gateway.url(role, f"personer/{adult}?part=kjoenn"),
        headers=served_gateway.headers(integration, token),
    )

    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert (record["orgnr"], record["rolle_id"], record["integrasjon_id"], record["klient_orgnr"]) == (
        ORG_A,
        role.id,
        integration.id,
        ORG_A,
    )
    assert (record["utfall"], record["status"], record["feilkode"]) == ("avvist", 403, "PART_IKKE_TILLATT")
    assert record["parametre"] == {"personidentifikator": adult, "part": ["kjoenn"]}
    stored = str(record)
    assert token not in stored and integration.password not in stored


def test_the_error_id_of_a_refusal_is_the_request_id_its_audit_record_stores(
    served_gateway: ServedGateway,
) -> None:
    """An integrator quotes `errorId` to support, who find the request's audit record with it."""
    integration, role = served_gateway.config.granted_role(["navn"])
    adult = served_gateway.examples["ordinary-adult"][0]
    headers = served_gateway.headers(integration)
    refusals = [
        served_gateway.client.get(served_gateway.url(role, f"personer/{adult}?part=kjoenn"), headers=headers),
        served_gateway.client.get(served_gateway.url(role, f"personer/{adult}")),
        served_gateway.client.get(served_gateway.url(role, "no-such-resource"), headers=headers),
        served_gateway.client.post(
            served_gateway.url(role, "personer/bulkoppslag"), content=b"{not json", headers=headers
        ),
    ]

    assert [r.status_code for r in refusals] == [403, 401, 404, 415]
    for response in refusals:
        error_id = response.json()["errorId"]
        assert error_id == response.headers["X-Request-Id"]
        record = served_gateway.audit_record(error_id)
        assert record["status"] == response.status_code
        if response.status_code != 401:  # an authentication failure's precise reason is the record's only
            assert record["feilkode"] == response.json()["errorCode"]


def test_an_unauthenticated_call_is_recorded_without_an_organisation(served_gateway: ServedGateway) -> None:
    role_id = uuid.uuid4()
    response = served_gateway.client.get(served_gateway.url(role_id, "personer/12345678901"))

    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert (record["orgnr"], record["klient_orgnr"], record["integrasjon_id"]) == (None, None, None)
    assert (record["utfall"], record["status"], record["feilkode"]) == ("avvist", 401, "UGYLDIG_TOKEN")


def test_a_failing_audit_store_yields_503_and_no_personal_data(
    served_gateway: ServedGateway, tmp_path: Path
) -> None:
    """Built in this process: only here can the gateway's audit store be swapped for a broken one."""
    broken = create_engine(f"sqlite:///{tmp_path / 'missing-directory' / 'audit.sqlite3'}")
    integration, role = served_gateway.config.granted_role(["navn"])
    adult = served_gateway.examples["ordinary-adult"][0]
    headers = served_gateway.headers(integration)
    name = served_gateway.client.get(
        served_gateway.url(role, f"personer/{adult}?part=navn"), headers=headers
    ).json()["navn"][0]["etternavn"]

    with served_gateway.in_process_gateway() as gateway:
        app = FastAPI()
        api = MirroredApi(gateway.access, gateway.upstream, AuditLog(broken))
        app.include_router(build_gateway_router(api))
        with TestClient(app) as client:
            response = client.get(served_gateway.url(role, f"personer/{adult}?part=navn"), headers=headers)
            refused = client.get(served_gateway.url(role, f"personer/{adult}?part=kjoenn"), headers=headers)

    assert response.status_code == refused.status_code == 503
    body = response.json()
    assert body["errorCode"] == "REVISJONSLOGG_UTILGJENGELIG"
    assert "navn" not in (body["errorJson"] or {}) and name not in response.text
    assert refused.json()["errorCode"] == "REVISJONSLOGG_UTILGJENGELIG"
    # nothing is stored, but the request's id (in the server's log line) is the one to quote
    assert body["errorId"] == response.headers["X-Request-Id"]
