"""Security of the mirrored API: each way in that must be refused is, with the exact status and code."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
import pytest

from fiks_folkeregister.domain.informasjonselementer import PERSON_BASIS
from fiks_folkeregister.domain.rolle import Bruksomraade
from fiks_folkeregister.identity.clients import ClientRegistry
from fiks_folkeregister.identity.issuer import TokenIssuer
from fiks_folkeregister.identity.keys import SigningKeys
from tests.gateway.conftest import ORG_A, ORG_B, VENDOR, Integration, ServedGateway

PLATFORM_FIELDS = {"timestamp", "status", "error", "errorId", "path", "message", "errorCode", "errorJson"}


def assert_refused(
    served: ServedGateway,
    response: httpx.Response,
    status: int,
    code: str,
    *secrets: str,
    feilkode: str | None = None,
) -> dict[str, Any]:
    """The platform error body with this status and code, and exactly one audit record saying so (with
    `feilkode` when the record keeps a more precise reason than the answer)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == PLATFORM_FIELDS
    assert (body["status"], body["errorCode"]) == (status, code)
    assert body["path"] == response.request.url.path
    record = served.audit_record(response.headers["X-Request-Id"])
    assert (record["utfall"], record["status"], record["feilkode"], record["personer"]) == (
        "avvist",
        status,
        feilkode or code,
        [],
    )
    stored = str(record)
    for secret in secrets:
        assert secret not in stored
    return body


def assert_failed_authentication(
    served: ServedGateway, response: httpx.Response, reason: str, integration: Integration, *secrets: str
) -> dict[str, Any]:
    """Every authentication failure answers alike; only the audit record says why."""
    body = assert_refused(
        served, response, 401, "AUTENTISERING_FEILET", integration.password, *secrets, feilkode=reason
    )
    assert body["message"] == f"Authentication failed for integration with id {integration.id}"
    assert body["errorJson"] is None  # no details: null, as KS's ErrorMessage (an optional string) allows
    return body


@pytest.fixture
def granted(served_gateway: ServedGateway) -> tuple[Integration, Any]:
    return served_gateway.config.granted_role([PERSON_BASIS, "relasjon-utvidet"])


def lookup(
    served: ServedGateway, role: Any, headers: dict[str, str], query: str = "?part=navn"
) -> httpx.Response:
    adult = served.examples["ordinary-adult"][0]
    return served.client.get(served.url(role, f"personer/{adult}{query}"), headers=headers)


def test_a_granted_integration_gets_its_answer(served_gateway: ServedGateway, granted: Any) -> None:
    integration, role = granted
    assert lookup(served_gateway, role, served_gateway.headers(integration)).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt", "Bearer a.b.c"],
)
def test_a_missing_or_malformed_token_is_unauthorised(
    served_gateway: ServedGateway, granted: Any, authorization: str | None
) -> None:
    integration, role = granted
    headers = served_gateway.headers(integration)
    del headers["Authorization"]
    if authorization is not None:
        headers["Authorization"] = authorization
    response = lookup(served_gateway, role, headers)
    assert_failed_authentication(served_gateway, response, "UGYLDIG_TOKEN", integration)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("age_seconds", [600, -600], ids=["expired", "not-yet-valid"])
def test_an_expired_or_not_yet_valid_token_is_unauthorised(
    served_gateway: ServedGateway, granted: Any, age_seconds: int
) -> None:
    integration, role = granted
    token = served_gateway.token(age_seconds=age_seconds)
    response = lookup(served_gateway, role, served_gateway.headers(integration, token))
    assert_failed_authentication(served_gateway, response, "UGYLDIG_TOKEN", integration, token)


def test_a_token_signed_by_an_unknown_key_is_unauthorised(
    served_gateway: ServedGateway, granted: Any, tmp_path: Any
) -> None:
    integration, role = granted
    stranger = TokenIssuer(SigningKeys(tmp_path), ClientRegistry(tmp_path), served_gateway.settings.issuer)
    token = stranger.issue(
        ORG_A, ["ks:fiks"], client_id="stranger", audience=served_gateway.settings.gateway_token_audience
    )
    response = lookup(served_gateway, role, served_gateway.headers(integration, token))
    assert_failed_authentication(served_gateway, response, "UGYLDIG_TOKEN", integration, token)


