"""The mirrored API's routes: every request authenticated, authorised, answered through the port, audited."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from fiks_folkeregister.audit.kjede import INTEGRASJON, PERSON
from fiks_folkeregister.audit.log import AccessChangedError, AuditRecord, AuditUnavailableError
from fiks_folkeregister.domain.informasjonselementer import HISTORIKK, IDENTIFIKASJONSNUMMER, PartRequest
from fiks_folkeregister.domain.parametre import UgyldigParameter
from fiks_folkeregister.domain.rollepolicy import (
    ALWAYS_RETURNED,
    PolicyRefusal,
    UnknownParts,
    authorise_parts,
    check_usage_area,
)
from fiks_folkeregister.domain.saksreferanse import Saksreferanse
from fiks_folkeregister.gateway import errors as codes
from fiks_folkeregister.gateway.access import (
    INTEGRATION_ID_HEADER,
    INTEGRATION_PASSWORD_HEADER,
    AccessControl,
    Credentials,
    LookedUp,
    Person,
    Trail,
    WouldBlock,
)
from fiks_folkeregister.gateway.errors import BODY_CODES, GatewayError
from fiks_folkeregister.gateway.openapi import operation as openapi_operation
from fiks_folkeregister.gateway.oppvekst import DEPRECATED_PATH as OPPVEKST_DEPRECATED_PATH
from fiks_folkeregister.gateway.oppvekst import OPPVEKST, OPPVEKST_DEPRECATED
from fiks_folkeregister.gateway.oppvekst import PATH as OPPVEKST_PATH
from fiks_folkeregister.gateway.representation import Address
from fiks_folkeregister.gateway.resources import (
    RESOURCES,
    FilteredEntries,
    MirroredResource,
    UpstreamRequest,
    allowed_methods,
    path_pattern,
)
from fiks_folkeregister.http.body_limit import Refusal, too_large_message
from fiks_folkeregister.http.errors import JSON, HttpError, platform_response, register_body
from fiks_folkeregister.http.etag import etag_matches, weak_etag
from fiks_folkeregister.http.json_body import parse_json_body
from fiks_folkeregister.http.negotiation import negotiate
from fiks_folkeregister.http.request_id import request_id as current_request_id
from fiks_folkeregister.upstream.delegation import on_behalf_of
from fiks_folkeregister.upstream.port import Upstream, UpstreamError
from fiks_folkeregister.upstream.resilience import UpstreamUnavailableError

PREFIX = "/folkeregister/api/v1"
#: The Konfigurasjon API (admin.konfigurasjon): under the mirrored API's prefix, where no role id can be
#: `konfigurasjon` (role ids are UUIDs); never the pipeline's.
KONFIGURASJON_PREFIX = PREFIX + "/konfigurasjon"
REQUEST_ID_HEADER = "X-Request-Id"
FOR_STOR_FORESPOERSEL = "FOR_STOR_FORESPOERSEL"
#: A caller's unknown path is recorded, but never more of it than this (the audit column's size).
MAX_RECORDED_PATH = 200
OK, REFUSED, FAILED = "ok", "avvist", "feil"

log = logging.getLogger(__name__)


class AuditSink(Protocol):
    """Where audit records go (audit.log.AuditLog fits): durable when `record_async` returns, or it raises."""

    async def record_async(self, record: AuditRecord, *, tilgangsversjon: int | None = None) -> None:
        """Durable when it returns; with `tilgangsversjon`, stored only if the access version still is that
        where it is stored (else `AccessChangedError`, and nothing stored)."""
        ...


@dataclass(frozen=True)
class Incoming:
    """What the pipeline is handed (on the event loop or in a worker thread): the raw request, nothing parsed
    yet."""

    method: str
    url_path: str
    rolle_id: str
    path: Mapping[str, str]
    query: Mapping[str, list[str]]
    credentials: Credentials
    content_type: str
    body: bytes = field(repr=False)
    #: Set when the request is refused before authentication (a body too large, a path of no shape).
    rejected: GatewayError | None = None
    accept: str | None = None
    if_none_match: str | None = None
    #: The request's absolute URL without its query (links to other pages of the answer start from it).
    url: str = ""
    #: For a path no resource serves with this method: the methods that are served there (405, not 404).
    allowed: tuple[str, ...] = ()
    #: A case worker in the portal: the principal instead of the credentials (never set by the API's routes).
    person: Person | None = None
    #: The case the portal's lookup is made for, recorded with it.
    sak: Saksreferanse = field(default_factory=Saksreferanse)
    #: The portal's parts: these elements as far as the role holds them (`historikk` from `part` kept).
    parts_within_role: frozenset[str] | None = None
    #: Set by `MirroredApi.handle` only: the request was already counted against its address's limit
    #: (an attempt on the event loop that had to move to a worker thread).
    address_admitted: bool = False


@dataclass
class Outcome:
    """The answer being built, and what the audit record says about it."""

    status: int = 200
    payload: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    utfall: str = OK
    feilkode: str | None = None
    personer: list[str] = field(default_factory=list)
    media_type: str | None = JSON
    #: The answer filtered to the role (what the portal presents); None unless `utfall` is ok.
    data: Any = None
    #: Why it was refused or failed: (machine code, message, details), for the portal to explain.
    refusal: tuple[str, str, Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class Execution:
    """One request run through the pipeline: its audit record's id, and whether that record was stored
    (if not, nothing may be given out)."""

    request_id: str
    outcome: Outcome
    audited: bool


@dataclass(frozen=True)
class _Decided:
    """The answer and its audit record, before the record is stored."""

    outcome: Outcome
    record: AuditRecord


_POLICY_STATUS = {UnknownParts.code: 400}


class MirroredApi:
    """One request, start to end: access checks, role policy, upstream call, role filter, audit.

    With `on_event_loop` (by default when nothing would block the loop, see `app.pipeline_on_event_loop`), a
    resource marked `on_event_loop` (one document) runs its pipeline on the event loop, as the register
    serves its own single lookups: a hop to a worker thread and back costs more than the work. Only a
    remembered password goes that way; an argon2 verification never runs on the event loop (`WouldBlock`
    moves the request to a worker thread).
    """

    def __init__(
        self, access: AccessControl, upstream: Upstream, audit: AuditSink, *, on_event_loop: bool = False
    ) -> None:
        self._access = access
        self._upstream = upstream
        self._audit = audit
        self._on_event_loop = on_event_loop

    async def handle(self, resource: MirroredResource | None, incoming: Incoming, ressurs: str) -> Response:
        """Answer one request of the API: the pipeline (on the event loop when cheap and local, else in a
        worker thread), then the audit record committed while the event loop waits without holding a
        thread, then the answer.

        A single lookup's access read may be one kept from an earlier request (`look_up_ahead` on the event
        loop, `kept_for` for a worker thread): the record is then stored only if the access version it was
        read at still holds, and otherwise the request is decided again from a fresh read in a worker
        thread, so nothing built on a revoked grant or a rotated password leaves."""
        looked_up: LookedUp | None = None
        if self._on_event_loop and resource is not None and resource.on_event_loop:
            looked_up = (
                await self._access.look_up_ahead(incoming.credentials, incoming.rolle_id)
                if incoming.person is None and incoming.rejected is None
                else None
            )
            if looked_up is not None:
                incoming = replace(incoming, address_admitted=True)  # counted by `look_up_ahead`
            try:
                decided = self._decide(resource, incoming, ressurs, may_block=False, looked_up=looked_up)
            except WouldBlock:
                moved = replace(incoming, address_admitted=True)
                if looked_up is not None and looked_up.kept:
                    looked_up = None  # argon2 or a read that failed: worth a fresh read
                decided = await run_in_threadpool(self._decide, resource, moved, ressurs, looked_up=looked_up)
        else:
            if resource is not None and resource.on_event_loop and incoming.person is None:
                looked_up = self._access.kept_for(incoming.credentials, incoming.rolle_id)
            decided = await run_in_threadpool(self._decide, resource, incoming, ressurs, looked_up=looked_up)
        tilgangsversjon = looked_up.tilgangsversjon if looked_up is not None else None
        try:
            await self._audit.record_async(decided.record, tilgangsversjon=tilgangsversjon)
        except AccessChangedError as changed:
            self._access.forget_kept(changed.tilgangsversjon)
            # Counted against its address again unless `look_up_ahead` counted it (`authenticate` may have
            # refused it at that limit: the retry must not skip it), so a refusal is never lost.
            decided = await run_in_threadpool(self._decide, resource, incoming, ressurs)
            return await self._recorded(decided, incoming)
        except Exception as error:
            return self._unaudited(error, decided, incoming)
        return self._answered(decided)

    async def _recorded(self, decided: _Decided, incoming: Incoming) -> Response:
        """`decided`'s answer once its record is stored (from a fresh read: no access version to check)."""
        try:
            await self._audit.record_async(decided.record)
        except Exception as error:
            return self._unaudited(error, decided, incoming)
        return self._answered(decided)

    def _unaudited(self, error: Exception, decided: _Decided, incoming: Incoming) -> Response:
        """503 when the record could not be stored: nothing of the answer leaves."""
        request_id = decided.record.request_id
        _audit_failed(error, request_id)
        unavailable = GatewayError(
            503,
            codes.REVISJONSLOGG_UTILGJENGELIG,
            "The audit log is unavailable, so no data can be given out; try again later",
            headers={"Retry-After": "5"},
        )
        headers = {REQUEST_ID_HEADER: request_id, "Cache-Control": "no-store"}
        return platform_response(unavailable, incoming.url_path, headers, request_id)

    def _answered(self, decided: _Decided) -> Response:
        outcome, record = decided.outcome, decided.record
        if outcome.utfall != OK:
            log.info(
                "request %s: %s %s %s", record.request_id, outcome.status, outcome.feilkode, record.ressurs
            )
        headers = {REQUEST_ID_HEADER: record.request_id, "Cache-Control": "no-store"}
        return Response(
            outcome.payload, outcome.status, {**outcome.headers, **headers}, media_type=outcome.media_type
        )

    def execute(self, resource: MirroredResource | None, incoming: Incoming, ressurs: str) -> Execution:
        """The pipeline for the portal (runs in a worker thread): the same steps as `handle` — access (a
        person), policy, upstream, filter to the role — and the record stored before the filtered data
        (`outcome.data`) is handed back, never before."""
        decided = self._decide(resource, incoming, ressurs)
        outcome, record = decided.outcome, decided.record
        try:
            self._audit.record(record)
        except Exception as error:
            _audit_failed(error, record.request_id)
            outcome.data = None
            return Execution(record.request_id, outcome, audited=False)
        if outcome.utfall != OK:
            log.info("request %s: %s %s %s", record.request_id, outcome.status, outcome.feilkode, ressurs)
        return Execution(record.request_id, outcome, audited=True)

    def _decide(
        self,
        resource: MirroredResource | None,
        incoming: Incoming,
        ressurs: str,
        *,
        may_block: bool = True,
        looked_up: LookedUp | None = None,
    ) -> _Decided:
        """Everything up to the audit record, for the API and the portal alike: access (credentials or a
        person), policy, upstream, filter to the role, and the record that says so (not yet stored).
        Without `may_block`, raises `WouldBlock` (before anything but the address's count) rather than
        verify a password with argon2 or wait on a database. `looked_up`: the access read made ahead on
        the event loop (`AccessControl.look_up_ahead`)."""
        started = datetime.now(UTC)
        request_id = current_request_id()
        trail = Trail()
        person = incoming.person
        parametre = audited_parameters(resource, incoming.path, incoming.query)
        outcome = Outcome()
        try:
            self._answer(resource, incoming, trail, parametre, outcome, may_block, looked_up)
        except WouldBlock:
            raise
        except UpstreamUnavailableError as error:
            # No answer from the register (timeout, broken connection, breaker open): our error, our
            # format; a failure, not a refusal (an HttpError too, so caught before GatewayError).
            self._refused(error, incoming, outcome, request_id)
            outcome.utfall = FAILED
        except GatewayError as error:
            self._refused(error, incoming, outcome, request_id)
        except UgyldigParameter as invalid:
            # Parsed by the register's own parser: refused here exactly as the register would refuse it.
            refusal_body = register_body(
                HttpError(
                    invalid.http_status, invalid.feilkode, invalid.feilmelding, invalid.tilleggsinformasjon
                )
            )
            outcome.status, outcome.payload = invalid.http_status, orjson.dumps(refusal_body)
            outcome.utfall, outcome.feilkode, outcome.personer = REFUSED, invalid.feilkode, []
            outcome.refusal = (invalid.feilkode, invalid.feilmelding, dict(invalid.tilleggsinformasjon))
        except PolicyRefusal as refusal:
            error = GatewayError(
                _POLICY_STATUS.get(refusal.code, 403), refusal.code, refusal.message, refusal.details
            )
            self._refused(error, incoming, outcome, request_id)
        except UpstreamError as error:
            outcome.status, outcome.payload = error.status, orjson.dumps(error.body)
            outcome.headers = dict(error.headers)
            outcome.utfall, outcome.feilkode, outcome.personer = FAILED, error.feilkode, []
            details = error.body.get("tilleggsinformasjon")
            outcome.refusal = (
                error.feilkode or codes.INTERN_FEIL,
                str(error.body.get("feilmelding") or ""),
                details if isinstance(details, dict) else {},
            )
        except Exception:
            log.exception("request %s failed", request_id)
            self._refused(
                GatewayError(500, codes.INTERN_FEIL, "Internal error"), incoming, outcome, request_id
            )
            outcome.utfall = FAILED
        record = AuditRecord(
            tidspunkt=started,
            request_id=request_id,
            orgnr=trail.orgnr,
            rolle_id=trail.rolle_id,
            integrasjon_id=trail.integrasjon_id,
            klient_orgnr=trail.klient_orgnr,
            ressurs=ressurs,
            parametre=parametre,
            personer=outcome.personer,
            utfall=outcome.utfall,
            status=outcome.status,
            feilkode=outcome.feilkode,
            kanal="portal" if person is not None else "api",
            prinsipal=PERSON if person is not None else INTEGRASJON,
            person_foedselsnummer=person.foedselsnummer if person is not None else None,
            person_navn=person.navn if person is not None else None,
            saksnummer=incoming.sak.saksnummer,
            formaal=incoming.sak.formaal,
        )
        return _Decided(outcome, record)

    def _answer(
        self,
        resource: MirroredResource | None,
        incoming: Incoming,
        trail: Trail,
        parametre: dict[str, Any],
        outcome: Outcome,
        may_block: bool,
        looked_up: LookedUp | None,
    ) -> None:
        if incoming.rejected is not None:
            raise incoming.rejected
        if incoming.person is not None:
            role = self._access.authorise_person(incoming.person, incoming.rolle_id, trail)
        else:
            role = self._access.authenticate(
                incoming.credentials,
                incoming.rolle_id,
                trail,
                may_block=may_block,
                address_admitted=incoming.address_admitted,
                looked_up=looked_up,
            ).role
        if resource is None and incoming.allowed:
            raise GatewayError(
                405,
                codes.METODE_IKKE_TILLATT,
                f"{incoming.method} is not supported here; use {', '.join(incoming.allowed)}",
                {"allow": list(incoming.allowed)},
                headers={"Allow": ", ".join(incoming.allowed)},
            )
        if resource is None:
            raise GatewayError(404, codes.UKJENT_RESSURS, "No such resource in the mirrored register API")
        if not resource.offered:
            raise GatewayError(
                501, codes.IKKE_TILBUDT, f"{resource.path} is not offered: the gateway serves JSON only"
            )
        media_type = negotiate(incoming.accept, resource.media_types)
        if media_type is None:
            raise GatewayError(
                406,
                codes.IKKE_STOETTET_FORMAT,
                f"Unsupported Accept header; {resource.name} is served as {' or '.join(resource.media_types)}",
                {"accept": incoming.accept or "", "supported": list(resource.media_types)},
            )
        admitted = resource.admit(role, incoming.path) if resource.admit is not None else None
        body = (
            parse_json_body(incoming.content_type, incoming.body, BODY_CODES) if resource.takes_body else None
        )
        if isinstance(body, dict):
            parametre.update(audited_body(resource, body))
        parts = incoming.query.get("part")
        if incoming.parts_within_role is not None:
            held = sorted((incoming.parts_within_role & role.elementer) - ALWAYS_RETURNED)
            parts = [*(held or [IDENTIFIKASJONSNUMMER]), *([HISTORIKK] if HISTORIKK in (parts or ()) else [])]
            parametre["part"] = parts
        check_usage_area(role, resource.bruksomraader, resource.name)
        if resource.takes_part:
            request = authorise_parts(role, parts)
        elif parts:
            raise GatewayError(
                400, codes.UGYLDIG_PARAMETER, f"{resource.name} does not take the part parameter"
            )
        else:
            request = PartRequest(elements=frozenset(), historikk=False)
        query: Mapping[str, Sequence[str]] = {
            name: values for name, values in incoming.query.items() if name != "part"
        }
        if resource.criteria is not None:
            # What is authorised is what the register will run: the criteria as its parser reads them.
            query, body = resource.criteria.authorise(role, query, body)
        upstream_request = UpstreamRequest(
            path=incoming.path,
            parts=admitted if admitted is not None else parts or None,
            query=query,
            body=body,
            rolle=role,
        )
        if resource.call_each is not None and incoming.person is None and not resource.conditional:
            # A bulk answer: each document cut to the role and serialised as the register makes it.
            entries = FilteredEntries(role, request)
            with on_behalf_of(role.orgnr):
                streamed = resource.call_each(self._upstream, role.rettighetspakke, upstream_request, entries)
            outcome.personer = entries.persons(streamed)
            outcome.payload = resource.render(media_type)(
                streamed, Address(incoming.url, query, str(role.id))
            )
            outcome.media_type = media_type
            return
        with on_behalf_of(role.orgnr):  # a remote register is asked on behalf of the role's organisation
            result = resource.call(self._upstream, role.rettighetspakke, upstream_request)
        filtered = resource.answer.filter(result, role, request)
        if len(resource.representations) > 1:
            outcome.headers["Vary"] = "Accept"
        if resource.conditional:
            # The tag covers the role (its path), the representation, the query and the filtered content:
            # a role is told "not modified" only about exactly what it was given before.
            etag = weak_etag(
                media_type,
                incoming.url_path,
                orjson.dumps(query, option=orjson.OPT_SORT_KEYS),
                orjson.dumps(filtered),
            )
            outcome.headers["ETag"] = etag
            if etag_matches(incoming.if_none_match, etag):
                # Nothing leaves: the caller holds this content, and its earlier answer was audited with it.
                outcome.status, outcome.payload, outcome.media_type = 304, b"", None
                return
        outcome.personer = resource.answer.persons(filtered)
        if incoming.person is not None:
            outcome.data = filtered  # the portal presents it; no register JSON is rendered for a person
            return
        outcome.payload = resource.render(media_type)(filtered, Address(incoming.url, query, str(role.id)))
        outcome.media_type = media_type

    @staticmethod
    def _refused(error: GatewayError, incoming: Incoming, outcome: Outcome, request_id: str) -> None:
        response = platform_response(error, incoming.url_path, error_id=request_id)
        outcome.status, outcome.payload = error.status, bytes(response.body)
        outcome.headers = {k: v for k, v in response.headers.items() if k.lower() not in _MANAGED_HEADERS}
        outcome.utfall, outcome.feilkode, outcome.personer = REFUSED, error.audit_code, []
        outcome.refusal = (error.code, error.message, dict(error.details or {}))


