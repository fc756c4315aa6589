"""The portal's login against another provider, configured by settings alone: a small Entra ID-like provider
(issuer with a tenant, the identity number in a custom claim, an authentication context in ``acrs``, methods
in ``amr``, the secret sent in the form) answering in process. Every refusal leaves no login behind."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fiks_folkeregister.app import build_portal_login
from fiks_folkeregister.portal.assurance import Assurance
from fiks_folkeregister.portal.login import LoginFailed, OidcLogin
from fiks_folkeregister.settings import Settings

TENANT = "https://login.example.test/0f6b2a4e-tenant/v2.0"
CLIENT_ID = "portal-app"
SECRET = "s3cret-of-the-app"
CASE_WORKER = "17912099997"
D_NUMBER = "41010112345"  # not a valid d-number (check digits)
IDENTITY_CLAIM = "extn.foedselsnummer"


@dataclass
class EntraLike:
    """Discovery, keys and a token endpoint; the next ID token's claims are set by the test."""

    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "entra-1"}))
    claims: dict[str, Any] = field(default_factory=dict)
    issued: dict[str, dict[str, str]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/keys", self.jwks),
                Route("/token", self.token, methods=["POST"]),
            ]
        )

    async def discovery(self, request: Request) -> JSONResponse:
        base = "https://login.example.test"
        return JSONResponse(
            {
                "issuer": TENANT,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/keys",
                "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            }
        )

    async def jwks(self, request: Request) -> JSONResponse:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    def authorize(self, url: str) -> str:
        """The user logs in: a code for this authorization request."""
        params = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        code = secrets.token_urlsafe(16)
        self.issued[code] = params
        return code

    async def token(self, request: Request) -> JSONResponse:
        form = {key: str(value) for key, value in (await request.form()).items()}
        self.token_requests.append(form)
        asked = self.issued.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (
            asked is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != SECRET
            or asked.get("code_challenge") != challenge
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {
            "iss": TENANT,
            "aud": CLIENT_ID,
            "sub": "pairwise-subject",
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "nonce": asked["nonce"],
            "tid": "0f6b2a4e-tenant",
            "ver": "2.0",
            **self.claims,
        }
        token = jwt.encode({"alg": "RS256", "kid": "entra-1"}, claims, self.key)
        return JSONResponse({"access_token": "at", "token_type": "Bearer", "id_token": token})


def entra_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """The settings an operator would set for Entra ID (see docs/portal.md)."""
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "public_url": "https://portal.kommune.test",
        "portal_oidc_discovery_url": "https://login.example.test/.well-known/openid-configuration",
        "portal_client_id": CLIENT_ID,
        "portal_client_secret": SECRET,
        "portal_client_auth_method": "client_secret_post",
        "portal_oidc_scopes": ["openid", "profile"],
        "portal_identity_claim": IDENTITY_CLAIM,
        "portal_acr_claim": "acrs",
        "portal_accepted_acr": ["c1"],
        **overrides,
    }
    return Settings(**values)


def log_in(login: OidcLogin, provider: EntraLike, claims: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """One login from start to finish; the login (or the LoginFailed) and what was asked at authorize."""

    async def run() -> Any:
        started = await login.start()
        code = provider.authorize(started.url)
        provider.claims = claims
        return await login.finish(
            {"code": code, "state": started.state},
            state=started.state,
            nonce=started.nonce,
            code_verifier=started.code_verifier,
        ), started.url

    try:
        done, url = asyncio.run(run())
    except LoginFailed as failure:
        return failure, {}
    return done, {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def provider() -> EntraLike:
    return EntraLike()


def entra_login(tmp_path: Path, provider: EntraLike, **overrides: Any) -> OidcLogin:
    return build_portal_login(entra_settings(tmp_path, **overrides), httpx.ASGITransport(app=provider.app()))


def test_an_entra_login_with_the_authentication_context_is_accepted(
    tmp_path: Path, provider: EntraLike
) -> None:
    login = entra_login(tmp_path, provider)
    done, asked = log_in(
        login, provider, {IDENTITY_CLAIM: CASE_WORKER, "acrs": ["c1"], "amr": ["pwd", "mfa"]}
    )
    assert not isinstance(done, LoginFailed), done
    assert done.pid == CASE_WORKER and done.acr == "c1"
    # The authorization request asked for the context as an essential claim, with the configured scopes.
    assert json.loads(asked["claims"]) == {"id_token": {"acrs": {"essential": True, "values": ["c1"]}}}
    assert "acr_values" not in asked
    assert asked["scope"] == "openid profile" and asked["code_challenge_method"] == "S256"
    # The secret went in the form (client_secret_post), as configured.
    assert provider.token_requests[-1]["client_secret"] == SECRET


@pytest.mark.parametrize(
    "claims",
    [
        {IDENTITY_CLAIM: CASE_WORKER},  # no level at all
        {IDENTITY_CLAIM: CASE_WORKER, "acrs": []},
        {IDENTITY_CLAIM: CASE_WORKER, "acrs": ["c2"]},  # another context
        {IDENTITY_CLAIM: CASE_WORKER, "acrs": "c2"},
        {IDENTITY_CLAIM: CASE_WORKER, "acr": "c1"},  # the right value in the wrong claim
        {IDENTITY_CLAIM: CASE_WORKER, "acrs": {"c1": True}},
    ],
    ids=["missing", "empty", "other-context", "other-as-string", "wrong-claim", "not-a-list"],
)
def test_an_entra_login_without_an_accepted_level_is_refused(
    tmp_path: Path, provider: EntraLike, claims: dict[str, Any]
) -> None:
    failure, _ = log_in(entra_login(tmp_path, provider), provider, claims)
    assert isinstance(failure, LoginFailed) and failure.kind == "acr"


@pytest.mark.parametrize(
    "claims",
    [
        {"acrs": ["c1"]},  # no identity number
        {"acrs": ["c1"], IDENTITY_CLAIM: "17912099998"},  # wrong check digits
        {"acrs": ["c1"], IDENTITY_CLAIM: D_NUMBER},
        {"acrs": ["c1"], IDENTITY_CLAIM: 17912099997},  # a number, not a string
        {"acrs": ["c1"], "pid": CASE_WORKER},  # ID-porten's claim, not the configured one
    ],
    ids=["missing", "check-digits", "bad-d-number", "not-a-string", "other-claim"],
)
def test_an_entra_login_without_a_valid_identity_number_is_refused(
    tmp_path: Path, provider: EntraLike, claims: dict[str, Any]
) -> None:
    failure, _ = log_in(entra_login(tmp_path, provider), provider, claims)
    assert isinstance(failure, LoginFailed) and failure.kind == "identity"


def test_a_required_method_must_be_in_amr(tmp_path: Path, provider: EntraLike) -> None:
    login = entra_login(tmp_path, provider, portal_accepted_acr=[], portal_required_amr=["mfa"])
    done, asked = log_in(login, provider, {IDENTITY_CLAIM: CASE_WORKER, "amr": ["pwd", "mfa"]})
    assert not isinstance(done, LoginFailed) and done.pid == CASE_WORKER
    assert "claims" not in asked and "acr_values" not in asked
    for amr in (["pwd"], [], None):
        failure, _ = log_in(login, provider, {IDENTITY_CLAIM: CASE_WORKER, "amr": amr})
        assert isinstance(failure, LoginFailed) and failure.kind == "acr", amr
    # amr must be a list: Authlib refuses the token before the level is looked at.
    failure, _ = log_in(login, provider, {IDENTITY_CLAIM: CASE_WORKER, "amr": "mfa"})
    assert isinstance(failure, LoginFailed)


def test_a_token_from_another_tenant_is_refused(tmp_path: Path, provider: EntraLike) -> None:
    failure, _ = log_in(
        entra_login(tmp_path, provider),
        provider,
        {IDENTITY_CLAIM: CASE_WORKER, "acrs": ["c1"], "iss": "https://login.example.test/other/v2.0"},
    )
    assert isinstance(failure, LoginFailed) and failure.kind == "failed"


def test_settings_that_accept_no_login_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="accepts no login"):
        entra_settings(tmp_path, portal_accepted_acr=[], portal_required_amr=[])
    with pytest.raises(ValueError, match="openid"):
        entra_settings(tmp_path, portal_oidc_scopes=["profile"])
    with pytest.raises(ValueError):
        Assurance(accepted=(), required_amr=())


def test_id_porten_defaults_ask_for_substantial_and_accept_high_only_above_it(tmp_path: Path) -> None:
    default = Settings(data_dir=tmp_path)
    assert default.portal_accepted_levels == ("idporten-loa-substantial", "idporten-loa-high")
    high = Settings(data_dir=tmp_path, portal_minimum_acr="idporten-loa-high")
    assert high.portal_accepted_levels == ("idporten-loa-high",)
    assurance = Assurance(accepted=default.portal_accepted_levels)
    assert assurance.authorization_parameters() == {"acr_values": "idporten-loa-substantial"}
    assert assurance.met_by({"acr": "idporten-loa-high"})
    assert not assurance.met_by({"acr": "idporten-loa-low"})
    assert not assurance.met_by({"acr": ["idporten-loa-low"]})
    assert not assurance.met_by({})


def _stand_in_portal(tmp_path: Path, **settings: Any) -> Any:
    from fastapi.testclient import TestClient

    from fiks_folkeregister.app import build_gateway_app
    from tests.portal.conftest import BASE, FakeDirectory, MovableClock, Portal

    configured = Settings(
        data_dir=tmp_path, public_url=BASE, extract_worker=False, idporten_stand_in=True, **settings
    )
    clock, directory = MovableClock(), FakeDirectory()
    client = TestClient(
        build_gateway_app(configured, portal_clock=clock, person_directory=directory), base_url=BASE
    )
    return Portal(client, clock, directory, tmp_path)


def test_the_login_pages_follow_the_settings(tmp_path: Path) -> None:
    """Through the whole app and the stand-in: an identity claim that holds no identity number (the stand-in's
    pairwise `sub`) and a minimum level above the login's are each refused with their page, and no session."""
    from tests.portal.conftest import CASE_WORKER

    portal = _stand_in_portal(tmp_path / "sub", portal_identity_claim="sub")
    with portal.client:
        portal.directory.add_user(CASE_WORKER)
        answer = portal.client.get(portal.authorize(portal.start_login()), follow_redirects=False)
        assert answer.status_code == 403
        assert "Innloggingen sa ikke hvem du er" in answer.text
        assert portal.client.get("/portal/velg-rolle", follow_redirects=False).headers["location"] == (
            "/portal/innlogging"
        )
    portal = _stand_in_portal(tmp_path / "high", portal_minimum_acr="idporten-loa-high")
    with portal.client:
        portal.directory.add_user(CASE_WORKER)
        params = portal.start_login()
        assert params["acr_values"] == "idporten-loa-high"
        refused = portal.client.get(portal.authorize(params), follow_redirects=False)
        assert refused.status_code == 403 and "For lavt sikkerhetsnivå" in refused.text
        accepted = portal.client.get(
            portal.authorize(portal.start_login(), level="idporten-loa-high"), follow_redirects=False
        )
        assert accepted.headers["location"] == "/portal/velg-rolle"
