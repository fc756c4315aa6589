"""Composition root: builds the ASGI applications from settings. The only module that knows everything.

Only entrypoints import it: the command lines (`cli.py`, each room's `cli.py`) and the ASGI servers that
`serve` starts (`*_from_environment`), as cosmicpython's entrypoints import its bootstrap.
"""

from __future__ import annotations

import hmac
import secrets
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import fastapi_offline
import httpx
import orjson
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from fiks_folkeregister import __version__
from fiks_folkeregister.admin.access import AccessDirectory
from fiks_folkeregister.admin.api import ADMIN_PREFIX, build_admin_router
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.innlogging import SessionLogin
from fiks_folkeregister.admin.konfigurasjon import build_konfigurasjon_router
from fiks_folkeregister.admin.routing import error_response as admin_error_response
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.adminsider.routes import build_admin_pages_router
from fiks_folkeregister.adminsider.web import LOCALE_DIR as ADMIN_PAGES_LOCALE_DIR
from fiks_folkeregister.adminsider.web import AdminPages
from fiks_folkeregister.audit.innsyn import Innsyn
from fiks_folkeregister.audit.log import AuditLog
from fiks_folkeregister.audit.signering import CheckpointSigner
from fiks_folkeregister.gateway.access import AccessControl, FailedAuthentications, KeptReads, jwks_fetcher
from fiks_folkeregister.gateway.openapi import components as gateway_openapi_components
from fiks_folkeregister.gateway.request_limits import RequestLimits
from fiks_folkeregister.gateway.router import (
    FOR_STOR_FORESPOERSEL,
    KONFIGURASJON_PREFIX,
    MirroredApi,
    MirroredEndpoints,
    body_refusal,
    build_gateway_router,
    build_oppvekst_router,
)
from fiks_folkeregister.gcpause import freeze_long_lived
from fiks_folkeregister.http.body_limit import BodyLimit, too_large_message
from fiks_folkeregister.http.errors import HttpError, platform_response, register_response
from fiks_folkeregister.identity.api import build_issuer_router
from fiks_folkeregister.identity.clients import ClientRegistry, RegisteredClient
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.identity.issuer import TokenIssuer
from fiks_folkeregister.identity.keys import SigningKeys, write_private_file
from fiks_folkeregister.identity.tokens import AccessTokenValidator
from fiks_folkeregister.idporten.api import build_idporten_router
from fiks_folkeregister.idporten.provider import Client as IdPortenClient
from fiks_folkeregister.idporten.provider import IdPortenStandIn
from fiks_folkeregister.operations.logs import configure_logging
from fiks_folkeregister.operations.metrics import CONTENT_TYPE, MeasuredUpstream, Metrics
from fiks_folkeregister.operations.observe import RequestObserver
from fiks_folkeregister.operations.readiness import OK, Readiness, database_check
from fiks_folkeregister.portal.assurance import Assurance
from fiks_folkeregister.portal.directory import AdminPersonDirectory, PersonDirectory
from fiks_folkeregister.portal.headers import origin
from fiks_folkeregister.portal.login import OidcLogin
from fiks_folkeregister.portal.oppslag import Portaloppslag
from fiks_folkeregister.portal.routes import LOGGED_OUT_PATH, build_portal_router
from fiks_folkeregister.portal.sessions import Clock, SessionStore, utc_now
from fiks_folkeregister.portal.sider import build_pages_router
from fiks_folkeregister.portal.web import CookiePolicy, PortalContext
from fiks_folkeregister.ratelimit import RateLimiter
from fiks_folkeregister.register.api import PREFIX as REGISTER_PREFIX
from fiks_folkeregister.register.api import JsonBytes, build_register_router, install_error_handlers
from fiks_folkeregister.register.database import create_register_engine, migrate
from fiks_folkeregister.register.faults import FaultPlan, Faults, install_faults
from fiks_folkeregister.register.repository import PersonRepository
from fiks_folkeregister.register.service import RegisterService
from fiks_folkeregister.settings import Settings
from fiks_folkeregister.storage.database import create_gateway_engine
from fiks_folkeregister.storage.database import migrate as migrate_gateway
from fiks_folkeregister.upstream.http import HttpUpstream, Timeouts, UpstreamConfigurationError
from fiks_folkeregister.upstream.inprocess import InProcessUpstream
from fiks_folkeregister.upstream.maskinporten import MaskinportenClient, PlatformCredentials
from fiks_folkeregister.upstream.port import Upstream
from fiks_folkeregister.upstream.resilience import BreakerState, CircuitBreaker, RetryPolicy


