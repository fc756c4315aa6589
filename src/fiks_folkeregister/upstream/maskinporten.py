"""Maskinporten client: the platform's access tokens to the register, per scope and organisation, cached.

The platform signs a JWT-bearer grant with its enterprise certificate's key (the chain in ``x5c``), asks for
the scope of a rights package, and, for delegation, names the municipality in ``consumer_org``. Tokens are
kept until shortly before they expire; concurrent callers wanting the same token wait for one fetch. Works
against the embedded issuer and Maskinporten alike. No token, grant or key is ever logged or put in an
exception message.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from joserfc import jwt
from joserfc.jwk import RSAKey

JWT_BEARER_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_ALGORITHM = "RS256"
#: Maskinporten refuses grants living longer than 120 s; a short one limits the harm of a leaked grant.
GRANT_LIFETIME_SECONDS = 60
PKCS12_SUFFIXES = frozenset({".p12", ".pfx"})

log = logging.getLogger(__name__)


class CredentialsError(Exception):
    """The platform's certificate or key cannot be used (message names the file, never its content)."""


class MaskinportenError(Exception):
    """No token: ``transient`` when trying again later may help (unreachable, 5xx), else a refusal."""

    def __init__(self, message: str, *, transient: bool, status: int | None = None, error: str | None = None):
        super().__init__(message)
        self.transient = transient
        self.status = status
        self.error = error