def test_a_token_with_alg_none_is_unauthorised(served_gateway: ServedGateway, granted: Any) -> None:
    integration, role = granted
    genuine = served_gateway.token()
    claims = genuine.split(".")[1]
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    response = lookup(served_gateway, role, served_gateway.headers(integration, f"{header}.{claims}."))
    assert_failed_authentication(served_gateway, response, "UGYLDIG_TOKEN", integration)


def test_a_token_from_another_issuer_is_unauthorised(served_gateway: ServedGateway, granted: Any) -> None:
    integration, role = granted
    settings = served_gateway.settings
    impostor = TokenIssuer(
        SigningKeys(settings.issuer_dir), ClientRegistry(settings.issuer_dir), "https://impostor.example/"
    )
    token = impostor.issue(ORG_A, ["ks:fiks"], client_id="impostor", audience=settings.gateway_token_audience)
    response = lookup(served_gateway, role, served_gateway.headers(integration, token))
    assert_failed_authentication(served_gateway, response, "UGYLDIG_TOKEN", integration)


@pytest.mark.parametrize(
    "claims",
    [
        {"audience": None},
        {"audience": "https://another-api.example/"},
        {"lifetime_seconds": 3600},
    ],
    ids=["no-audience", "other-audience", "lives-an-hour"],
)
def test_a_token_for_another_audience_or_living_too_long_is_unauthorised(
    served_gateway: ServedGateway, granted: Any, claims: dict[str, Any]
) -> None:
    integration, role = granted
    token = served_gateway.token(**claims)
    response = lookup(served_gateway, role, served_gateway.headers(integration, token))
    assert_failed_authentication(served_gateway, response, "UGYLDIG_TOKEN", integration, token)


def test_a_token_without_the_scope_is_forbidden(served_gateway: ServedGateway, granted: Any) -> None:
    integration, role = granted
    token = served_gateway.token(scopes=["folkeregister:deling/offentligmedhjemmel"])
    response = lookup(served_gateway, role, served_gateway.headers(integration, token))
    body = assert_refused(served_gateway, response, 403, "MANGLER_SCOPE")
    assert body["errorJson"] == {"paakrevdScope": "ks:fiks"}


def test_a_wrong_password_is_unauthorised(served_gateway: ServedGateway, granted: Any) -> None:
    integration, role = granted
    headers = {**served_gateway.headers(integration), "IntegrasjonPassord": "guess"}
    response = lookup(served_gateway, role, headers)
    assert_failed_authentication(served_gateway, response, "FEIL_PASSORD", integration, "guess")
    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert record["orgnr"] == ORG_A  # the owner sees attempts on its integration


def test_an_unknown_integration_is_unauthorised_exactly_like_a_wrong_password(
    served_gateway: ServedGateway, granted: Any
) -> None:
    integration, role = granted
    unknown = Integration(uuid.uuid4(), integration.password, integration.orgnr)
    response = lookup(served_gateway, role, served_gateway.headers(unknown))
    assert_failed_authentication(served_gateway, response, "UKJENT_INTEGRASJON", unknown)
    assert served_gateway.audit_record(response.headers["X-Request-Id"])["orgnr"] is None


@pytest.mark.parametrize("missing", ["IntegrasjonId", "IntegrasjonPassord"])
def test_missing_integration_headers_are_unauthorised(
    served_gateway: ServedGateway, granted: Any, missing: str
) -> None:
    integration, role = granted
    headers = served_gateway.headers(integration)
    del headers[missing]
    response = lookup(served_gateway, role, headers)
    assert_refused(served_gateway, response, 401, "AUTENTISERING_FEILET", feilkode="UGYLDIG_INTEGRASJON")


def test_malformed_ids_are_refused(served_gateway: ServedGateway, granted: Any) -> None:
    integration, role = granted
    headers = {**served_gateway.headers(integration), "IntegrasjonId": "not-a-uuid"}
    response = lookup(served_gateway, role, headers)
    body = assert_refused(
        served_gateway, response, 401, "AUTENTISERING_FEILET", feilkode="UGYLDIG_INTEGRASJON"
    )
    assert body["message"] == "Authentication failed for integration with id (none)"
    bad_role = lookup(served_gateway, "not-a-uuid", served_gateway.headers(integration))
    assert_refused(served_gateway, bad_role, 400, "UGYLDIG_ROLLEID")