def _audit_failed(error: Exception, request_id: str) -> None:
    if not isinstance(error, AuditUnavailableError):
        log.exception("audit store failed for request %s", request_id, exc_info=error)
    log.error("request %s refused: the audit log is unavailable", request_id)


_MANAGED_HEADERS = frozenset({"content-length", "content-type", "x-request-id"})  # handle sets the id


#: Names that hold credentials: never recorded with their value, even where a resource defines them.
_CREDENTIAL_NAME = re.compile(
    r"pass|token|secret|hemmelig|auth|bearer|api[-_]?key|credential|assertion|cookie|session|jwt|signatur",
    re.IGNORECASE,
)
#: A name shown as it is among the undefined ones; anything else (it could itself be a secret) is hidden.
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,39}")
#: A segment of an unknown path recorded as it is (a resource name); others (ids, tokens …) become `*`.
_PLAIN_SEGMENT = re.compile(r"[A-Za-z][A-Za-z-]{0,39}")
UNDEFINED_PARAMETERS, UNDEFINED_FIELDS, HIDDEN = "ikkeDefinerteParametre", "ikkeDefinerteFelter", "[skjult]"


def _credential(name: str) -> bool:
    return _CREDENTIAL_NAME.search(name) is not None


def _names(names: Iterable[str]) -> list[str]:
    """Names of parameters a resource does not define: shown only when plainly a name and no credential."""
    return [name if _PLAIN_NAME.fullmatch(name) and not _credential(name) else HIDDEN for name in names]