@dataclass(frozen=True)
class Register:
    """The embedded register's parts, wired from settings."""

    repository: PersonRepository
    service: RegisterService


def build_register(settings: Settings) -> Register:
    engine = create_register_engine(settings.register_database)
    migrate(engine)
    repository = PersonRepository(engine)
    return Register(repository=repository, service=RegisterService(repository))


def build_token_issuer(settings: Settings) -> TokenIssuer:
    """The issuer with its key and clients in ``settings.issuer_dir`` (the key is made on first use)."""
    return TokenIssuer(
        keys=SigningKeys(settings.issuer_dir),
        clients=ClientRegistry(settings.issuer_dir),
        issuer=settings.issuer,
        default_lifetime_seconds=settings.access_token_lifetime_seconds,
    )


#: FastAPI's own OpenTelemetry signals, off: a span names the request's path, and this API's paths hold
#: identity numbers (the processes count and log each request themselves, without it: `operations`). Off
#: also spares every request the check whether a provider is configured (about 2 % of a lookup's time).
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "auto_configure": False}


def build_register_app(settings: Settings) -> FastAPI:
    """The embedded register's server: the register API and the embedded token issuer."""
    register = build_register(settings)
    issuer = build_token_issuer(settings)
    validator = AccessTokenValidator(issuer.jwks, issuer=settings.issuer)
    app = FastAPI(
        telemetry=NO_TELEMETRY,
        title="Folkeregisteret (embedded)",
        version=__version__,
        description="A faithful stand-in for the national population register's consumer API, "
        "over a synthetic population.",
        docs_url=None,
        redoc_url=None,
    )
    serve_docs_offline(app)
    install_error_handlers(app)
    app.include_router(build_issuer_router(issuer), prefix="/maskinporten", tags=["maskinporten"])
    app.include_router(build_register_router(register.service, validator))
    app.add_middleware(BodyLimit, limit=settings.max_request_body_bytes, refuse=register_body_refusal)
    if settings.register_faults:
        app.state.faults = install_faults(app, Faults(FaultPlan.from_settings(settings)))

    @app.get("/health", tags=["operations"])
    async def health() -> JsonBytes:
        """Liveness: answers without touching the database (also the benchmarks' ceiling)."""
        return JsonBytes(b'{"status":"ok"}')

    app.state.register = register
    start_background_work(app, register, settings)
    return app


async def register_body_refusal(request: Request, limit: int) -> Response:
    """The register app's 413: the register's error format on its API, the platform's elsewhere."""
    error = HttpError(413, FOR_STOR_FORESPOERSEL, too_large_message(limit))
    if request.url.path.startswith(REGISTER_PREFIX + "/"):
        return register_response(error)
    return platform_response(error, request.url.path)


def start_background_work(app: FastAPI, register: Register | None, settings: Settings) -> None:
    """The extract worker (and, if configured, the simulator ticker) run while the app is served."""
    from fiks_folkeregister.register.ticker import SimulatorTicker
    from fiks_folkeregister.register.uttrekk.worker import ExtractWorker

    app.state.extract_worker = None
    if register is None:
        return  # a remote register works its own jobs
    workers: list[Any] = []
    if settings.extract_worker:
        workers.append(
            ExtractWorker(register.service.uttrekk, poll_seconds=settings.extract_worker_poll_seconds)
        )
    if settings.simulator_events_per_second > 0:
        workers.append(SimulatorTicker(register.service.hendelser.log, settings.simulator_events_per_second))
    app.state.extract_worker = workers[0] if settings.extract_worker else None
    if not workers:
        return
    serve = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[Any]:
        for worker in workers:
            worker.start()
        try:
            async with serve(served) as state:
                yield state
        finally:
            for worker in workers:
                worker.stop()

    app.router.lifespan_context = lifespan


