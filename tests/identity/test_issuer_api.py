"""The issuer over HTTP: a registered client does the JWT-bearer grant and gets a token that validates."""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from fiks_folkeregister.app import build_token_issuer
from fiks_folkeregister.identity.api import build_issuer_router
from fiks_folkeregister.identity.clients import ClientRegistry, RegisteredClient, make_grant_assertion
from fiks_folkeregister.identity.issuer import JWT_BEARER_GRANT_TYPE, TokenIssuer
from fiks_folkeregister.identity.tokens import AccessTokenValidator
from fiks_folkeregister.settings import Settings

ISSUER = "https://fiks-folkeregister.test/maskinporten/"
ORGNR = "921234562"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, issuer=ISSUER, access_token_lifetime_seconds=120)


@pytest.fixture
def issuer(settings: Settings) -> TokenIssuer:
    return build_token_issuer(settings)


@pytest.fixture
def validator(issuer: TokenIssuer) -> AccessTokenValidator:
    return AccessTokenValidator(issuer.jwks, issuer=ISSUER)


@pytest.fixture
def http(issuer: TokenIssuer) -> TestClient:
    app = FastAPI()
    app.include_router(build_issuer_router(issuer), prefix="/maskinporten")
    return TestClient(app)


@pytest.fixture
def client(issuer: TokenIssuer) -> RegisteredClient:
    return issuer.clients.create(ORGNR, "Testkommune")


def _assertion(client: RegisteredClient, **kwargs: Any) -> str:
    options: dict[str, Any] = {"audience": ISSUER, "scope": "ks:fiks"} | kwargs
    return make_grant_assertion(
        client.client_id, client.key_path.read_bytes(), client.certificate_path.read_bytes(), **options
    )


def _post(http: TestClient, assertion: str, grant_type: str = JWT_BEARER_GRANT_TYPE) -> httpx.Response:
    return http.post("/maskinporten/token", data={"grant_type": grant_type, "assertion": assertion})


