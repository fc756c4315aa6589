"""Composition root: builds the ASGI applications from settings. The only module that knows everything.

Only entrypoints import it: the command lines (`cli.py`, each room's `cli.py`) and the ASGI servers that
`serve` starts (`*_from_environment`), as cosmicpython's entrypoints import its bootstrap.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from fiks_folkeregister import __version__
from fiks_folkeregister.admin.access import AccessDirectory
from fiks_folkeregister.admin.api import ADMIN_PREFIX, build_admin_router
from fiks_folkeregister.admin.api import error_response as admin_error_response
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.konfigurasjon import KONFIGURASJON_PREFIX, build_konfigurasjon_router
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.audit.innsyn import Innsyn
from fiks_folkeregister.audit.log import AuditLog
from fiks_folkeregister.audit.signering import CheckpointSigner
from fiks_folkeregister.gateway.access import AccessControl, FailedAuthentications, jwks_fetcher
from fiks_folkeregister.gateway.openapi import components as gateway_openapi_components
from fiks_folkeregister.gateway.router import (
    FOR_STOR_FORESPOERSEL,
    MirroredApi,
    body_refusal,
    build_gateway_router,
    build_oppvekst_router,
)
from fiks_folkeregister.http.body_limit import BodyLimit, too_large_message
from fiks_folkeregister.http.errors import HttpError, platform_response, register_response
from fiks_folkeregister.identity.api import build_issuer_router
from fiks_folkeregister.identity.clients import ClientRegistry, RegisteredClient
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.identity.issuer import TokenIssuer
from fiks_folkeregister.identity.keys import SigningKeys
from fiks_folkeregister.identity.tokens import AccessTokenValidator
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
from fiks_folkeregister.upstream.resilience import CircuitBreaker, RetryPolicy


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


def build_register_app(settings: Settings) -> FastAPI:
    """The embedded register's server: the register API and the embedded token issuer."""
    register = build_register(settings)
    issuer = build_token_issuer(settings)
    validator = AccessTokenValidator(issuer.jwks, issuer=settings.issuer)
    app = FastAPI(
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
    return build_register_app(Settings())


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


def build_gateway(settings: Settings) -> Gateway:
    register = build_register(settings) if settings.upstream == "embedded" else None
    issuer = build_token_issuer(settings)
    admin = build_admin(settings)
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
    )
    upstream = build_upstream(settings, register, issuer.clients)
    api = MirroredApi(access, upstream, admin.audit)
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
    )


def build_gateway_app(settings: Settings) -> FastAPI:
    """The product's server: the mirrored register API, the admin API, the embedded token issuer, /health."""
    gateway = build_gateway(settings)
    app = FastAPI(
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
    app.include_router(build_konfigurasjon_router(gateway.admin.service), prefix=KONFIGURASJON_PREFIX)
    app.include_router(build_gateway_router(gateway.api))
    include_admin_api(app, gateway.admin, build_insight(settings, gateway.admin, gateway.upstream))
    app.include_router(build_issuer_router(gateway.issuer), prefix="/maskinporten", tags=["maskinporten"])
    # Every path, the admin API and the token endpoint too: 413 before anything is parsed or authenticated.
    app.add_middleware(BodyLimit, limit=settings.max_request_body_bytes, refuse=body_refusal(gateway.api))

    @app.get("/health", tags=["operations"])
    async def health() -> JsonBytes:
        """Liveness: answers without touching the database."""
        return JsonBytes(b'{"status":"ok"}')

    app.state.gateway = gateway
    start_background_work(app, gateway.register, settings)
    if isinstance(gateway.upstream, HttpUpstream):
        close_on_shutdown(app, gateway.upstream.close)
    close_on_shutdown(app, gateway.audit.close)  # signs every chain's head
    return app


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


def close_on_shutdown(app: FastAPI, close: Callable[[], None]) -> None:
    """Run ``close`` when the served app shuts down (after whatever else its lifespan does)."""
    serve = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[Any]:
        try:
            async with serve(served) as state:
                yield state
        finally:
            close()

    app.router.lifespan_context = lifespan


def gateway_app_from_environment() -> FastAPI:
    """Factory for uvicorn: the gateway app with settings from the environment, once per worker process."""
    return build_gateway_app(Settings())


@dataclass(frozen=True)
class Admin:
    """The gateway's configuration side: storage, credentials, audit log and the admin service."""

    engine: Engine
    access: AccessDirectory
    passwords: IntegrationPasswords
    audit: AuditLog
    service: AdminService


def build_admin(settings: Settings, engine: Engine | None = None) -> Admin:
    """Pass the gateway's `engine` to share one pool; without it, one is made (and migrated) from settings."""
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