def register_app_from_environment() -> FastAPI:
    """Factory for uvicorn: settings from the environment, read once per worker process."""
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_format == "json")
    app = build_register_app(settings)
    after_startup(app, freeze_long_lived)
    return app


def build_gateway_validator(settings: Settings, issuer: TokenIssuer) -> AccessTokenValidator:
    """Validates the gateway's callers' tokens: the embedded issuer's keys unless a JWKS URL is configured."""
    jwks = jwks_fetcher(settings.gateway_token_jwks_url) if settings.gateway_token_jwks_url else issuer.jwks
    return AccessTokenValidator(
        jwks,
        issuer=settings.gateway_token_issuer or settings.issuer,
        audience=settings.gateway_token_audience,
        max_lifetime_seconds=settings.gateway_token_max_lifetime_seconds,
    )


@dataclass(frozen=True)
class Gateway:
    """The gateway's parts, wired from settings: the mirrored API over the embedded or a remote register."""

    api: MirroredApi
    access: AccessControl
    upstream: Upstream
    register: Register | None  # None when the register is reached over HTTP
    issuer: TokenIssuer
    engine: Engine
    directory: AccessDirectory
    passwords: IntegrationPasswords
    audit: AuditLog
    admin: Admin
    metrics: Metrics
    #: The portal's lookups, over the same pipeline as the API (`api`).
    oppslag: Portaloppslag


def pipeline_on_event_loop(settings: Settings) -> bool:
    """Whether one-document lookups run their pipeline on the event loop (see `MirroredApi`): asked for
    (`always`), or by default when no step of it blocks the loop on a network: the register embedded in a
    SQLite file, the gateway's database a SQLite file or PostgreSQL (whose per-request read is made
    without blocking, `AccessControl.look_up_ahead`), request limits in this process, the token issuer's
    own keys."""
    if settings.event_loop_pipeline != "local":
        return settings.event_loop_pipeline == "always"
    return (
        settings.upstream == "embedded"
        and settings.register_database.startswith("sqlite")
        and settings.gateway_database.startswith(("sqlite", "postgresql"))
        and settings.redis_url is None
        and settings.gateway_token_jwks_url is None
    )


def build_gateway(settings: Settings, metrics: Metrics | None = None) -> Gateway:
    metrics = metrics or Metrics()
    register = build_register(settings) if settings.upstream == "embedded" else None
    issuer = build_token_issuer(settings)
    # The audit writer checkpoints a SQLite log between its batches, never inside a request's commit.
    engine = create_gateway_engine(settings.gateway_database, checkpoints_in_commits=False)
    migrate_gateway(engine)
    admin = build_admin(settings, engine, metrics=metrics)
    access = AccessControl(
        build_gateway_validator(settings, issuer),
        admin.access,
        admin.passwords,
        settings.gateway_token_scope,
        FailedAuthentications(
            RateLimiter(settings.redis_url),
            per_integration=settings.failed_authentications_per_integration,
            per_address=settings.failed_authentications_per_address,
        ),
        RequestLimits(
            RateLimiter(settings.redis_url, strategy="sliding-window"),
            per_address=settings.requests_per_address,
            per_integration=settings.requests_per_integration,
            on_refusal=metrics.refused,
            per_person=settings.portal_requests_per_person,
        ),
        KeptReads(settings.kept_access_reads) if settings.kept_access_reads else None,
    )
    upstream = build_upstream(settings, register, issuer.clients)
    api = MirroredApi(
        access,
        MeasuredUpstream(upstream, metrics),
        admin.audit,
        on_event_loop=pipeline_on_event_loop(settings),
    )
    return Gateway(
        api=api,
        access=access,
        upstream=upstream,
        register=register,
        issuer=issuer,
        engine=admin.engine,
        directory=admin.access,
        passwords=admin.passwords,
        audit=admin.audit,
        admin=admin,
        metrics=metrics,
        oppslag=Portaloppslag(api),
    )


