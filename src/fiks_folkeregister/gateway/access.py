"""The access layer: who is calling (token + integration credentials) and which role they may act in."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

import httpx
from limits import RateLimitItem

from fiks_folkeregister.domain.rolle import API, SOEK_WEB, Rolle
from fiks_folkeregister.gateway import errors as codes
from fiks_folkeregister.gateway.errors import GatewayError
from fiks_folkeregister.gateway.request_limits import RequestLimits
from fiks_folkeregister.identity.tokens import (
    AccessToken,
    AccessTokenValidator,
    InvalidTokenError,
    KeysUnavailableError,
)
from fiks_folkeregister.ratelimit import LimiterUnavailableError, RateLimiter, parse_rate

INTEGRATION_ID_HEADER = "IntegrasjonId"
INTEGRATION_PASSWORD_HEADER = "IntegrasjonPassord"

log = logging.getLogger(__name__)


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
    @property
    def forespoersler_per_minutt(self) -> int | None: ...
    @property
    def tilgangsversjon(self) -> int:
        """The access version the read was made at (moved on by every change to what it reads)."""
        ...


class Directory(Protocol):
    """Integrations, person users, roles and grants (admin.access.AccessDirectory fits); keeps nothing."""

    def lookup(self, integrasjon_id: UUID, rolle_id: UUID) -> LookupView: ...

    @property
    def asynchronous(self) -> bool:
        """Whether `lookup_async` reads without blocking the event loop."""
        ...

    async def lookup_async(self, integrasjon_id: UUID, rolle_id: UUID) -> LookupView: ...

    def person_lookup(self, foedselsnummer: str, rolle_id: UUID) -> PersonLookupView: ...


class PersonUserView(Protocol):
    """What the access layer reads of a person user (h3's person user record fits)."""

    @property
    def orgnr(self) -> str: ...
    @property
    def aktiv(self) -> bool: ...


class PersonLookupView(Protocol):
    """One round trip's answer about a person and a role: `granted` only when the user is active, the grant
    is active and the role may be used in the search portal (`soekWeb`)."""

    @property
    def user(self) -> PersonUserView | None: ...
    @property
    def role(self) -> Rolle | None: ...
    @property
    def granted(self) -> bool: ...


class PasswordVerifier(Protocol):
    """Integration password checks (identity.integrasjonspassord.IntegrationPasswords fits)."""

    def verify(self, integrasjon_id: UUID, passord_hash: str, password: str) -> bool: ...

    def remembered(self, integrasjon_id: UUID, passord_hash: str, password: str) -> bool: ...

    def waste(self, password: str) -> None: ...


class FailedAuthentications:
    """Limits failed authentications per integration id and per client address (see `AccessControl`)."""

    def __init__(self, limiter: RateLimiter, per_integration: str, per_address: str) -> None:
        self._limiter = limiter
        self._per_integration = parse_rate(per_integration)
        self._per_address = parse_rate(per_address)

    def _keys(self, integrasjon_id: UUID | None, address: str | None) -> list[tuple[RateLimitItem, str, str]]:
        keys = []
        if integrasjon_id is not None:
            keys.append((self._per_integration, "auth-failed-integration", str(integrasjon_id)))
        if address:
            keys.append((self._per_address, "auth-failed-address", address))
        return keys

    def retry_after(self, integrasjon_id: UUID | None, address: str | None) -> int | None:
        """Seconds to wait when either limit is used up; None when another attempt may be made now."""
        waits = [self._limiter.retry_after(rate, *key) for rate, *key in self._keys(integrasjon_id, address)]
        return max((wait for wait in waits if wait is not None), default=None)

    def failed(self, integrasjon_id: UUID | None, address: str | None) -> None:
        for rate, *key in self._keys(integrasjon_id, address):
            self._limiter.hit(rate, *key)


@dataclass
class Trail:
    """What is known about a request so far, for its audit record whatever the outcome."""

    klient_orgnr: str | None = None
    integrasjon_id: UUID | None = None
    rolle_id: UUID | None = None
    orgnr: str | None = None


@dataclass(frozen=True)
class Person:
    """A case worker in the portal, as the login identified them (ID-porten's `pid`) and named them."""

    foedselsnummer: str
    navn: str = field(compare=False)


@dataclass(frozen=True)
class Credentials:
    """The caller's raw credentials and network address, read from the request; never logged or audited."""

    authorization: str | None
    integrasjon_id: str | None
    integrasjon_passord: str | None = field(repr=False)
    address: str | None = None


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


def _integration_id(value: str | None) -> UUID | None:
    try:
        return UUID(value or "")
    except (ValueError, AttributeError, TypeError):
        return None


def _lookup_ids(integrasjon_id: UUID | None, rolle_id: str) -> tuple[UUID, UUID] | None:
    """The integration and role ids a directory read takes, or None when either is no UUID."""
    try:
        return (integrasjon_id, UUID(rolle_id)) if integrasjon_id is not None else None
    except ValueError:
        return None


def role_deactivated(role: Rolle) -> GatewayError:
    """403 `ROLLE_DEAKTIVERT`: the role is granted, but an administrator has deactivated it."""
    return GatewayError(
        403,
        codes.ROLLE_DEAKTIVERT,
        f"The role '{role.navn}' has been deactivated by an administrator; it authorises nothing until "
        "it is activated again",
    )


class AuthenticationFailed(GatewayError):
    """Every authentication failure answers alike: 401 `AUTENTISERING_FEILET`, "Authentication failed for
    integration with id …", as the platform does. Why it failed (`reason`, a machine code) goes only to
    the audit record, as its `audit_code`."""

    def __init__(self, integrasjon_id: UUID | None, reason: str) -> None:
        shown = str(integrasjon_id) if integrasjon_id is not None else "(none)"
        super().__init__(
            401, codes.AUTENTISERING_FEILET, f"Authentication failed for integration with id {shown}"
        )
        self.audit_code = reason


@dataclass(frozen=True, slots=True)
class LookedUp:
    """The directory read a request is to use (`found`), made for it (`look_up_ahead`, on the event loop,
    which also counted the request against its address's limit; None when the read failed: `authenticate`
    reads again where it may block) or `kept` from an earlier request (`look_up_ahead`, `kept_for`)."""

    found: LookupView | None
    kept: bool = False

    @property
    def tilgangsversjon(self) -> int | None:
        """The access version the answer built on this read must still hold where its record is stored."""
        return self.found.tilgangsversjon if self.found is not None else None


class KeptReads:
    """Directory reads kept between an integration's single lookups, by integration and role id.

    Kept once the integration's password is verified (`AccessControl.authenticate`), at most `limit` of
    them (all forgotten when full), and all forgotten when an answer built on one was refused at the audit
    write because the access version had moved on (`forget`). A read older than the newest version seen
    is not kept. Used from the event loop and from worker threads: a read kept out of turn (racing a
    `forget`) is only ever an optimisation gone stale, refused where its answer's record is stored."""

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._reads: dict[tuple[UUID, UUID], LookupView] = {}
        self._newest = 0

    def get(self, ids: tuple[UUID, UUID]) -> LookupView | None:
        return self._reads.get(ids)

    def keep(self, ids: tuple[UUID, UUID], found: LookupView) -> None:
        if found.tilgangsversjon < self._newest:
            return
        if found.tilgangsversjon > self._newest:
            self._reads.clear()
            self._newest = found.tilgangsversjon
        if len(self._reads) >= self._limit:
            self._reads.clear()
        self._reads[ids] = found

    def forget(self, tilgangsversjon: int) -> None:
        """The database's access version is `tilgangsversjon`: every read made at another is forgotten (an
        older one, or a newer one if the database was restored from a backup since)."""
        self._newest = tilgangsversjon
        self._reads = {
            ids: found for ids, found in self._reads.items() if found.tilgangsversjon == tilgangsversjon
        }

    def __len__(self) -> int:
        return len(self._reads)


class WouldBlock(Exception):
    """Raised instead of verifying a password with argon2 when the caller may not block (the event loop)."""


class AccessControl:
    """Checks, in order: the address's request rate, token, scope, failed-attempt limits, integration,
    operating organisation, password, the integration's request rate, role, grant, that the role is active
    (not deactivated by an administrator: 403 `ROLLE_DEAKTIVERT`) and that it may be used through the API
    (its `gyldighet` holds `api`).

    Refusals are `GatewayError`s carrying the platform's machine codes. Every authentication failure (a bad
    token, missing or malformed integration headers, an unknown integration, a token of an organisation
    not authorised to operate it, a wrong password) is the same `AuthenticationFailed`; the precise reason
    is only in the audit record's `feilkode`. An unknown integration and an unauthorised organisation cost
    an argon2 verification like a wrong password, and the password is checked only for the authorised
    organisation, so neither answer nor timing tells a leaked password from a wrong one. Failed attempts at
    the integration step are counted per integration id and per client address (`FailedAuthentications`);
    once either limit is used up, attempts are refused with 429 and `Retry-After` before any argon2 work.
    A role that does not exist and a role belonging to another organisation answer the same 404
    `UKJENT_ROLLE`, so that no caller can learn which role ids exist elsewhere.
    Request rates (`RequestLimits`) are counted per client address for every request, and per integration
    once it has authenticated, at its organisation's rate; beyond either the answer is 429 with
    `Retry-After`.
    """

    def __init__(
        self,
        validator: AccessTokenValidator,
        directory: Directory,
        passwords: PasswordVerifier,
        scope: str,
        failures: FailedAuthentications,
        limits: RequestLimits,
        kept: KeptReads | None = None,
    ) -> None:
        self._validator = validator
        self._directory = directory
        self._passwords = passwords
        self._scope = scope
        self._failures = failures
        self._limits = limits
        #: Reads kept between single lookups (`authenticate` keeps, `look_up_ahead`/`kept_for` hand out);
        #: None keeps none.
        self._kept = kept

    def authenticate(
        self,
        credentials: Credentials,
        rolle_id: str,
        trail: Trail,
        *,
        may_block: bool = True,
        address_admitted: bool = False,
        looked_up: LookedUp | None = None,
    ) -> Caller:
        """The caller and role for these credentials, or a `GatewayError`; fills `trail` as it learns.

        Without `may_block`, raises `WouldBlock` where the password is not remembered (argon2 would run),
        or where the directory would be read on a network (`look_up_ahead` had not read it), after counting
        the request against its address's limit and before anything else is counted; the retry passes
        `address_admitted` so it is not counted twice. `looked_up`: the read to use as this request's, made
        ahead on the event loop (`look_up_ahead`) or kept from an earlier request (`kept_for`).

        A read of the directory made here or ahead is kept (`KeptReads`) once the password is verified."""
        integrasjon_id = _integration_id(credentials.integrasjon_id)
        trail.integrasjon_id = integrasjon_id
        if not address_admitted:
            self._limits.admit_address(credentials.address)
        token = self._token(credentials.authorization, integrasjon_id)
        trail.klient_orgnr = token.orgnr
        if not token.has_scope(self._scope):
            raise GatewayError(
                403,
                codes.MANGLER_SCOPE,
                f"The access token lacks the scope {self._scope}",
                {"paakrevdScope": self._scope},
            )
        address = credentials.address
        password = credentials.integrasjon_passord
        if looked_up is not None and looked_up.found is not None:
            found: LookupView | None = looked_up.found
        elif password and not may_block and self._directory.asynchronous:
            raise WouldBlock  # the read failed on the event loop, or was not made there
        else:
            found = self._lookup(integrasjon_id, rolle_id) if password else None
        kept = looked_up is not None and looked_up.kept
        if found is None or not self._remembered(found, token, password, password_checked=kept):
            if not may_block:
                raise WouldBlock
            # Not the right password verified moments ago: this attempt counts against the limits.
            self._refuse_when_limited(integrasjon_id, address)
            if integrasjon_id is None or not password:
                self._failures.failed(integrasjon_id, address)
                raise AuthenticationFailed(integrasjon_id, codes.UGYLDIG_INTEGRASJON)
            role_id = _uuid(rolle_id, codes.UGYLDIG_ROLLEID, "The role id in the path")
            trail.rolle_id = role_id
            if kept:
                found = None  # a kept read serves only the password verified moments ago
            found = found or self._directory.lookup(integrasjon_id, role_id)
            self._verify(found, integrasjon_id, password, token, trail, address)
        kept_ids = _lookup_ids(integrasjon_id, rolle_id)
        if self._kept is not None and kept_ids is not None and not kept:
            self._kept.keep(kept_ids, found)  # the password is verified: the next request may use it
        role_id = _uuid(rolle_id, codes.UGYLDIG_ROLLEID, "The role id in the path")
        trail.rolle_id = role_id
        integration = found.integration
        assert integration is not None
        trail.orgnr = integration.orgnr
        self._limits.admit_integration(integration.id, found.forespoersler_per_minutt)
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
        if not role.aktiv:
            raise role_deactivated(role)
        if API not in role.gyldighet:
            raise GatewayError(
                403,
                codes.ROLLE_IKKE_GYLDIG_FOR_API,
                f"The role '{role.navn}' may not be used through the API (its gyldighet is "
                f"{', '.join(sorted(role.gyldighet))}); an administrator can add 'api' to it",
                {"gyldighet": sorted(role.gyldighet)},
            )
        return Caller(token=token, integration=integration, role=role)

    async def look_up_ahead(self, credentials: Credentials, rolle_id: str) -> LookedUp | None:
        """On the event loop, for a single lookup: count the request against its address's limit and have
        `authenticate`'s read of integration, role and grant ready, so `authenticate` (given the result)
        need not wait on the database. Its checks and their order are unchanged: the read is only used
        after the token is.

        The read is one kept from an earlier request of the same integration and role (`KeptReads`) when
        there is one, else made now (on PostgreSQL without blocking the loop; `authenticate` keeps it once
        the password is verified). Either way the answer built on it is only given out if the access version
        it was read at still holds where the request's audit record is stored (`AuditLog.record_async`):
        otherwise the request is checked again with a fresh read (`MirroredApi.handle`), so a revoked grant
        or a rotated password still counts on the very next request in every process.

        None, and nothing done, where the request lacks a password or an integration or role id that is a
        UUID (no read is made for it), or where the address is over its limit (`authenticate` refuses it
        then, and no request beyond the limit costs a database read)."""
        password = credentials.integrasjon_passord
        if not password:
            return None
        ids = _lookup_ids(_integration_id(credentials.integrasjon_id), rolle_id)
        if ids is None:
            return None
        try:
            self._limits.admit_address(credentials.address)
        except GatewayError:
            return None  # counted nothing; `authenticate` refuses it with the same answer
        kept = self._kept_read(ids, password)
        if kept is not None:
            return kept
        try:
            if self._directory.asynchronous:
                return LookedUp(await self._directory.lookup_async(*ids))
            return LookedUp(self._directory.lookup(*ids))  # SQLite: local, as `authenticate` would read it
        except Exception as error:
            log.warning(
                "the access lookup failed on the event loop (%s); it is made again in a worker thread",
                type(error).__name__,
            )
            return LookedUp(None)

    def kept_for(self, credentials: Credentials, rolle_id: str) -> LookedUp | None:
        """The read kept for this request's integration and role, if one is kept and the password presented
        is the one verified moments ago (no database read, nothing counted): for a single lookup whose
        pipeline runs in a worker thread. None otherwise: `authenticate` reads afresh."""
        password = credentials.integrasjon_passord
        ids = _lookup_ids(_integration_id(credentials.integrasjon_id), rolle_id)
        return self._kept_read(ids, password) if password and ids is not None else None

    def _kept_read(self, ids: tuple[UUID, UUID], password: str) -> LookedUp | None:
        """The read kept for these ids, if there is one and `password` is the one verified moments ago."""
        found = self._kept.get(ids) if self._kept is not None else None
        integration = found.integration if found is not None else None
        if integration is None or not self._passwords.remembered(
            integration.id, integration.passord_hash, password
        ):
            return None
        return LookedUp(found, kept=True)

    @property
    def kept_reads(self) -> int:
        """How many access reads this process keeps now."""
        return len(self._kept) if self._kept is not None else 0

    def forget_kept(self, tilgangsversjon: int) -> None:
        """The database's access version is `tilgangsversjon`: kept reads made at another are not used."""
        if self._kept is not None:
            self._kept.forget(tilgangsversjon)

    def _lookup(self, integrasjon_id: UUID | None, rolle_id: str) -> LookupView | None:
        """Integration, role and grant (one uncached round trip), or None when an id is no UUID."""
        ids = _lookup_ids(integrasjon_id, rolle_id)
        return self._directory.lookup(*ids) if ids is not None else None

    def _remembered(
        self, found: LookupView, token: AccessToken, password: str | None, *, password_checked: bool = False
    ) -> bool:
        """Whether this is the right password of an integration the token's organisation may operate,
        verified moments ago: then no argon2 is spent, and the failed-attempt limits are not read (only the
        right password can match a remembered success, so this tells a guesser nothing).
        `password_checked`: `found` is a kept read, handed out (`_kept_read`) only after this very password
        was found remembered for its integration; it is not looked up again."""
        integration = found.integration
        return (
            integration is not None
            and bool(password)
            and token.orgnr == integration.autorisert_orgnr
            and (
                password_checked
                or self._passwords.remembered(integration.id, integration.passord_hash, password or "")
            )
        )

    def _verify(
        self,
        found: LookupView,
        integrasjon_id: UUID,
        password: str,
        token: AccessToken,
        trail: Trail,
        address: str | None,
    ) -> None:
        """Check the password with argon2; on any failure count it and raise `AuthenticationFailed`."""
        integration = found.integration
        reason = None
        if integration is None:
            self._passwords.waste(password)
            reason = codes.UKJENT_INTEGRASJON
        elif token.orgnr != integration.autorisert_orgnr:
            self._passwords.waste(password)  # never check a password presented by the wrong organisation
            reason = codes.FEIL_ORGANISASJON
        elif not self._passwords.verify(integration.id, integration.passord_hash, password):
            reason = codes.FEIL_PASSORD
        if reason is not None:
            if integration is not None:
                trail.orgnr = integration.orgnr  # the owner's log shows attempts on its integration
            self._failures.failed(integrasjon_id, address)
            raise AuthenticationFailed(integrasjon_id, reason)

    def authorise_person(self, person: Person, rolle_id: str, trail: Trail) -> Rolle:
        """The role a person acts in, checked afresh on every call (so a revoked grant or a deactivated
        user is refused at the next one), or a `GatewayError`; fills `trail` as it learns. Each call counts
        against the person's request rate (429 with `Retry-After` beyond it).

        A role that does not exist, a role of an organisation the person is no user of, and a role of
        another organisation answer the same 404 `UKJENT_ROLLE`, so no role ids elsewhere can be probed.
        """
        role_id = _uuid(rolle_id, codes.UGYLDIG_ROLLEID, "The role id")
        trail.rolle_id = role_id
        found = self._directory.person_lookup(person.foedselsnummer, role_id)
        user, role = found.user, found.role
        if user is None or role is None or role.orgnr != user.orgnr:
            raise GatewayError(404, codes.UKJENT_ROLLE, f"No role {role_id} in the user's organisation")
        trail.orgnr = user.orgnr  # the organisation's log shows its user's refusals too
        self._limits.admit_person(person.foedselsnummer)
        if not user.aktiv:
            raise GatewayError(403, codes.BRUKER_DEAKTIVERT, "The person's user has been deactivated")
        if SOEK_WEB not in role.gyldighet:
            raise GatewayError(
                403,
                codes.ROLLE_IKKE_GYLDIG_FOR_PORTAL,
                f"The role '{role.navn}' may not be used in the search portal",
            )
        if not found.granted:
            raise GatewayError(
                403, codes.ROLLE_IKKE_TILDELT, f"The person does not hold the role '{role.navn}'"
            )
        if not role.aktiv:
            raise role_deactivated(role)
        return role

    def _refuse_when_limited(self, integrasjon_id: UUID | None, address: str | None) -> None:
        try:
            wait = self._failures.retry_after(integrasjon_id, address)
        except LimiterUnavailableError:
            log.error("the failed-authentication limits could not be read; refusing")
            raise GatewayError(
                503,
                codes.BEGRENSNING_UTILGJENGELIG,
                "Authentication is unavailable; try again later",
                headers={"Retry-After": "5"},
            ) from None
        if wait is not None:
            raise GatewayError(
                429,
                codes.FOR_MANGE_FEILFORSOEK,
                f"Too many failed authentication attempts; try again in {wait} seconds",
                {"retryAfterSeconds": wait},
                headers={"Retry-After": str(wait)},
            )

    def _token(self, authorization: str | None, integrasjon_id: UUID | None) -> AccessToken:
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthenticationFailed(integrasjon_id, codes.UGYLDIG_TOKEN)
        try:
            return self._validator.validate(value.strip())
        except KeysUnavailableError:
            raise GatewayError(
                503,
                codes.TOKENNOEKLER_UTILGJENGELIG,
                "The token issuer's keys could not be loaded; try again",
            ) from None
        except InvalidTokenError as error:
            log.info("access token refused: %s", error.reason)  # the reason only, never the token
            raise AuthenticationFailed(integrasjon_id, codes.UGYLDIG_TOKEN) from None