@dataclass(frozen=True)
class PlatformCredentials:
    """The enterprise certificate (with its chain, leaf first) and its private key."""

    key: rsa.RSAPrivateKey = field(repr=False)
    chain: tuple[x509.Certificate, ...] = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.key, rsa.RSAPrivateKey):
            raise CredentialsError("the private key must be RSA (grants are signed with RS256)")
        if not self.chain:
            raise CredentialsError("no certificate found")
        leaf_public = (
            self.chain[0]
            .public_key()
            .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        key_public = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if leaf_public != key_public:
            raise CredentialsError("the private key does not belong to the (first) certificate")

    @classmethod
    def load(
        cls, certificate: Path, key: Path | None = None, password: str | None = None
    ) -> PlatformCredentials:
        """PKCS#12 when ``certificate`` ends in .p12/.pfx or no key file is given; otherwise PEM files."""
        if key is None or certificate.suffix.lower() in PKCS12_SUFFIXES:
            return cls.from_pkcs12(_read(certificate), password, source=str(certificate))
        return cls.from_pem(_read(certificate), _read(key), password, source=f"{certificate} and {key}")

    @classmethod
    def from_pkcs12(cls, data: bytes, password: str | None, source: str = "PKCS#12") -> PlatformCredentials:
        try:
            key, certificate, extra = pkcs12.load_key_and_certificates(
                data, password.encode("utf-8") if password else None
            )
        except ValueError:
            raise CredentialsError(f"{source}: not a PKCS#12 file, or the password is wrong") from None
        if key is None or certificate is None:
            raise CredentialsError(f"{source}: the PKCS#12 file must hold a private key and its certificate")
        return cls(key=key, chain=(certificate, *extra))  # type: ignore[arg-type]

    @classmethod
    def from_pem(
        cls, certificates_pem: bytes, key_pem: bytes, password: str | None, source: str = "PEM"
    ) -> PlatformCredentials:
        try:
            chain = tuple(x509.load_pem_x509_certificates(certificates_pem))
        except ValueError:
            raise CredentialsError(f"{source}: no PEM certificate could be read") from None
        try:
            key = serialization.load_pem_private_key(key_pem, password.encode("utf-8") if password else None)
        except (ValueError, TypeError):
            raise CredentialsError(
                f"{source}: the PEM private key could not be read (encrypted without the right password?)"
            ) from None
        return cls(key=key, chain=chain)  # type: ignore[arg-type]

    @property
    def subject(self) -> str:
        return self.chain[0].subject.rfc4514_string()

    def x5c(self) -> list[str]:
        """The chain as the ``x5c`` header wants it: base64 (not URL-safe) DER, leaf first."""
        return [
            base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")
            for cert in self.chain
        ]

    def check_valid(self, now: dt.datetime | None = None) -> None:
        """Raise ``CredentialsError`` when the certificate is not valid now (a clear start-up error)."""
        moment = now or dt.datetime.now(dt.UTC)
        leaf = self.chain[0]
        if not leaf.not_valid_before_utc <= moment <= leaf.not_valid_after_utc:
            raise CredentialsError(
                f"the certificate {self.subject} is valid only from {leaf.not_valid_before_utc:%Y-%m-%d} "
                f"to {leaf.not_valid_after_utc:%Y-%m-%d}"
            )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CredentialsError(f"{path}: cannot be read ({error.strerror})") from None


@dataclass
class _Cached:
    token: str = field(repr=False)
    refresh_at: float


class MaskinportenClient:
    """Fetches and caches access tokens for the platform, one per (scope, organisation on whose behalf)."""

    def __init__(
        self,
        token_url: str,
        audience: str,
        client_id: str,
        credentials: PlatformCredentials,
        *,
        http: httpx.Client | None = None,
        verify: ssl.SSLContext | bool = True,
        timeout_seconds: float = 5.0,
        refresh_margin_seconds: float = 20.0,
        resource: str | Sequence[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock`` times the cache (monotonic); grants always carry the wall-clock time."""
        self.token_url = token_url
        self.audience = audience
        self.client_id = client_id
        self._credentials = credentials
        self._signing_key = RSAKey.import_key(credentials.key)
        self._x5c = credentials.x5c()
        self._resource = resource
        self._margin = refresh_margin_seconds
        self._clock = clock
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=timeout_seconds, follow_redirects=False, verify=verify)
        self._cache: dict[tuple[str, str | None], _Cached] = {}
        self._cache_lock = threading.Lock()
        self._fetch_locks: dict[tuple[str, str | None], threading.Lock] = {}
        #: How many tokens were fetched (for operations and tests; never the tokens themselves).
        self.fetches = 0

    def token(self, scope: str, consumer_org: str | None = None) -> str:
        """A valid access token for ``scope`` (on behalf of ``consumer_org``); fetched once, then cached."""
        key = (scope, consumer_org)
        cached = self._fresh(key)
        if cached is not None:
            return cached
        with self._cache_lock:
            fetch_lock = self._fetch_locks.setdefault(key, threading.Lock())
        with fetch_lock:  # one fetch per key; the others wait and then find it cached
            cached = self._fresh(key)
            if cached is not None:
                return cached
            started = self._clock()
            token, expires_in = self._fetch(scope, consumer_org)
            margin = min(self._margin, expires_in / 4)
            with self._cache_lock:
                self._cache[key] = _Cached(token, started + expires_in - margin)
                self.fetches += 1
            return token

    def invalidate(self, scope: str, consumer_org: str | None, token: str) -> None:
        """Forget ``token`` (the register refused it); a newer token fetched meanwhile is kept."""
        with self._cache_lock:
            cached = self._cache.get((scope, consumer_org))
            if cached is not None and cached.token == token:
                del self._cache[(scope, consumer_org)]

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    def _fresh(self, key: tuple[str, str | None]) -> str | None:
        with self._cache_lock:
            cached = self._cache.get(key)
        if cached is not None and self._clock() < cached.refresh_at:
            return cached.token
        return None

    def grant(self, scope: str, consumer_org: str | None = None) -> str:
        """A signed JWT-bearer grant (the chain in ``x5c``) for one token request."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": self.audience,
            "iss": self.client_id,
            "scope": scope,
            "iat": now,
            "exp": now + GRANT_LIFETIME_SECONDS,
            "jti": str(uuid.uuid4()),
        }
        if consumer_org is not None:
            claims["consumer_org"] = consumer_org
        if self._resource is not None:
            claims["resource"] = self._resource if isinstance(self._resource, str) else list(self._resource)
        header = {"alg": GRANT_ALGORITHM, "x5c": self._x5c}
        return jwt.encode(header, claims, self._signing_key, algorithms=[GRANT_ALGORITHM])

    def _fetch(self, scope: str, consumer_org: str | None) -> tuple[str, float]:
        form = {"grant_type": JWT_BEARER_GRANT_TYPE, "assertion": self.grant(scope, consumer_org)}
        try:
            response = self._http.post(self.token_url, data=form, headers={"Accept": "application/json"})
        except httpx.HTTPError as error:
            log.warning("token endpoint %s unreachable: %s", self.token_url, type(error).__name__)
            raise MaskinportenError(
                f"the token endpoint {self.token_url} could not be reached ({type(error).__name__})",
                transient=True,
            ) from None
        body = _json_object(response.content)
        if response.status_code != 200:
            error_code = str(body.get("error", "")) or None
            description = str(body.get("error_description", ""))[:300]
            transient = response.status_code >= 500 or response.status_code == 429
            log.warning(
                "token endpoint refused scope %s%s: %s %s",
                scope,
                f" for {consumer_org}" if consumer_org else "",
                response.status_code,
                error_code,
            )
            summary = f"{response.status_code} {error_code or ''} {description}".strip()
            raise MaskinportenError(
                f"the token endpoint answered {summary}",
                transient=transient,
                status=response.status_code,
                error=error_code,
            )
        token, expires_in = body.get("access_token"), body.get("expires_in")
        if (
            not isinstance(token, str)
            or not token
            or not isinstance(expires_in, int | float)
            or expires_in <= 0
        ):
            raise MaskinportenError(
                "the token endpoint's answer has no access_token/expires_in", transient=True
            )
        log.info(
            "fetched an access token for scope %s%s, valid %ss",
            scope,
            f" on behalf of {consumer_org}" if consumer_org else "",
            expires_in,
        )
        return token, float(expires_in)

    def __repr__(self) -> str:
        return f"MaskinportenClient(token_url={self.token_url!r}, client_id={self.client_id!r})"


def _json_object(content: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(content)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