def audited_parameters(
    resource: MirroredResource | None, path: Mapping[str, str], query: Mapping[str, list[str]]
) -> dict[str, Any]:
    """What the audit record says was asked: the path parameters and the query parameters the resource
    defines (one value as a string, repeated ones and `part` as lists); of any other query parameter only
    its name (under `ikkeDefinerteParametre`), never its value; a credential-like name never with a value."""
    defined = set(resource.query_parameters) if resource is not None else set()
    if resource is not None and resource.takes_part:
        defined.add("part")
    recorded: dict[str, Any] = {name: value for name, value in path.items() if not _credential(name)}
    undefined = []
    for name, values in query.items():
        if name in defined and not _credential(name):
            recorded[name] = values if name == "part" or len(values) > 1 else values[0]
        else:
            undefined.append(name)
    if undefined:
        recorded[UNDEFINED_PARAMETERS] = _names(undefined)
    return recorded


def audited_body(resource: MirroredResource, body: Mapping[str, Any]) -> dict[str, Any]:
    """The body fields the resource defines; of any other field only its name (`ikkeDefinerteFelter`)."""
    recorded = {
        name: value for name, value in body.items() if name in resource.body_fields and not _credential(name)
    }
    undefined = [name for name in body if name not in recorded]
    if undefined:
        recorded[UNDEFINED_FIELDS] = _names(undefined)
    return recorded