def test_an_integration_operated_by_another_organisations_token_is_forbidden(
    served_gateway: ServedGateway, granted: Any
) -> None:
    integration, role = granted
    response = lookup(served_gateway, role, served_gateway.headers(integration, served_gateway.token(ORG_B)))
    assert_failed_authentication(served_gateway, response, "FEIL_ORGANISASJON", integration)
    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert (record["orgnr"], record["klient_orgnr"]) == (ORG_A, ORG_B)  # the owner sees the attempt


def test_a_right_password_with_another_organisations_token_answers_like_a_wrong_one(
    served_gateway: ServedGateway, granted: Any
) -> None:
    """A leaked password cannot be confirmed with a token of one's own organisation."""
    integration, role = granted
    foreign = served_gateway.token(ORG_B)
    right = lookup(served_gateway, role, served_gateway.headers(integration, foreign))
    wrong = lookup(
        served_gateway, role, {**served_gateway.headers(integration, foreign), "IntegrasjonPassord": "guess"}
    )
    assert (right.status_code, wrong.status_code) == (401, 401)
    assert {key: value for key, value in right.json().items() if key not in {"timestamp", "errorId"}} == {
        key: value for key, value in wrong.json().items() if key not in {"timestamp", "errorId"}
    }


def test_a_vendor_operates_the_integration_it_is_authorised_for_and_the_owner_does_not(
    served_gateway: ServedGateway,
) -> None:
    config = served_gateway.config
    integration = config.integration(ORG_A, autorisert_orgnr=VENDOR)
    role = config.role(["navn"])
    config.grant(integration, role)
    assert lookup(served_gateway, role, served_gateway.headers(integration)).status_code == 200
    as_owner = lookup(served_gateway, role, served_gateway.headers(integration, served_gateway.token(ORG_A)))
    assert_failed_authentication(served_gateway, as_owner, "FEIL_ORGANISASJON", integration)


def test_a_role_of_another_organisation_answers_like_an_unknown_role(served_gateway: ServedGateway) -> None:
    """Even granted by mistake, another organisation's role is unusable, and its existence not revealed."""
    config = served_gateway.config
    integration = config.integration(ORG_A)
    foreign = config.role(["navn"], orgnr=ORG_B)
    config.grant(integration, foreign)

    foreign_body = assert_refused(
        served_gateway,
        lookup(served_gateway, foreign, served_gateway.headers(integration)),
        404,
        "UKJENT_ROLLE",
    )
    unknown_id = uuid.uuid4()
    unknown_body = assert_refused(
        served_gateway,
        lookup(served_gateway, unknown_id, served_gateway.headers(integration)),
        404,
        "UKJENT_ROLLE",
    )
    assert foreign_body["message"].replace(str(foreign.id), "") == unknown_body["message"].replace(
        str(unknown_id), ""
    )


def test_a_role_not_granted_is_forbidden(served_gateway: ServedGateway) -> None:
    config = served_gateway.config
    integration = config.integration(ORG_A)
    role = config.role(["navn"])
    response = lookup(served_gateway, role, served_gateway.headers(integration))
    assert_refused(served_gateway, response, 403, "ROLLE_IKKE_TILDELT")


def test_a_role_not_valid_for_the_api_is_forbidden_and_audited(served_gateway: ServedGateway) -> None:
    """A role only for the search portal (gyldighet soekWeb) cannot be used through the machine API, even
    when granted to the integration; the refusal says why and is audited like the others."""
    integration, role = served_gateway.config.granted_role(["navn"], gyldighet=["soekWeb"])
    response = lookup(served_gateway, role, served_gateway.headers(integration))
    body = assert_refused(served_gateway, response, 403, "ROLLE_IKKE_GYLDIG_FOR_API")
    assert "through the API" in body["message"] and role.navn in body["message"]
    assert body["errorJson"] == {"gyldighet": ["soekWeb"]}

    both, role_for_both = served_gateway.config.granted_role(["navn"], gyldighet=["api", "soekWeb"])
    assert lookup(served_gateway, role_for_both, served_gateway.headers(both)).status_code == 200


