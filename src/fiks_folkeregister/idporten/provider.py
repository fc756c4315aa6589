"""The ID-porten stand-in's rules: the registered client, authorization requests, single-use codes, ID tokens.

Like ID-porten: authorization code flow only, PKCE with S256 required, ``state`` and ``nonce`` passed through,
the ID token carries ``pid`` (the identity number) and ``acr`` (``idporten-loa-substantial`` or ``-high``).
Unlike ID-porten (on purpose, for development and tests): one registered client (the portal), no single
sign-on session (every login asks for the number), anyone may log in as any valid synthetic or real-looking
number, and the login page lets the tester choose the level of assurance.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from sqlalchemy import Engine, delete, insert, select

from fiks_folkeregister.domain.identitetsnummer import InvalidIdentitetsnummer, parse_identitetsnummer
from fiks_folkeregister.identity.keys import SIGNING_ALGORITHM, SigningKeys
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import idporten_kode

LOA_LOW = "idporten-loa-low"
LOA_SUBSTANTIAL = "idporten-loa-substantial"
LOA_HIGH = "idporten-loa-high"
#: Levels of assurance, weakest first (ID-porten offers substantial and high; low exists in TestID's list).
LEVELS_OF_ASSURANCE = (LOA_LOW, LOA_SUBSTANTIAL, LOA_HIGH)
CODE_LIFETIME = timedelta(seconds=60)
ID_TOKEN_LIFETIME = timedelta(seconds=120)


class AuthorizationError(Exception):
    """An authorization request that cannot go on. ``redirectable``: the client and redirect URI are known,
    so the error goes back to the client (RFC 6749 §4.1.2.1); otherwise it is shown to the user."""

    def __init__(self, error: str, description: str, *, redirectable: bool) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.redirectable = redirectable


class TokenError(Exception):
    """A token request refused (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str, status_code: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status_code = status_code

    def as_body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class Client:
    """The stand-in's one registered client."""

    client_id: str
    client_secret: str
    redirect_uris: frozenset[str]
    post_logout_redirect_uris: frozenset[str]


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked authorization request (what the login form carries along)."""

    client_id: str
    redirect_uri: str
    scope: str
    state: str
    nonce: str
    code_challenge: str
    acr_values: str

    def as_form(self) -> dict[str, str]:
        return {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
            "response_type": "code",
            "acr_values": self.acr_values,
        }


def _key(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def pkce_s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def login_problem(number: str) -> str | None:
    """Why the typed number cannot log in (a message id), or None. Spaces are allowed and ignored."""
    compact = "".join(number.split())
    if not compact:
        return "Type your national identity number (11 digits)."
    if not compact.isascii() or not compact.isdigit():
        return "The national identity number may only hold digits."
    if len(compact) != 11:
        return "The national identity number has 11 digits; you typed {count}."
    try:
        parse_identitetsnummer(compact)
    except InvalidIdentitetsnummer as error:
        if "check digits" in error.reason:
            return "The check digits (the last two digits) do not fit: there is a typing error in the number."
        return "The first six digits are not a date: there is a typing error in the number."
    return None


class IdPortenStandIn:
    def __init__(
        self,
        issuer: str,
        keys: SigningKeys,
        client: Client,
        engine: Engine,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.issuer = issuer
        self._base = issuer.rstrip("/")
        self._keys = keys
        self.client = client
        self._engine = engine
        self._clock = clock

    # ------------------------------------------------------------------ metadata

    def endpoint(self, name: str) -> str:
        return f"{self._base}/{name}"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.endpoint("authorize"),
            "token_endpoint": self.endpoint("token"),
            "jwks_uri": self.endpoint("jwk"),
            "end_session_endpoint": self.endpoint("endsession"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "acr", "amr", "pid", "sid"],
            "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": [LOA_SUBSTANTIAL, LOA_HIGH],
            "authorization_response_iss_parameter_supported": True,
            "ui_locales_supported": ["nb"],
        }

    def jwks(self) -> dict[str, Any]:
        return self._keys.jwks()

    # ------------------------------------------------------------------ authorize

    def check_authorization(self, params: Mapping[str, str]) -> AuthorizationRequest:
        """Check an authorization request's parameters (from the query or the login form)."""
        if params.get("client_id") != self.client.client_id:
            raise AuthorizationError("invalid_client", "unknown client_id", redirectable=False)
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in self.client.redirect_uris:
            raise AuthorizationError(
                "invalid_request", "redirect_uri is not registered for the client", redirectable=False
            )

        def refuse(error: str, description: str) -> AuthorizationError:
            return AuthorizationError(error, description, redirectable=True)

        if params.get("response_type") != "code":
            raise refuse("unsupported_response_type", "only response_type=code is supported")
        if "openid" not in params.get("scope", "").split():
            raise refuse("invalid_scope", "scope must include openid")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            raise refuse("invalid_request", "PKCE with code_challenge_method=S256 is required")
        if not params.get("state"):
            raise refuse("invalid_request", "state is required")
        if not params.get("nonce"):
            raise refuse("invalid_request", "nonce is required")
        return AuthorizationRequest(
            client_id=params["client_id"],
            redirect_uri=redirect_uri,
            scope=params["scope"],
            state=params["state"],
            nonce=params["nonce"],
            code_challenge=params["code_challenge"],
            acr_values=params.get("acr_values", LOA_SUBSTANTIAL),
        )

    def issue_code(self, request: AuthorizationRequest, pid: str, acr: str) -> str:
        """A single-use code for a login that succeeded."""
        if acr not in LEVELS_OF_ASSURANCE:
            raise ValueError(f"unknown level of assurance {acr!r}")
        code = secrets.token_urlsafe(32)
        now = self._clock()
        data = {
            "client_id": request.client_id,
            "redirect_uri": request.redirect_uri,
            "nonce": request.nonce,
            "code_challenge": request.code_challenge,
            "pid": pid,
            "acr": acr,
            "auth_time": int(now.timestamp()),
        }
        with self._engine.begin() as connection:
            connection.execute(
                delete(idporten_kode).where(idporten_kode.c.utloeper < now)  # old codes go
            )
            connection.execute(
                insert(idporten_kode).values(id=_key(code), data=data, utloeper=now + CODE_LIFETIME)
            )
        return code

    # ------------------------------------------------------------------ token

    def authenticate_client(self, client_id: str | None, client_secret: str | None) -> None:
        if (
            client_id != self.client.client_id
            or client_secret is None
            or not hmac.compare_digest(client_secret.encode(), self.client.client_secret.encode())
        ):
            raise TokenError("invalid_client", "client authentication failed", status_code=401)

    def exchange(self, form: Mapping[str, str]) -> dict[str, Any]:
        """An authorization code (with its PKCE verifier) for an ID token; the code is used up either way."""
        if form.get("grant_type") != "authorization_code":
            raise TokenError("unsupported_grant_type", "only authorization_code is supported")
        code = form.get("code")
        if not code:
            raise TokenError("invalid_request", "code is missing")
        now = self._clock()
        with self._engine.begin() as connection:
            row = connection.execute(select(idporten_kode).where(idporten_kode.c.id == _key(code))).first()
            used = connection.execute(delete(idporten_kode).where(idporten_kode.c.id == _key(code))).rowcount
        if row is None or used != 1:
            raise TokenError("invalid_grant", "the code is unknown, used before or expired")
        if as_utc(row.utloeper) <= now:
            raise TokenError("invalid_grant", "the code is unknown, used before or expired")
        data = dict(row.data)
        if data["client_id"] != self.client.client_id:
            raise TokenError("invalid_grant", "the code was issued to another client")
        if form.get("redirect_uri") != data["redirect_uri"]:
            raise TokenError("invalid_grant", "redirect_uri differs from the authorization request's")
        verifier = form.get("code_verifier")
        if not verifier or not hmac.compare_digest(pkce_s256(verifier), data["code_challenge"]):
            raise TokenError("invalid_grant", "code_verifier does not match the code_challenge")
        return self._tokens(data, now)

    def _tokens(self, data: dict[str, Any], now: datetime) -> dict[str, Any]:
        issued = int(now.timestamp())
        sub = (
            base64.urlsafe_b64encode(
                hashlib.sha256(f"{self.client.client_id}:{data['pid']}".encode()).digest()
            )
            .rstrip(b"=")
            .decode()
        )
        claims = {
            "iss": self.issuer,
            "sub": sub,
            "aud": self.client.client_id,
            "iat": issued,
            "exp": issued + int(ID_TOKEN_LIFETIME.total_seconds()),
            "auth_time": data["auth_time"],
            "nonce": data["nonce"],
            "acr": data["acr"],
            "amr": ["TestID"],
            "pid": data["pid"],
            "sid": str(uuid.uuid4()),
            "jti": str(uuid.uuid4()),
        }
        header = {"alg": SIGNING_ALGORITHM, "kid": self._keys.kid, "typ": "JWT"}
        id_token = jwt.encode(header, claims, self._keys.private_key)
        return {
            "access_token": secrets.token_urlsafe(32),
            "token_type": "Bearer",
            "expires_in": int(ID_TOKEN_LIFETIME.total_seconds()),
            "scope": "openid",
            "id_token": id_token,
        }

    # ------------------------------------------------------------------ end session

    def check_end_session(self, params: Mapping[str, str]) -> str | None:
        """Where to send the browser after logout (the registered URI with ``state``), or None."""
        target = params.get("post_logout_redirect_uri")
        if not target or target not in self.client.post_logout_redirect_uris:
            return None
        state = params.get("state")
        if state:
            return f"{target}{'&' if '?' in target else '?'}{urlencode({'state': state})}"
        return target