def audited_path(method: str, path: str) -> str:
    """An unknown path as the audit record names it: resource-like segments kept, every other one `*`."""
    segments = (segment if _PLAIN_SEGMENT.fullmatch(segment) else "*" for segment in path.split("/"))
    return f"{method} {'/'.join(segments)}"[:MAX_RECORDED_PATH]


@dataclass(frozen=True)
class Target:
    """What a request under the prefix asks for: the resource (None if none serves it) and how to audit it."""

    resource: MirroredResource | None
    rolle_id: str
    path: Mapping[str, str]
    ressurs: str
    #: The methods served at the path, for a 405 (empty: no resource has this path).
    allowed: tuple[str, ...] = ()
    #: The path is not `{rolleId}/v1/...`: refused before authentication (there is no role to check).
    shapeless: bool = False


def resolve(resources: Sequence[MirroredResource], method: str, url_path: str) -> Target:
    """The one place a path under the prefix is matched: every method, every path, HEAD as GET.

    A literal path wins over a path parameter (`personer/bulkoppslag` is never a `personidentifikator`),
    so `Allow` lists only what that path serves.
    """
    rest = url_path[len(PREFIX) :].lstrip("/")
    rolle_id, v1, sub = [*rest.split("/", 2), "", ""][:3]
    if v1 != "v1" or not rolle_id:
        return Target(None, "", {}, audited_path(method, rest), shapeless=True)
    found = [(r, params) for r in resources if (params := r.match(sub)) is not None]
    if not found:
        return Target(None, rolle_id, {}, audited_path(method, sub))
    fewest = min(len(params) for _, params in found)
    found = [(r, params) for r, params in found if len(params) == fewest]
    allowed = allowed_methods([r for r, _ in found], sub)
    served = "GET" if method == "HEAD" else method
    for resource, params in found:
        if resource.method == served:
            ressurs = resource.name if method == served else f"{method} {resource.path}"
            return Target(resource, rolle_id, params, ressurs, allowed)
    named, params = found[0]
    # Audited under the resource the path names, with its path parameters, as other refusals are.
    return Target(None, rolle_id, params, f"{method} {named.path}", allowed)