def build_gateway_app(
    settings: Settings, *, portal_clock: Clock = utc_now, person_directory: PersonDirectory | None = None
) -> FastAPI:
    """The product's server: the mirrored register API, the admin API, the embedded token issuer, the search
    portal (with the ID-porten stand-in unless a provider is configured), /health. ``portal_clock``: the
    sessions' time (tests move it); ``person_directory``: who may use the portal (default the admin side's)."""
    gateway = build_gateway(settings)
    app = FastAPI(
        telemetry=NO_TELEMETRY,
        title="Fiks Folkeregister",
        version=__version__,
        description="The population register mirrored per role: every request authenticated, "
        "minimised to the role and audit-logged. Every mirrored operation needs the Maskinporten token "
        "and the integration's `IntegrasjonId` and `IntegrasjonPassord`. Errors the gateway makes use the "
        "platform's body, whose `errorId` is the request's audit record id (also `X-Request-Id`); errors "
        "the register answers pass through in its own format. A known path asked with a method it does not "
        "serve answers 405 `METODE_IKKE_TILLATT` with `Allow`; an unknown path 404 `UKJENT_RESSURS`.",
        docs_url=None,
        redoc_url=None,
    )
    serve_docs_offline(app)
    add_openapi_components(app, gateway_openapi_components())
    app.include_router(build_oppvekst_router(gateway.api))  # first: one of its paths is under the prefix
    app.include_router(
        build_konfigurasjon_router(
            gateway.admin.service, admin_session_login(settings, gateway.engine, portal_clock)
        ),
        prefix=KONFIGURASJON_PREFIX,
    )
    app.include_router(build_gateway_router(gateway.api))
    include_admin_api(app, gateway.admin, build_insight(settings, gateway.admin, gateway.upstream))
    app.include_router(build_issuer_router(gateway.issuer), prefix="/maskinporten", tags=["maskinporten"])
    served = include_portal(
        app,
        settings,
        gateway.engine,
        person_directory or AdminPersonDirectory(gateway.directory, gateway.engine),
        portal_clock,
        gateway.oppslag,
    )
    if served is not None:
        include_admin_pages(app, *served, gateway.admin.service)
    # Every path, the admin API and the token endpoint too: 413 before anything is parsed or authenticated.
    # Inside the body limit; the Konfigurasjon API lies under the mirrored API's prefix.
    app.add_middleware(MirroredEndpoints, api=gateway.api)
    app.add_middleware(BodyLimit, limit=settings.max_request_body_bytes, refuse=body_refusal(gateway.api))

    app.add_middleware(RequestObserver, metrics=gateway.metrics, access_log=settings.access_log)
    serve_operations(app, gateway, settings)
    app.state.gateway = gateway
    start_background_work(app, gateway.register, settings)
    if isinstance(gateway.upstream, HttpUpstream):
        close_on_shutdown(app, gateway.upstream.close)
    close_on_shutdown(app, gateway.audit.close)  # signs every chain's head
    close_on_shutdown(app, gateway.directory.close_async)
    return app


def portal_sessions(settings: Settings, engine: Engine, clock: Clock) -> SessionStore:
    """The portal's session store (login sessions of case workers and administrators alike)."""
    return SessionStore(
        engine,
        idle=timedelta(minutes=settings.portal_session_idle_minutes),
        absolute=timedelta(hours=settings.portal_session_absolute_hours),
        clock=clock,
    )


def admin_session_login(settings: Settings, engine: Engine, clock: Clock) -> SessionLogin:
    """How a logged-in administrator's session authenticates the Konfigurasjon API: the portal's sessions
    and cookie (no session exists unless a login is configured, so then only API keys authenticate)."""
    cookie = CookiePolicy(secure=settings.public_url.startswith("https://")).name
    return SessionLogin(portal_sessions(settings, engine, clock), cookie)


