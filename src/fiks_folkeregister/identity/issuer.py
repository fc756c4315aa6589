"""The embedded token issuer: a local Maskinporten that exchanges JWT-bearer grants for access tokens.

Differences from Maskinporten, on purpose (it is a development and test stand-in):
- every well-formed scope (``prefix:subscope``) is granted to every registered client; there is no
  scope administration;
- delegation is recorded per client, not per scope: a grant may name in ``consumer_org`` the client's own
  organisation or one that has delegated to the client (``fiks-folkeregister token client delegate``);
  the access token then has that organisation as ``consumer`` and the client's own organisation as
  ``supplier`` (the acting party). Any other ``consumer_org`` is refused (``invalid_grant``);
- replayed grant ids (``jti``) are remembered in memory only, per process, until the grant expires.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from cryptography.hazmat.primitives import serialization
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from joserfc.jws import JWSRegistry

from fiks_folkeregister.identity.clients import (
    MAX_GRANT_LIFETIME_SECONDS,
    ClientRegistry,
    RegisteredClient,
    UnknownClientError,
)
from fiks_folkeregister.identity.keys import SIGNING_ALGORITHM, SigningKeys
from fiks_folkeregister.identity.tokens import is_orgnr, organisation_claim, parse_scope, require_orgnr

JWT_BEARER_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ACCESS_TOKEN_TYPE = "at+jwt"
# Grants carry the client's certificate chain in ``x5c``: far larger than joserfc's default 512-byte header.
MAX_GRANT_HEADER_BYTES = 16_384


def _grant_registry() -> JWSRegistry:
    registry = JWSRegistry(algorithms=[SIGNING_ALGORITHM], strict_check_header=False)
    registry.max_header_length = MAX_GRANT_HEADER_BYTES
    return registry


class OAuthError(Exception):
    """An OAuth2 error response (RFC 6749 §5.2): ``error`` code, ``description``, HTTP status."""

    def __init__(self, error: str, description: str, status_code: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status_code = status_code

    def as_body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


class _ReplayCache:
    """Grant ids seen until their grant expires; in memory, per process."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def remember(self, client_id: str, jti: str, expires_at: float, now: float) -> bool:
        """Record the id; ``False`` when it was already seen (a replay)."""
        with self._lock:
            if len(self._seen) > 1024:
                self._seen = {key: exp for key, exp in self._seen.items() if exp > now}
            key = (client_id, jti)
            if key in self._seen and self._seen[key] > now:
                return False
            self._seen[key] = expires_at
            return True


