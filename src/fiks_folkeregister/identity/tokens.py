"""Validation of Maskinporten-style access tokens, fast enough to run on every request."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import orjson
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jws import JWSRegistry

# The one organisation number check (9 digits, mod 11), under the name the identity room uses.
from fiks_folkeregister.domain.organisasjonsnummer import is_organisasjonsnummer as is_orgnr

ACCEPTED_ALGORITHM = "RS256"
#: How many verified signatures to remember before starting over (tokens live for minutes).
VERIFIED_CACHE_SIZE = 10_000
CONSUMER_AUTHORITY = "iso6523-actorid-upis"
ORGNR_ICD_PREFIX = "0192:"  # ISO 6523 ICD 0192: the Norwegian Register of Business Enterprises

# A Maskinporten scope is ``prefix:subscope``: a lowercase prefix, then letters, digits and ``._-/:``.
_SCOPE = re.compile(r"[a-z0-9][a-z0-9_-]*:[A-Za-z0-9._/:-]*[A-Za-z0-9]")


def require_orgnr(value: str) -> str:
    if not is_orgnr(value):
        raise ValueError(f"not a valid organisation number (9 digits, mod 11 check digit): {value!r}")
    return value


def is_scope(value: str) -> bool:
    """Whether ``value`` is one well-formed scope (``prefix:subscope``)."""
    return _SCOPE.fullmatch(value) is not None


def parse_scope(value: object) -> tuple[str, ...]:
    """The scopes in a space-separated scope string; raises ``ValueError`` when empty or malformed."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("scope is missing or empty")
    scopes = tuple(dict.fromkeys(value.split()))
    malformed = [scope for scope in scopes if not is_scope(scope)]
    if malformed:
        raise ValueError(f"malformed scope {malformed[0]!r}: expected prefix:subscope")
    return scopes


def organisation_claim(orgnr: str) -> dict[str, str]:
    """The ``consumer``/``supplier`` claim value for an organisation number."""
    return {"authority": CONSUMER_AUTHORITY, "ID": f"{ORGNR_ICD_PREFIX}{require_orgnr(orgnr)}"}


def orgnr_from_claim(value: object) -> str | None:
    """The organisation number in a ``consumer``/``supplier`` claim, or ``None`` when it is malformed."""
    if not isinstance(value, Mapping) or value.get("authority") != CONSUMER_AUTHORITY:
        return None
    identifier = value.get("ID")
    if not isinstance(identifier, str) or not identifier.startswith(ORGNR_ICD_PREFIX):
        return None
    orgnr = identifier[len(ORGNR_ICD_PREFIX) :]
    return orgnr if is_orgnr(orgnr) else None


class InvalidTokenError(Exception):
    """The access token is not acceptable; ``reason`` says why (safe to show, never contains the token)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeysUnavailableError(InvalidTokenError):
    """The issuer's keys could not be fetched: our problem (answer 503), not necessarily a bad token."""


@dataclass(frozen=True)
class AccessToken:
    """What a validated access token says about the caller."""

    orgnr: str
    scopes: frozenset[str]
    client_id: str
    jti: str
    exp: int
    issued_at: int
    supplier_orgnr: str | None
    claims: Mapping[str, Any] = field(repr=False, compare=False)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


KeyProvider = Callable[[], Mapping[str, Any]]