def _signed(client: RegisteredClient, claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    """A grant with hand-made claims, signed with the client's own key and carrying its certificate."""
    key = RSAKey.import_key(client.key_path.read_bytes())
    x5c = [base64.b64encode(client.certificate_der).decode("ascii")]
    return jwt.encode({"alg": "RS256", "x5c": x5c, **(header or {})}, claims, key, algorithms=["RS256"])


def _grant_claims(client: RegisteredClient, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"aud": ISSUER, "iss": client.client_id, "scope": "ks:fiks", "iat": now, "exp": now + 120}
    claims["jti"] = str(uuid.uuid4())
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _refusal(response: httpx.Response, error: str = "invalid_grant") -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == error
    return str(body["error_description"])


def test_grant_gives_an_access_token_for_the_clients_organisation(
    http: TestClient, client: RegisteredClient, validator: AccessTokenValidator
) -> None:
    response = _post(http, _assertion(client, scope="ks:fiks skatteetaten:folkeregister"))

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 120
    assert body["scope"] == "ks:fiks skatteetaten:folkeregister"
    access = validator.validate(body["access_token"])
    assert access.orgnr == ORGNR
    assert access.client_id == client.client_id
    assert access.scopes == {"ks:fiks", "skatteetaten:folkeregister"}
    assert access.supplier_orgnr is None


def test_grant_with_a_registered_key_id_instead_of_certificate(
    http: TestClient, client: RegisteredClient, validator: AccessTokenValidator
) -> None:
    response = _post(http, _assertion(client, use_kid=True))

    assert response.status_code == 200, response.text
    assert validator.validate(response.json()["access_token"]).orgnr == ORGNR


def test_delegated_grant_acts_for_the_consumer_org(
    http: TestClient, client: RegisteredClient, validator: AccessTokenValidator, issuer: TokenIssuer
) -> None:
    issuer.clients.delegate(client.client_id, "964338531")

    response = _post(http, _assertion(client, consumer_org="964338531"))

    access = validator.validate(response.json()["access_token"])
    assert access.orgnr == "964338531"
    assert access.supplier_orgnr == ORGNR


def test_grant_naming_its_own_organisation_as_consumer_org_needs_no_delegation(
    http: TestClient, client: RegisteredClient, validator: AccessTokenValidator
) -> None:
    response = _post(http, _assertion(client, consumer_org=ORGNR))

    access = validator.validate(response.json()["access_token"])
    assert (access.orgnr, access.supplier_orgnr) == (ORGNR, None)


def test_grant_for_an_organisation_that_has_not_delegated_is_refused(
    http: TestClient, client: RegisteredClient, issuer: TokenIssuer
) -> None:
    issuer.clients.delegate(client.client_id, "964338531")  # another municipality's delegation

    refusal = _refusal(_post(http, _assertion(client, consumer_org="910000004")))

    assert "910000004 has not delegated" in refusal


def test_removed_delegation_is_refused_at_once_even_by_an_issuer_that_read_the_client_before(
    http: TestClient, client: RegisteredClient, issuer: TokenIssuer, settings: Settings
) -> None:
    issuer.clients.delegate(client.client_id, "964338531")
    assert _post(http, _assertion(client, consumer_org="964338531")).status_code == 200

    ClientRegistry(settings.issuer_dir).revoke_delegation(client.client_id, "964338531")  # e.g. the CLI

    assert "has not delegated" in _refusal(_post(http, _assertion(client, consumer_org="964338531")))


def test_grant_with_resource_gives_an_audience_restricted_token(
    http: TestClient, client: RegisteredClient, issuer: TokenIssuer
) -> None:
    response = _post(http, _assertion(client, resource="https://gateway.test"))

    gateway = AccessTokenValidator(issuer.jwks, issuer=ISSUER, audience="https://gateway.test")
    assert gateway.validate(response.json()["access_token"]).orgnr == ORGNR


def test_unknown_client_is_refused(http: TestClient, client: RegisteredClient) -> None:
    assertion = _signed(client, _grant_claims(client, iss=str(uuid.uuid4())))
    assert "unknown client" in _refusal(_post(http, assertion))


def test_client_id_that_is_a_path_is_refused(http: TestClient, client: RegisteredClient) -> None:
    assertion = _signed(client, _grant_claims(client, iss=f"../clients/{client.client_id}"))
    assert "unknown client" in _refusal(_post(http, assertion))


def test_certificate_other_than_the_registered_one_is_refused(
    http: TestClient, client: RegisteredClient, issuer: TokenIssuer
) -> None:
    other = issuer.clients.create(ORGNR, "Someone else")
    # Signed with the other client's key and certificate, but claiming to be `client`.
    assertion = make_grant_assertion(
        client.client_id, other.key_path.read_bytes(), other.certificate_path.read_bytes(), ISSUER, "ks:fiks"
    )
    assert "certificate" in _refusal(_post(http, assertion))


def test_kid_other_than_the_registered_one_is_refused(http: TestClient, client: RegisteredClient) -> None:
    key = RSAKey.import_key(client.key_path.read_bytes())
    assertion = jwt.encode(
        {"alg": "RS256", "kid": "not-this-one"}, _grant_claims(client), key, algorithms=["RS256"]
    )
    assert "kid" in _refusal(_post(http, assertion))


def test_grant_without_x5c_or_kid_is_refused(http: TestClient, client: RegisteredClient) -> None:
    key = RSAKey.import_key(client.key_path.read_bytes())
    assertion = jwt.encode({"alg": "RS256"}, _grant_claims(client), key, algorithms=["RS256"])
    assert "x5c or kid" in _refusal(_post(http, assertion))


def test_bad_signature_is_refused(http: TestClient, client: RegisteredClient) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger_pem = stranger.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # The registered certificate in the header, but a signature from a key that is not the certificate's.
    assertion = make_grant_assertion(
        client.client_id, stranger_pem, client.certificate_path.read_bytes(), ISSUER, "ks:fiks"
    )
    assert "signature" in _refusal(_post(http, assertion))


def test_expired_grant_is_refused(http: TestClient, client: RegisteredClient) -> None:
    now = int(time.time())
    assertion = _signed(client, _grant_claims(client, iat=now - 300, exp=now - 200))
    assert "expired" in _refusal(_post(http, assertion))


def test_grant_from_the_future_is_refused(http: TestClient, client: RegisteredClient) -> None:
    now = int(time.time())
    assertion = _signed(client, _grant_claims(client, iat=now + 300, exp=now + 400))
    assert "not yet valid" in _refusal(_post(http, assertion))


def test_grant_living_longer_than_120_seconds_is_refused(http: TestClient, client: RegisteredClient) -> None:
    now = int(time.time())
    assertion = _signed(client, _grant_claims(client, iat=now, exp=now + 3600))
    assert "120 seconds" in _refusal(_post(http, assertion))


def test_grant_for_another_audience_is_refused(http: TestClient, client: RegisteredClient) -> None:
    assertion = _assertion(client, audience="https://maskinporten.no/")
    assert "audience" in _refusal(_post(http, assertion))


def test_replayed_grant_is_refused(http: TestClient, client: RegisteredClient) -> None:
    assertion = _assertion(client)

    assert _post(http, assertion).status_code == 200
    assert "replayed" in _refusal(_post(http, assertion))


def test_alg_none_grant_is_refused(http: TestClient, client: RegisteredClient) -> None:
    def segment(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    assertion = f"{segment({'alg': 'none'})}.{segment(_grant_claims(client))}."
    assert "'none'" in _refusal(_post(http, assertion))


@pytest.mark.parametrize("scope", [None, "", "fiks", "ks:fiks nope"])
def test_missing_or_malformed_scope_is_refused(
    http: TestClient, client: RegisteredClient, scope: Any
) -> None:
    assertion = _signed(client, _grant_claims(client, scope=scope))
    assert "scope" in _refusal(_post(http, assertion), error="invalid_scope")


def test_malformed_consumer_org_is_refused(http: TestClient, client: RegisteredClient) -> None:
    assert "consumer_org" in _refusal(_post(http, _assertion(client, consumer_org="12345")))
    # nine digits, but the check digit is wrong
    assert "consumer_org" in _refusal(_post(http, _assertion(client, consumer_org="964338530")))


def test_garbage_assertion_is_refused(http: TestClient) -> None:
    assert "not a signed JWT" in _refusal(_post(http, "garbage"))


def test_unsupported_grant_type_is_refused(http: TestClient, client: RegisteredClient) -> None:
    response = _post(http, _assertion(client), grant_type="client_credentials")
    _refusal(response, error="unsupported_grant_type")


def test_missing_assertion_is_an_invalid_request(http: TestClient) -> None:
    response = http.post("/maskinporten/token", data={"grant_type": JWT_BEARER_GRANT_TYPE})
    _refusal(response, error="invalid_request")


def test_json_body_is_an_invalid_request(http: TestClient, client: RegisteredClient) -> None:
    response = http.post(
        "/maskinporten/token", json={"grant_type": JWT_BEARER_GRANT_TYPE, "assertion": _assertion(client)}
    )
    assert "x-www-form-urlencoded" in _refusal(response, error="invalid_request")


def test_jwks_endpoint_serves_the_keys_that_verify_tokens(http: TestClient, issuer: TokenIssuer) -> None:
    jwks = http.get("/maskinporten/jwk").json()
    validator = AccessTokenValidator(lambda: jwks, issuer=ISSUER)

    assert validator.validate(issuer.issue(ORGNR, ["ks:fiks"], "c")).orgnr == ORGNR
    assert all("d" not in key for key in jwks["keys"])


def test_metadata_points_at_the_mounted_endpoints(http: TestClient) -> None:
    metadata = http.get("/maskinporten/.well-known/oauth-authorization-server").json()

    assert metadata["issuer"] == ISSUER
    assert metadata["token_endpoint"] == "http://testserver/maskinporten/token"
    assert metadata["jwks_uri"] == "http://testserver/maskinporten/jwk"
    assert metadata["grant_types_supported"] == [JWT_BEARER_GRANT_TYPE]
    assert metadata["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