IDPORTEN_DIR = Path(__file__).with_name("idporten")
PORTAL_CLIENT_SECRET_FILE = "portal-client-secret"


def include_portal(
    app: FastAPI,
    settings: Settings,
    engine: Engine,
    directory: PersonDirectory,
    clock: Clock,
    oppslag: Portaloppslag,
) -> tuple[PortalContext, OidcLogin] | None:
    """The search portal under /portal/ and, unless another provider is configured, the ID-porten stand-in
    under /idporten/ (reached by the portal in this process: no network, every worker alike). Neither
    configured: no portal (the stand-in lets anyone log in as anyone, so it is never the silent default).
    Returns the page machinery and the login client (the administration pages share them)."""
    embedded = settings.portal_oidc_discovery_url is None
    if embedded and not settings.idporten_stand_in:
        return None
    sessions = portal_sessions(settings, engine, clock)
    portal = PortalContext(
        sessions,
        CookiePolicy(secure=settings.public_url.startswith("https://")),
        form_targets=[origin(settings.portal_discovery_url)],
        role_is_held=lambda pid, rolle_id: any(
            str(choice.rolle.id) == rolle_id for choice in directory.portal_roles(pid)
        ),
        extra_locale_dirs=[IDPORTEN_DIR / "locale", ADMIN_PAGES_LOCALE_DIR],
    )
    portal.add_templates(IDPORTEN_DIR / "templates")
    portal.install(app)
    transport: httpx.AsyncBaseTransport | None = None
    if embedded:
        secret = portal_client_secret(settings)
        stand_in = IdPortenStandIn(
            settings.idporten_issuer,
            SigningKeys(settings.data_dir / "idporten"),
            IdPortenClient(
                client_id=settings.portal_client_id,
                client_secret=secret,
                redirect_uris=frozenset({settings.portal_callback_url}),
                post_logout_redirect_uris=frozenset({settings.public_url.rstrip("/") + LOGGED_OUT_PATH}),
            ),
            engine,
        )
        app.include_router(build_idporten_router(stand_in, portal.render), prefix="/idporten")
        transport = httpx.ASGITransport(app=app)
    elif settings.portal_client_secret is None:
        raise ValueError("FIKSREG_PORTAL_OIDC_DISCOVERY_URL needs FIKSREG_PORTAL_CLIENT_SECRET")
    login = build_portal_login(settings, transport)
    app.include_router(build_portal_router(portal, login, directory, settings.public_url))
    app.include_router(build_pages_router(portal, oppslag, directory))
    app.state.portal = portal
    return portal, login


def build_portal_login(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> OidcLogin:
    """The portal's OpenID Connect client, every choice about the provider taken from the settings."""
    return OidcLogin(
        discovery_url=settings.portal_discovery_url,
        client_id=settings.portal_client_id,
        client_secret=portal_client_secret(settings),
        redirect_url=settings.portal_callback_url,
        assurance=Assurance(
            claim=settings.portal_acr_claim,
            accepted=settings.portal_accepted_levels,
            required_amr=tuple(settings.portal_required_amr),
        ),
        identity_claim=settings.portal_identity_claim,
        scopes=tuple(settings.portal_oidc_scopes),
        auth_method=settings.portal_client_auth_method,
        transport=transport,
    )


def include_admin_pages(app: FastAPI, portal: PortalContext, login: OidcLogin, service: AdminService) -> None:
    """The administration pages under /admin/ (beside the admin API under /admin/api/v1), on the portal's
    sessions, login and page machinery."""
    pages = AdminPages(portal, service)
    pages.install(app)
    app.include_router(build_admin_pages_router(pages, login))
    app.state.admin_pages = pages


def portal_client_secret(settings: Settings) -> str:
    """The configured secret, or (embedded stand-in) the one kept in the data directory, made on first use."""
    if settings.portal_client_secret is not None:
        return settings.portal_client_secret.get_secret_value()
    path = settings.data_dir / "idporten" / PORTAL_CLIENT_SECRET_FILE
    if not path.exists():
        write_private_file(path, secrets.token_urlsafe(32).encode())
    return path.read_text().strip()


#: Where the documentation pages' scripts and styles are served (files of the fastapi-offline package).
DOCS_ASSETS = "/docs-assets"


def serve_docs_offline(app: FastAPI) -> None:
    """Swagger UI at /docs and ReDoc at /redoc, their files served by the app itself: no CDN, so the
    pages work offline and load nothing from elsewhere (no fonts, no validator badge)."""
    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )


def add_openapi_components(app: FastAPI, components: dict[str, dict[str, Any]]) -> None:
    """Add schemas and security schemes that operations refer to but FastAPI does not generate itself."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for kind, entries in components.items():
                present = document.setdefault("components", {}).setdefault(kind, {})
                clashes = [name for name, entry in entries.items() if present.get(name, entry) != entry]
                if clashes:
                    raise ValueError(f"OpenAPI {kind} defined twice, differently: {', '.join(clashes)}")
                present.update(entries)
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


def after_startup(app: FastAPI, then: Callable[[], None]) -> None:
    """Run ``then`` once the served app has started (after whatever else its lifespan starts)."""
    serve = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[Any]:
        async with serve(served) as state:
            then()
            yield state

    app.router.lifespan_context = lifespan


def close_on_shutdown(app: FastAPI, close: Callable[[], Awaitable[None] | None]) -> None:
    """Run ``close`` (awaited if it is a coroutine function) when the served app shuts down (after whatever
    else its lifespan does)."""
    serve = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[Any]:
        try:
            async with serve(served) as state:
                yield state
        finally:
            closed = close()
            if closed is not None:
                await closed

    app.router.lifespan_context = lifespan


def serve_operations(app: FastAPI, gateway: Gateway, settings: Settings) -> None:
    """`/health` (liveness), `/ready` (readiness) and, with a token configured, `/metrics`."""

    @app.get("/health", tags=["operations"])
    async def health() -> JsonBytes:
        """Liveness: the process answers (touches nothing else; restart it when this fails)."""
        return JsonBytes(b'{"status":"ok"}')

    readiness = Readiness(
        {
            "database": database_check(gateway.engine),
            "auditlog": lambda: OK if gateway.audit.writer_alive and not gateway.audit.failing else "failing",
            "register": upstream_check(gateway),
        }
    )

    @app.get("/ready", tags=["operations"], responses={503: {"description": "Not ready"}})
    def ready() -> Response:
        """Readiness: the gateway's database answers, the audit writer is not failing, and the register is
        reachable (the embedded register's database answers; a remote one's circuit breaker is not open).
        503 until all hold: send this process no requests meanwhile."""
        is_ready, checks = readiness.report()
        body = orjson.dumps({"status": "ready" if is_ready else "not-ready", "checks": checks})
        return Response(
            body, 200 if is_ready else 503, {"Cache-Control": "no-store"}, media_type="application/json"
        )

    token = settings.metrics_token.get_secret_value().encode() if settings.metrics_token else None

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Prometheus text format, for the bearer of FIKSREG_METRICS_TOKEN only (404 when none is set)."""
        if token is None:
            return platform_response(HttpError(404, "UKJENT_RESSURS", "Not found"), request.url.path)
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), token):
            return platform_response(
                HttpError(401, "UGYLDIG_TOKEN", "The metrics token is missing or wrong"), request.url.path
            )
        return Response(gateway.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})


def upstream_check(gateway: Gateway) -> Callable[[], str]:
    """The register's readiness as this process sees it, without a call that would cost the register."""
    if gateway.register is not None:
        return database_check(gateway.register.repository.engine)
    breaker = getattr(gateway.upstream, "breaker", None)

    def check() -> str:
        if breaker is not None and breaker.state is BreakerState.OPEN:
            return "unavailable (circuit breaker open)"
        return OK

    return check


def gateway_app_from_environment() -> FastAPI:
    """Factory for uvicorn: the gateway app with settings from the environment, once per worker process."""
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_format == "json")
    app = build_gateway_app(settings)
    after_startup(app, freeze_long_lived)
    return app