def test_a_grant_revoked_a_moment_ago_refuses_the_next_request(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    headers = served_gateway.headers(integration)
    assert lookup(served_gateway, role, headers).status_code == 200

    served_gateway.config.revoke(integration, role)

    assert_refused(served_gateway, lookup(served_gateway, role, headers), 403, "ROLLE_IKKE_TILDELT")


def test_parts_outside_the_role_are_refused_naming_them(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn", "familierelasjon"])
    response = lookup(
        served_gateway,
        role,
        served_gateway.headers(integration),
        "?part=navn&part=relasjon-utvidet&part=kjoenn",
    )
    body = assert_refused(served_gateway, response, 403, "PART_IKKE_TILLATT")
    assert body["errorJson"]["ikkeTillatteParter"] == [
        "foreldreansvar",
        "kjoenn",
        "vergemaalEllerFremtidsfullmakt",
    ]
    for refused in body["errorJson"]["ikkeTillatteParter"]:
        assert refused in body["message"]


def test_an_unknown_part_is_a_bad_request(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    response = lookup(served_gateway, role, served_gateway.headers(integration), "?part=navn,kjoenn")
    body = assert_refused(served_gateway, response, 400, "UGYLDIG_PART")
    assert body["errorJson"]["ukjenteParter"] == ["navn,kjoenn"]


def test_history_without_the_roles_history_is_refused(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    response = lookup(served_gateway, role, served_gateway.headers(integration), "?part=navn&part=historikk")
    assert_refused(served_gateway, response, 403, "HISTORIKK_IKKE_TILLATT")


@pytest.mark.parametrize("query", ["", "?part=historikk"], ids=["no-part", "only-historikk"])
def test_no_part_with_a_partial_person_basis_role_is_refused(
    served_gateway: ServedGateway, query: str
) -> None:
    integration, role = served_gateway.config.granted_role(["navn", "bostedsadresse", "historikk"])
    response = lookup(served_gateway, role, served_gateway.headers(integration), query)
    body = assert_refused(served_gateway, response, 403, "PERSON_BASIS_MANGLER")
    assert "foedsel" in body["errorJson"]["manglendeElementer"]


def test_a_resource_outside_the_roles_usage_areas_is_refused(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(
        ["navn"], bruksomraader=[Bruksomraade.HENDELSESLISTE]
    )
    headers = served_gateway.headers(integration)
    response = lookup(served_gateway, role, headers)
    body = assert_refused(served_gateway, response, 403, "BRUKSOMRAADE_MANGLER")
    assert body["errorJson"]["paakrevdeBruksomraader"] == ["sok-etter-person"]

    bulk = served_gateway.client.post(
        served_gateway.url(role, "personer/bulkoppslag?part=navn"),
        json={"foedselsEllerDNummer": served_gateway.examples["ordinary-adult"][:1]},
        headers=headers,
    )
    assert bulk.status_code == 200, bulk.text


def test_a_second_gateway_on_the_same_database_sees_a_revocation_at_once(
    served_gateway: ServedGateway,
) -> None:
    """Two gateways on one database, each with its own engine and password cache: the served one and an
    app in this process (in `two-processes`, two processes indeed)."""
    from fastapi.testclient import TestClient

    from fiks_folkeregister.app import build_gateway_app

    second_app = build_gateway_app(served_gateway.settings)
    integration, role = served_gateway.config.granted_role(["navn"])
    headers = served_gateway.headers(integration)
    adult = served_gateway.examples["ordinary-adult"][0]
    url = served_gateway.url(role, f"personer/{adult}?part=navn")
    with TestClient(second_app) as second:
        assert served_gateway.client.get(url, headers=headers).status_code == 200
        assert second.get(url, headers=headers).status_code == 200

        served_gateway.config.revoke(integration, role)

        assert served_gateway.client.get(url, headers=headers).json()["errorCode"] == "ROLLE_IKKE_TILDELT"
        assert second.get(url, headers=headers).json()["errorCode"] == "ROLLE_IKKE_TILDELT"
    second_app.state.gateway.engine.dispose()
    second_app.state.gateway.register.repository.engine.dispose()