async def _incoming(request: Request, target: Target, rejected: GatewayError | None = None) -> Incoming:
    """Read the request in the event loop (its body is already known to be within the limit)."""
    body = b""
    if rejected is None and target.shapeless:
        rejected = GatewayError(404, codes.UKJENT_RESSURS, "No such resource in the mirrored register API")
    if rejected is None and request.method in ("POST", "PUT", "PATCH"):
        body = await request.body()
    query: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        query.setdefault(name, []).append(value)
    headers = request.headers
    return Incoming(
        method=request.method,
        url_path=request.url.path,
        rolle_id=target.rolle_id,
        path=target.path,
        query=query,
        credentials=Credentials(
            authorization=headers.get("authorization"),
            integrasjon_id=headers.get(INTEGRATION_ID_HEADER),
            integrasjon_passord=headers.get(INTEGRATION_PASSWORD_HEADER),
            address=request.client.host if request.client else None,
        ),
        content_type=headers.get("content-type", ""),
        body=body,
        rejected=rejected,
        accept=headers.get("accept"),
        if_none_match=headers.get("if-none-match"),
        url=str(request.url.replace(query="", fragment="")),
        allowed=target.allowed,
    )


async def _serve(api: MirroredApi, request: Request, target: Target) -> Response:
    """A request of the mirrored or the Oppvekst API through the pipeline; HEAD answered as GET, bodiless."""
    incoming = await _incoming(request, target)
    response = await api.handle(target.resource, incoming, target.ressurs)
    return _without_body(response) if request.method == "HEAD" else response