@dataclass(frozen=True)
class Admin:
    """The gateway's configuration side: storage, credentials, audit log and the admin service."""

    engine: Engine
    access: AccessDirectory
    passwords: IntegrationPasswords
    audit: AuditLog
    service: AdminService


def build_admin(settings: Settings, engine: Engine | None = None, metrics: Metrics | None = None) -> Admin:
    """Pass the gateway's `engine` to share one pool; without it, one is made (and migrated) from settings.
    With `metrics`, the audit writer reports its batches there."""
    if engine is None:
        engine = create_gateway_engine(settings.gateway_database)
        migrate_gateway(engine)
    passwords = IntegrationPasswords(settings.password_cache_seconds)
    audit = AuditLog(
        engine,
        signer=CheckpointSigner(settings.audit_key_path),
        checkpoint_records=settings.audit_checkpoint_records,
        checkpoint_minutes=settings.audit_checkpoint_minutes,
        checkpoint_file=settings.audit_checkpoint_path,
        on_batch=metrics.audit_batch if metrics is not None else None,
    )
    service = AdminService(engine, passwords, audit)
    return Admin(
        engine=engine, access=AccessDirectory(engine), passwords=passwords, audit=audit, service=service
    )


def include_admin_api(app: FastAPI, admin: Admin, innsyn: Innsyn | None = None) -> None:
    """Mount the admin API at /admin/api/v1 (its errors answer in the platform format by themselves, and
    so do paths and methods under it that no route serves)."""
    app.include_router(build_admin_router(admin.service, innsyn), prefix=ADMIN_PREFIX)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if not request.url.path.startswith(ADMIN_PREFIX + "/"):
            return await http_exception_handler(request, error)
        code = {404: "UKJENT_RESSURS", 405: "METODE_IKKE_TILLATT"}.get(error.status_code, "FEIL")
        response = admin_error_response(request, AdminError(error.status_code, code, str(error.detail)))
        response.headers.update(error.headers or {})  # Allow on 405
        return response


def build_insight(settings: Settings, admin: Admin, upstream: Upstream | None = None) -> Innsyn:
    """Answers requests for insight; without `upstream`, one is built from settings (the command line)."""
    if upstream is None:
        register = build_register(settings) if settings.upstream == "embedded" else None
        upstream = build_upstream(settings, register, ClientRegistry(settings.issuer_dir))
    return Innsyn(admin.engine, admin.audit, upstream, settings.upstream_platform_orgnr)


DEVELOPMENT_CLIENT_NAME = "Fiks Folkeregister gateway (development)"


def build_upstream(settings: Settings, register: Register | None, clients: ClientRegistry) -> Upstream:
    """The gateway's register: in this process (`embedded`) or over HTTP (`http`), chosen by settings."""
    if settings.upstream == "http":
        return build_http_upstream(settings, clients)
    if register is None:
        raise ValueError("the embedded upstream needs the embedded register")
    return InProcessUpstream(register.service)


