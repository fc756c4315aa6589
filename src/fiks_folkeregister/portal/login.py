"""The portal's OpenID Connect client (Authlib): authorization code with PKCE (S256), ``state`` and ``nonce``.

The provider (ID-porten, the embedded stand-in, or Entra ID) is chosen by settings alone: its discovery URL,
client id, secret and how the secret is sent, the scopes, the redirect URL, the claim holding the identity
number and the level of assurance required (`assurance.py`). The ID token is validated by Authlib (signature
against the provider's JWKS, ``iss``, ``aud``, ``exp``, ``iat``, ``nonce``); this module adds what Authlib
leaves to the relying party: the level of assurance and the identity claim (a valid fødselsnummer or
d-nummer, or no login).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError

from fiks_folkeregister.domain.identitetsnummer import is_valid
from fiks_folkeregister.portal.assurance import Assurance


class LoginFailed(Exception):
    """The login could not be completed; ``reason`` is for the log (no personal data), ``kind`` picks the page."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class LoginStart:
    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class Login:
    """A completed login: the person's identity number and what ``end_session`` needs."""

    pid: str
    acr: str
    id_token: str


class OidcLogin:
    def __init__(
        self,
        *,
        discovery_url: str,
        client_id: str,
        client_secret: str,
        redirect_url: str,
        assurance: Assurance | None = None,
        identity_claim: str = "pid",
        scopes: tuple[str, ...] = ("openid",),
        auth_method: str = "client_secret_basic",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if "openid" not in scopes:
            raise ValueError("the scopes must include openid")
        client_kwargs: dict[str, Any] = {
            "scope": " ".join(scopes),
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": auth_method,
            "timeout": 10.0,
        }
        if transport is not None:
            client_kwargs["transport"] = transport  # the embedded stand-in, reached in this process
        self._client = OAuth().register(
            "portal",
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=discovery_url,
            client_kwargs=client_kwargs,
        )
        self.client_id = client_id
        self.redirect_url = redirect_url
        self.assurance = assurance or Assurance()
        self.identity_claim = identity_claim

    async def metadata(self) -> dict[str, Any]:
        return await self._client.load_server_metadata()

    async def start(self) -> LoginStart:
        """Where to send the browser, and the secrets to keep in the session until it comes back."""
        created = await self._client.create_authorization_url(
            self.redirect_url, ui_locales="nb", **self.assurance.authorization_parameters()
        )
        return LoginStart(
            url=created["url"],
            state=created["state"],
            nonce=created["nonce"],
            code_verifier=created["code_verifier"],
        )

    async def finish(self, params: dict[str, str], *, state: str, nonce: str, code_verifier: str) -> Login:
        """The provider's answer at the redirect URL, checked against what ``start`` kept."""
        if "error" in params:
            kind = "cancelled" if params["error"] == "access_denied" else "failed"
            raise LoginFailed(kind, f"the provider answered {params['error']}")
        returned = params.get("state", "")
        if not returned or not hmac.compare_digest(returned.encode(), state.encode()):
            raise LoginFailed("failed", "state does not match the login in progress")
        metadata = await self.metadata()
        if "iss" in params and params["iss"] != metadata.get("issuer"):  # RFC 9207 mix-up defence
            raise LoginFailed("failed", "iss in the answer is not the provider's")
        code = params.get("code")
        if not code:
            raise LoginFailed("failed", "no code in the answer")
        try:
            token = await self._client.fetch_access_token(
                redirect_uri=self.redirect_url, code=code, code_verifier=code_verifier
            )
            claims = await self._client.parse_id_token(
                token,
                nonce=nonce,
                claims_options={
                    "iss": {"essential": True, "value": metadata["issuer"]},
                    "aud": {"essential": True, "value": self.client_id},
                    "nonce": {"essential": True},
                },
            )
        except (OAuthError, JoseError, httpx.HTTPError, KeyError, ValueError) as error:
            raise LoginFailed(
                "failed", f"token exchange or ID token refused: {type(error).__name__}"
            ) from None
        if claims is None:
            raise LoginFailed("failed", "no ID token")
        if not self.assurance.met_by(claims):
            raise LoginFailed("acr", "the level of assurance is too low or missing")
        pid = claims.get(self.identity_claim)
        if not isinstance(pid, str) or not is_valid(pid):
            raise LoginFailed("identity", "the identity claim is missing or not an identity number")
        return Login(pid=pid, acr=self.assurance.level(claims), id_token=token["id_token"])

    async def logout_url(self, id_token: str, post_logout_redirect: str, state: str) -> str | None:
        """The provider's end-session URL, or None when the provider has none."""
        metadata = await self.metadata()
        if not metadata.get("end_session_endpoint"):
            return None
        result = await self._client.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect, id_token_hint=id_token, state=state
        )
        return str(result["url"])
