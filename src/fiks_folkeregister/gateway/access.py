"""The access layer: who is calling (token + integration credentials) and which role they may act in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

import httpx

from fiks_folkeregister.domain.rolle import Rolle
from fiks_folkeregister.gateway import errors as codes
from fiks_folkeregister.gateway.errors import GatewayError
from fiks_folkeregister.identity.tokens import (
    AccessToken,
    AccessTokenValidator,
    InvalidTokenError,
    KeysUnavailableError,
)

INTEGRATION_ID_HEADER = "IntegrasjonId"
INTEGRATION_PASSWORD_HEADER = "IntegrasjonPassord"


class IntegrationView(Protocol):
    """What the access layer reads of an integration (admin.access.IntegrationRecord fits)."""

    @property
    def id(self) -> UUID: ...
    @property
    def orgnr(self) -> str: ...
    @property
    def autorisert_orgnr(self) -> str: ...
    @property
    def passord_hash(self) -> str: ...


class LookupView(Protocol):
    """One database round trip's answer (admin.access.AccessLookup fits)."""

    @property
    def integration(self) -> IntegrationView | None: ...
    @property
    def role(self) -> Rolle | None: ...
    @property
    def granted(self) -> bool: ...


class Directory(Protocol):
    """Integrations, roles and grants (admin.access.AccessDirectory fits); never cached."""

    def lookup(self, integrasjon_id: UUID, rolle_id: UUID) -> LookupView: ...


class PasswordVerifier(Protocol):
    """Integration password checks (identity.integrasjonspassord.IntegrationPasswords fits)."""

    def verify(self, integrasjon_id: UUID, passord_hash: str, password: str) -> bool: ...


@dataclass
class Trail:
    """What is known about a request so far, for its audit record whatever the outcome."""

    klient_orgnr: str | None = None
    integrasjon_id: UUID | None = None
    rolle_id: UUID | None = None
    orgnr: str | None = None


@dataclass(frozen=True)
class Credentials:
    """The caller's raw credentials, read from the request; never logged, never audited."""

    authorization: str | None
    integrasjon_id: str | None
    integrasjon_passord: str | None = field(repr=False)


@dataclass(frozen=True)
class Caller:
    """An authenticated caller acting in a role it has been granted."""

    token: AccessToken
    integration: IntegrationView
    role: Rolle


def jwks_fetcher(url: str, timeout_seconds: float = 5.0) -> Callable[[], Mapping[str, Any]]:
    """A key provider fetching a JWKS over HTTP (e.g. Maskinporten's); the validator caches the keys."""

    def fetch() -> Mapping[str, Any]:
        response = httpx.get(url, timeout=timeout_seconds, follow_redirects=False)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError("the JWKS document is not a JSON object")
        return document

    return fetch


def _uuid(value: str, code: str, what: str) -> UUID:
    try:
        return UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise GatewayError(400, code, f"{what} must be a UUID") from None


class AccessControl:
    """Checks, in order: token, scope, integration credentials, operating organisation, role, grant.

    Refusals are `GatewayError`s carrying the platform's machine codes. A role that does not exist and a
    role belonging to another organisation answer the same 404 `UKJENT_ROLLE`, so that no caller can learn
    which role ids exist elsewhere. Unknown integration and wrong password answer the same 401
    `UGYLDIG_INTEGRASJON`.
    """

    def __init__(
        self, validator: AccessTokenValidator, directory: Directory, passwords: PasswordVerifier, scope: str
    ) -> None:
        self._validator = validator
        self._directory = directory
        self._passwords = passwords
        self._scope = scope

    def authenticate(self, credentials: Credentials, rolle_id: str, trail: Trail) -> Caller:
        """The caller and role for these credentials, or a `GatewayError`; fills `trail` as it learns."""
        token = self._token(credentials.authorization)
        trail.klient_orgnr = token.orgnr
        if not token.has_scope(self._scope):
            raise GatewayError(
                403,
                codes.MANGLER_SCOPE,
                f"The access token lacks the scope {self._scope}",
                {"paakrevdScope": self._scope},
            )
        if not credentials.integrasjon_id or not credentials.integrasjon_passord:
            raise GatewayError(
                401,
                codes.UGYLDIG_INTEGRASJON,
                f"The headers {INTEGRATION_ID_HEADER} and {INTEGRATION_PASSWORD_HEADER} are required",
            )
        integrasjon_id = _uuid(credentials.integrasjon_id, codes.UGYLDIG_INTEGRASJONID, INTEGRATION_ID_HEADER)
        trail.integrasjon_id = integrasjon_id
        role_id = _uuid(rolle_id, codes.UGYLDIG_ROLLEID, "The role id in the path")
        trail.rolle_id = role_id

        found = self._directory.lookup(integrasjon_id, role_id)
        integration = found.integration
        if integration is None or not self._passwords.verify(
            integration.id, integration.passord_hash, credentials.integrasjon_passord
        ):
            raise GatewayError(
                401, codes.UGYLDIG_INTEGRASJON, "Unknown integration or wrong integration password"
            )
        trail.orgnr = integration.orgnr  # from here on the owner's log shows the attempt
        if token.orgnr != integration.autorisert_orgnr:
            raise GatewayError(
                403,
                codes.FEIL_ORGANISASJON,
                f"The organisation {token.orgnr} in the access token may not operate this integration",
            )
        role = found.role
        if role is None or role.orgnr != integration.orgnr:
            raise GatewayError(
                404, codes.UKJENT_ROLLE, f"No role {role_id} in the integration's organisation"
            )
        trail.orgnr = role.orgnr
        if not found.granted:
            raise GatewayError(
                403, codes.ROLLE_IKKE_TILDELT, f"The integration has not been granted the role '{role.navn}'"
            )
        return Caller(token=token, integration=integration, role=role)

    def _token(self, authorization: str | None) -> AccessToken:
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise GatewayError(401, codes.UGYLDIG_TOKEN, "Missing Bearer access token in Authorization")
        try:
            return self._validator.validate(value.strip())
        except KeysUnavailableError:
            raise GatewayError(
                503,
                codes.TOKENNOEKLER_UTILGJENGELIG,
                "The token issuer's keys could not be loaded; try again",
            ) from None
        except InvalidTokenError as error:
            raise GatewayError(
                401, codes.UGYLDIG_TOKEN, f"The access token was refused: {error.reason}"
            ) from None