class TokenIssuer:
    """Issues RS256 access tokens shaped like Maskinporten's, directly or in exchange for a grant."""

    def __init__(
        self,
        keys: SigningKeys,
        clients: ClientRegistry,
        issuer: str,
        default_lifetime_seconds: int = 120,
        *,
        leeway_seconds: int = 10,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = keys
        self.clients = clients
        self.issuer = issuer
        self._lifetime = default_lifetime_seconds
        self._leeway = leeway_seconds
        self._clock = clock
        self._replays = _ReplayCache()
        self._grant_registry = _grant_registry()

    @property
    def kid(self) -> str:
        return self._key.kid

    @property
    def signing_key(self) -> SigningKeys:
        """The issuer's key (in-process tooling and tests only; never expose or log its private part)."""
        return self._key

    def jwks(self) -> dict[str, Any]:
        """The public keys that verify this issuer's tokens."""
        return self._key.jwks()

    def issue(
        self,
        orgnr: str,
        scopes: Sequence[str],
        client_id: str,
        lifetime_seconds: int | None = None,
        audience: str | Sequence[str] | None = None,
        *,
        supplier_orgnr: str | None = None,
    ) -> str:
        """A signed access token for ``orgnr`` (the ``consumer``); raises ``ValueError`` on bad input."""
        require_orgnr(orgnr)
        if isinstance(scopes, str):
            scopes = scopes.split()
        scope = " ".join(parse_scope(" ".join(scopes)))
        lifetime = self._lifetime if lifetime_seconds is None else lifetime_seconds
        if lifetime < 1:
            raise ValueError("an access token's lifetime must be at least one second")
        now = int(self._clock())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "scope": scope,
            "consumer": organisation_claim(orgnr),
            "client_id": client_id,
            "iat": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
        }
        if supplier_orgnr is not None:
            claims["supplier"] = organisation_claim(supplier_orgnr)
        if audience is not None:
            claims["aud"] = audience if isinstance(audience, str) else list(audience)
        header = {"alg": SIGNING_ALGORITHM, "kid": self._key.kid, "typ": ACCESS_TOKEN_TYPE}
        return jwt.encode(header, claims, self._key.private_key, algorithms=[SIGNING_ALGORITHM])

    def exchange(self, assertion: str) -> dict[str, Any]:
        """The token response for a JWT-bearer grant; raises ``OAuthError`` when it is refused."""
        header, unverified = _read_unverified(assertion)
        algorithm = header.get("alg")
        if algorithm != SIGNING_ALGORITHM:
            raise invalid_grant(f"grant algorithm {algorithm!r} is not accepted (only RS256)")
        client = self._client(unverified.get("iss"))
        public_key = self._verification_key(client, header)
        try:
            jws.deserialize_compact(assertion, public_key, registry=self._grant_registry)
        except JoseError as error:
            raise invalid_grant("grant signature is not valid for the client's certificate") from error
        claims = unverified  # the signature covers these bytes, so they are now trusted

        now = self._clock()
        if not _audience_matches(claims.get("aud"), self.issuer):
            raise invalid_grant(f"grant audience (aud) must be the issuer {self.issuer!r}")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not _is_number(iat) or not _is_number(exp):
            raise invalid_grant("grant must have numeric iat and exp")
        if exp <= now - self._leeway:
            raise invalid_grant("grant has expired")
        if iat > now + self._leeway:
            raise invalid_grant("grant is not yet valid (iat is in the future)")
        if exp - iat > MAX_GRANT_LIFETIME_SECONDS:
            raise invalid_grant(f"grant lifetime exceeds {MAX_GRANT_LIFETIME_SECONDS} seconds")
        if "nbf" in claims and (not _is_number(claims["nbf"]) or claims["nbf"] > now + self._leeway):
            raise invalid_grant("grant is not yet valid (nbf is in the future)")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise invalid_grant("grant must have a jti")
        try:
            scopes = parse_scope(claims.get("scope"))
        except ValueError as error:
            raise OAuthError("invalid_scope", str(error)) from error
        consumer_orgnr, supplier_orgnr = client.orgnr, None
        if "consumer_org" in claims:
            consumer_org = claims["consumer_org"]
            if not is_orgnr(consumer_org):
                raise invalid_grant("consumer_org must be a 9-digit organisation number")
            if not client.acts_for(consumer_org):
                raise invalid_grant(
                    f"consumer_org {consumer_org} has not delegated access to the client's organisation "
                    f"{client.orgnr}"
                )
            if consumer_org != client.orgnr:
                consumer_orgnr, supplier_orgnr = consumer_org, client.orgnr
        audience = _resource(claims.get("resource"))
        if not self._replays.remember(client.client_id, jti, float(exp) + self._leeway, now):
            raise invalid_grant("grant has already been used (replayed jti)")

        token = self.issue(
            consumer_orgnr, scopes, client.client_id, audience=audience, supplier_orgnr=supplier_orgnr
        )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self._lifetime,
            "scope": " ".join(scopes),
        }

    def _client(self, client_id: object) -> RegisteredClient:
        if not isinstance(client_id, str) or not client_id:
            raise invalid_grant("grant must name the client in iss")
        try:
            return self.clients.get(client_id)
        except UnknownClientError as error:
            raise invalid_grant("unknown client") from error

    def _verification_key(self, client: RegisteredClient, header: dict[str, Any]) -> RSAKey:
        """The client's registered public key, once the header has shown it means that key."""
        if "x5c" in header:
            chain = header["x5c"]
            if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
                raise invalid_grant("x5c must be a non-empty list of base64 DER certificates")
            try:
                presented = base64.b64decode(chain[0], validate=True)
            except (binascii.Error, ValueError) as error:
                raise invalid_grant("x5c certificate is not base64 DER") from error
            if presented != client.certificate_der:
                raise invalid_grant("certificate is not the one registered for this client")
        elif "kid" in header:
            if header["kid"] != client.kid:
                raise invalid_grant("kid is not a key registered for this client")
        else:
            raise invalid_grant("grant header must carry x5c or kid")
        certificate = client.certificate
        now = dt.datetime.fromtimestamp(self._clock(), dt.UTC)
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            raise invalid_grant("the client's certificate is not valid now")
        return RSAKey.import_key(
            certificate.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def __repr__(self) -> str:
        return f"TokenIssuer(issuer={self.issuer!r}, kid={self.kid!r})"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _audience_matches(audience: object, issuer: str) -> bool:
    """Whether ``aud`` names the issuer (a trailing slash is not significant)."""
    wanted = issuer.rstrip("/")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list):
        return False
    return any(isinstance(value, str) and value.rstrip("/") == wanted for value in audiences)


def _resource(value: object) -> str | list[str] | None:
    """The requested token audience (``resource`` claim), if any."""
    if value is None:
        return None
    if isinstance(value, str) and value:
        return value
    if isinstance(value, list) and value and all(isinstance(item, str) and item for item in value):
        return value
    raise invalid_grant("resource must be a string or a list of strings")


def _b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _read_unverified(assertion: object) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWS, not yet trusted; raises ``invalid_grant`` when malformed."""
    if not isinstance(assertion, str) or not assertion:
        raise OAuthError("invalid_request", "assertion is missing")
    parts = assertion.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise invalid_grant("assertion is not a signed JWT")
    try:
        header = orjson.loads(_b64url_decode(parts[0]))
        claims = orjson.loads(_b64url_decode(parts[1]))
    except (binascii.Error, ValueError) as error:
        raise invalid_grant("assertion is not a signed JWT") from error
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise invalid_grant("assertion is not a signed JWT")
    return header, claims