def build_http_upstream(settings: Settings, clients: ClientRegistry) -> HttpUpstream:
    """The HTTP adapter with its Maskinporten client; clear errors for settings that cannot work."""
    if not settings.upstream_url:
        raise UpstreamConfigurationError(
            "FIKSREG_UPSTREAM=http needs FIKSREG_UPSTREAM_URL (the register's base URL)"
        )
    base = settings.upstream_url.rstrip("/")
    trust = upstream_trust(settings)  # read now, so a bad CA bundle stops the start-up
    embedded_token_url = f"{base}/maskinporten/token"
    token_url = settings.upstream_token_url or embedded_token_url
    password = settings.upstream_cert_password.get_secret_value() if settings.upstream_cert_password else None
    development = False  # the automatic development client, which needs its delegations recorded
    if settings.upstream_client_id:
        if settings.upstream_cert is None:
            raise UpstreamConfigurationError(
                "FIKSREG_UPSTREAM_CLIENT_ID needs FIKSREG_UPSTREAM_CERT (and _KEY for PEM)"
            )
        client_id = settings.upstream_client_id
        credentials = PlatformCredentials.load(settings.upstream_cert, settings.upstream_key, password)
    elif token_url.rstrip("/") == embedded_token_url:
        # Development only: the register's embedded issuer shares our data directory's issuer/ folder.
        client = development_client(clients, settings.upstream_platform_orgnr)
        client_id = client.client_id
        credentials = PlatformCredentials.load(client.certificate_path, client.key_path)
        development = True
    else:
        raise UpstreamConfigurationError(
            "FIKSREG_UPSTREAM_TOKEN_URL is not the embedded issuer, so FIKSREG_UPSTREAM_CLIENT_ID and "
            "FIKSREG_UPSTREAM_CERT are needed"
        )
    credentials.check_valid()
    token_trust: ssl.SSLContext | bool = True
    if trust is not None and token_url.rstrip("/") == embedded_token_url:
        # The embedded issuer is served by the register, behind the same certificate (own context:
        # httpx sets the ALPN protocols on the context it is given).
        token_trust = upstream_trust(settings) or True
    platform_client = (
        partial(DevelopmentMaskinportenClient, clients=clients) if development else MaskinportenClient
    )
    tokens = platform_client(
        token_url,
        settings.upstream_audience or settings.issuer,
        client_id,
        credentials,
        verify=token_trust,
        timeout_seconds=settings.upstream_timeout_seconds,
    )
    return HttpUpstream(
        base,
        tokens,
        timeouts=Timeouts(settings.upstream_connect_timeout_seconds, settings.upstream_timeout_seconds),
        policy=RetryPolicy(
            attempts=settings.upstream_attempts,
            max_retry_after_seconds=settings.upstream_max_retry_after_seconds,
            deadline_seconds=settings.upstream_deadline_seconds,
        ),
        breaker=CircuitBreaker(
            base,
            failure_threshold=settings.upstream_breaker_failures,
            reset_seconds=settings.upstream_breaker_reset_seconds,
        ),
        delegation=settings.upstream_delegation,
        http2=settings.upstream_http2,
        trust=trust,
        max_connections=settings.upstream_max_connections,
    )


def upstream_trust(settings: Settings) -> ssl.SSLContext | None:
    """The CAs trusted for the register's TLS (FIKSREG_UPSTREAM_CA_BUNDLE); None: the default trust."""
    bundle = settings.upstream_ca_bundle
    if bundle is None:
        return None
    try:
        return ssl.create_default_context(cafile=bundle)
    except OSError as error:  # missing, unreadable, or holding no PEM certificate (ssl.SSLError)
        raise UpstreamConfigurationError(
            f"FIKSREG_UPSTREAM_CA_BUNDLE={bundle} cannot be used: {error.strerror or error} "
            "(it must be a readable PEM file of CA certificates)"
        ) from None


def development_client(clients: ClientRegistry, orgnr: str) -> RegisteredClient:
    """The gateway's own client with the embedded issuer: the one registered before, or a new one."""
    for client in clients.list():
        if client.name == DEVELOPMENT_CLIENT_NAME and client.orgnr == orgnr:
            return client
    return clients.create(orgnr, DEVELOPMENT_CLIENT_NAME)


class DevelopmentMaskinportenClient(MaskinportenClient):
    """Development only: each organisation the gateway acts for delegates to the platform's own client.

    The embedded issuer grants a ``consumer_org`` only to a client it has delegated to. In the development
    set-up (the register's embedded issuer and the automatic development client) the gateway acts for the
    organisations registered with it, so before it first asks for a token on behalf of one (a role's
    organisation) this records that delegation, as each municipality does in Altinn for the real platform.
    No other client gets a delegation this way.
    """

    def __init__(self, *args: Any, clients: ClientRegistry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients = clients
        self._delegated: set[str] = set()

    def token(self, scope: str, consumer_org: str | None = None) -> str:
        if consumer_org is not None and consumer_org not in self._delegated:
            self._clients.delegate(self.client_id, consumer_org)
            self._delegated.add(consumer_org)
        return super().token(scope, consumer_org)