def _without_body(response: Response) -> Response:
    """The answer to HEAD: the GET's status and headers (its length too), no body."""
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return Response(b"", response.status_code, headers, media_type=response.media_type)


_OPPVEKST_ROUTES = ((OPPVEKST_PATH, OPPVEKST), (OPPVEKST_DEPRECATED_PATH, OPPVEKST_DEPRECATED))
_OPPVEKST_PATTERNS = tuple((path_pattern(path), resource) for path, resource in _OPPVEKST_ROUTES)


def oppvekst_target(method: str, url_path: str) -> Target | None:
    """The Oppvekst resource a path names (any method: other than POST is a 405), or None."""
    for pattern, resource in _OPPVEKST_PATTERNS:
        found = pattern.fullmatch(url_path)
        if found is not None:
            params = found.groupdict()
            rolle_id = params.pop("rolleId")
            if method == resource.method:
                return Target(resource, rolle_id, params, resource.name)
            return Target(None, rolle_id, params, f"{method} {resource.path}", (resource.method,))
    return None


def build_oppvekst_router(api: MirroredApi) -> APIRouter:
    """KS's Oppvekst API at its own paths, through the same pipeline; every other method there is 405.

    Include it before the mirrored API's router: its deprecated path lies under that API's prefix.
    """
    router = APIRouter(tags=["oppvekst"])

    async def oppvekst(request: Request) -> Response:
        target = oppvekst_target(request.method, request.url.path)
        assert target is not None  # only routed here for these paths
        return await _serve(api, request, target)

    for path, resource in _OPPVEKST_ROUTES:
        router.add_api_route(
            path,
            oppvekst,
            methods=["POST"],
            summary=resource.summary,
            name=resource.name,
            response_class=Response,
            openapi_extra=openapi_operation(resource),
            deprecated=resource is OPPVEKST_DEPRECATED,
        )
        router.add_route(path, _AsgiEndpoint(oppvekst), include_in_schema=False)  # every other method
    return router