class AccessTokenValidator:
    """Checks an access token's signature (RS256 only) and claims, with the issuer's keys cached in memory.

    ``jwks`` is either a fixed ``KeySet`` or a callable returning a JWKS document (for example the in-process
    issuer's ``jwks`` method, or a function fetching ``/jwk`` over HTTP). A callable is asked once on first
    use and again when a token names a key id we have not seen, at most once per
    ``min_refresh_interval_seconds`` so that tokens with made-up key ids cannot make us hammer the provider.
    Validation itself does no I/O. ``audience``, when given, must be in the token's ``aud``;
    ``max_lifetime_seconds``, when given, bounds both ``exp`` − ``iat`` and ``exp`` − now.
    """

    def __init__(
        self,
        jwks: KeyProvider | KeySet,
        issuer: str,
        audience: str | None = None,
        leeway_seconds: int = 30,
        *,
        max_lifetime_seconds: int | None = None,
        min_refresh_interval_seconds: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuer = issuer
        self._audience = audience
        self._max_lifetime = max_lifetime_seconds
        self._leeway = leeway_seconds
        self._clock = clock
        self._min_refresh_interval = min_refresh_interval_seconds
        self._lock = threading.Lock()
        self._last_refresh: float | None = None
        self._keys: dict[str, RSAKey] = {}
        self._verified: dict[bytes, dict[str, Any]] = {}
        # Tolerate header parameters we do not know (another issuer may add some); ``crit`` is refused.
        self._registry = JWSRegistry(algorithms=[ACCEPTED_ALGORITHM], strict_check_header=False)
        if isinstance(jwks, KeySet):
            self._provider: KeyProvider | None = None
            self._keys = _index_keys(jwks)
        else:
            self._provider = jwks

    def refresh_keys(self) -> None:
        """Ask the key provider again now (no-op for a fixed key set)."""
        if self._provider is None:
            return
        with self._lock:
            self._load_from_provider()

    def validate(self, token: str) -> AccessToken:
        """The caller described by ``token``; raises ``InvalidTokenError`` saying why it is not acceptable.

        A signature once verified is remembered (by the token's SHA-256), so a client reusing its token, as
        clients do until it expires, costs a dictionary look-up instead of an RSA verification; the claims
        (expiry, issuer, audience) are still checked on every call.
        """
        if not isinstance(token, str):
            raise InvalidTokenError("token is not a string")
        digest = hashlib.sha256(token.encode()).digest()
        claims = self._verified.get(digest)
        if claims is None:
            claims = self._verify_signature(token)
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                self._verified.clear()
            self._verified[digest] = claims
        return self._check_claims(claims)

    def _verify_signature(self, token: str) -> dict[str, Any]:
        header = _read_header(token)
        algorithm = header.get("alg")
        if algorithm != ACCEPTED_ALGORITHM:
            raise InvalidTokenError(f"token algorithm {algorithm!r} is not accepted (only RS256)")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidTokenError("token header has no key id (kid)")
        key = self._key_for(kid)
        try:
            verified = jws.deserialize_compact(token, key, registry=self._registry)
        except JoseError as error:
            raise InvalidTokenError("token signature is not valid") from error
        try:
            claims = orjson.loads(verified.payload or b"")
        except orjson.JSONDecodeError as error:
            raise InvalidTokenError("token payload is not JSON") from error
        if not isinstance(claims, dict):
            raise InvalidTokenError("token payload is not a JSON object")
        return claims

    def _key_for(self, kid: str) -> RSAKey:
        key = self._keys.get(kid)
        if key is not None:
            return key
        if self._provider is not None:
            with self._lock:
                key = self._keys.get(kid)
                if key is None and self._may_refresh():
                    self._load_from_provider()
                    key = self._keys.get(kid)
        if key is None:
            raise InvalidTokenError("token is signed with an unknown key (kid)")
        return key

    def _may_refresh(self) -> bool:
        if self._last_refresh is None:
            return True
        return time.monotonic() - self._last_refresh >= self._min_refresh_interval

    def _load_from_provider(self) -> None:
        assert self._provider is not None
        self._last_refresh = time.monotonic()
        try:
            key_set = KeySet.import_key_set(dict(self._provider()))  # type: ignore[arg-type]
        except Exception as error:  # a provider may fetch over HTTP; whatever fails, keep the old keys
            raise KeysUnavailableError("the issuer's signing keys could not be loaded") from error
        self._keys = _index_keys(key_set)

    def _check_claims(self, claims: dict[str, Any]) -> AccessToken:
        now = self._clock()
        if claims.get("iss") != self._issuer:
            raise InvalidTokenError("token issuer (iss) is not the expected issuer")
        exp = claims.get("exp")
        if not _is_number(exp):
            raise InvalidTokenError("token has no valid expiry (exp)")
        if exp + self._leeway <= now:
            raise InvalidTokenError("token has expired")
        iat = claims.get("iat")
        if not _is_number(iat):
            raise InvalidTokenError("token has no valid issue time (iat)")
        if iat - self._leeway > now:
            raise InvalidTokenError("token is not yet valid (iat is in the future)")
        if self._max_lifetime is not None and (
            exp - iat > self._max_lifetime or exp - now > self._max_lifetime + self._leeway
        ):
            raise InvalidTokenError(f"token lives longer than {self._max_lifetime} seconds")
        nbf = claims.get("nbf")
        if nbf is not None and (not _is_number(nbf) or nbf - self._leeway > now):
            raise InvalidTokenError("token is not yet valid (nbf is in the future)")
        if self._audience is not None:
            audience = claims.get("aud")
            audiences = [audience] if isinstance(audience, str) else audience
            if not isinstance(audiences, list) or self._audience not in audiences:
                raise InvalidTokenError("token audience (aud) does not include this service")
        orgnr = orgnr_from_claim(claims.get("consumer"))
        if orgnr is None:
            raise InvalidTokenError("token consumer claim is missing or malformed")
        supplier_orgnr: str | None = None
        if "supplier" in claims:
            supplier_orgnr = orgnr_from_claim(claims["supplier"])
            if supplier_orgnr is None:
                raise InvalidTokenError("token supplier claim is malformed")
        scope = claims.get("scope")
        if not isinstance(scope, str):
            raise InvalidTokenError("token scope claim is missing")
        client_id = claims.get("client_id")
        if not isinstance(client_id, str) or not client_id:
            raise InvalidTokenError("token client_id claim is missing")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise InvalidTokenError("token jti claim is missing")
        return AccessToken(
            orgnr=orgnr,
            scopes=frozenset(scope.split()),
            client_id=client_id,
            jti=jti,
            exp=int(exp),
            issued_at=int(iat),
            supplier_orgnr=supplier_orgnr,
            claims=MappingProxyType(claims),
        )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _index_keys(key_set: KeySet) -> dict[str, RSAKey]:
    """Signing keys by kid; keys that are not RSA, or meant for encryption, are ignored."""
    keys: dict[str, RSAKey] = {}
    for key in key_set.keys:
        if not isinstance(key, RSAKey) or key.get("use", "sig") != "sig" or not key.kid:
            continue
        keys[key.kid] = key
    return keys


def _b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _read_header(token: object) -> dict[str, Any]:
    """The JOSE header of a compact JWS, before anything is trusted; raises on anything malformed."""
    if not isinstance(token, str) or not token:
        raise InvalidTokenError("token is empty")
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise InvalidTokenError("token is not a signed JWT (expected three dot-separated parts)")
    try:
        header = orjson.loads(_b64url_decode(parts[0]))
    except (binascii.Error, ValueError) as error:
        raise InvalidTokenError("token header is not base64url-encoded JSON") from error
    if not isinstance(header, dict):
        raise InvalidTokenError("token header is not a JSON object")
    if "crit" in header:
        raise InvalidTokenError("token header has critical extensions this service does not understand")
    return header