def build_gateway_router(api: MirroredApi, resources: Sequence[MirroredResource] = RESOURCES) -> APIRouter:
    """Routes for every resource in the table (they document the API), and one catch-all under the prefix
    for every other method and path: all of them answered by `resolve` and the pipeline, so audited."""
    router = APIRouter(tags=["folkeregister"])

    async def mirrored(request: Request) -> Response:
        return await _serve(api, request, resolve(resources, request.method, request.url.path))

    # Every request under the prefix is served by one plain ASGI route, matched first: FastAPI's per-route
    # machinery (dependency solving, its request and response wrappers) is skipped, since `mirrored` reads
    # the request itself. An ASGI app as endpoint also takes every method (HEAD, TRACE, PROPFIND …): none
    # gets a bare 405.
    every_method = _AsgiEndpoint(mirrored)
    router.add_route(PREFIX + "/{rest:path}", every_method, include_in_schema=False)
    router.add_route(PREFIX, every_method, include_in_schema=False)
    for resource in resources:  # never matched (the route above is): they document the API
        router.add_api_route(
            PREFIX + "/{rolleId}/v1/" + resource.path,
            mirrored,
            methods=[resource.method],
            summary=resource.summary,
            name=resource.name,
            response_class=Response,
            status_code=200 if resource.offered else 501,  # only for the document: no 200 is promised
            openapi_extra=openapi_operation(resource),
        )
    return router


def pipeline_target(
    method: str, path: str, resources: Sequence[MirroredResource] = RESOURCES
) -> Target | None:
    """What a request at `path` asks of the pipeline (the Oppvekst API's paths first: one lies under the
    mirrored API's prefix), or None for a path outside both APIs (the Konfigurasjon API's among them)."""
    target = oppvekst_target(method, path)
    if target is None and _under(path, PREFIX) and not _under(path, KONFIGURASJON_PREFIX):
        target = resolve(resources, method, path)
    return target


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


#: Where `MirroredEndpoints` leaves the request's `Target` in the ASGI scope (the metrics and the log
#: name the resource from it, without matching the path again).
TARGET_SCOPE_KEY = "fiks_folkeregister.target"


class MirroredEndpoints:
    """ASGI middleware in front of the app's routes: a request of the mirrored or the Oppvekst API goes
    straight to the pipeline, its path matched once (`pipeline_target`), skipping the framework's routing
    and per-route machinery; any other request goes on to `app` (the Konfigurasjon API's too). The routers
    of `build_gateway_router` and `build_oppvekst_router` serve the same requests the same way (`_serve`) in
    an app without this middleware, and document the APIs in the OpenAPI description."""

    def __init__(self, app: ASGIApp, api: MirroredApi, resources: Sequence[MirroredResource] = RESOURCES):
        self.app = app
        self._api = api
        self._resources = resources

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            target = pipeline_target(scope["method"], scope["path"], self._resources)
            if target is not None:
                scope[TARGET_SCOPE_KEY] = target
                response = await _serve(self._api, Request(scope, receive), target)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _AsgiEndpoint:
    """`handle(request) -> response` as an ASGI app (a route given a plain function serves only GET)."""

    def __init__(self, handle: Callable[[Request], Awaitable[Response]]) -> None:
        self._handle = handle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._handle(Request(scope, receive))
        await response(scope, receive, send)


def body_refusal(api: MirroredApi, resources: Sequence[MirroredResource] = RESOURCES) -> Refusal:
    """The gateway app's 413 (see `http.body_limit`): under the prefix through the pipeline, so audited
    (and not authenticated: nothing of the request was read); elsewhere (admin API, token endpoint) the
    platform error body."""

    async def refuse(request: Request, limit: int) -> Response:
        error = GatewayError(413, FOR_STOR_FORESPOERSEL, too_large_message(limit))
        path = request.url.path
        target = pipeline_target(request.method, path, resources)
        if target is None:
            return platform_response(error, path)
        incoming = await _incoming(request, target, rejected=error)
        return await api.handle(target.resource, incoming, target.ressurs)

    return refuse
