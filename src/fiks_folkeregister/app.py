"""Composition root: builds the ASGI applications from settings. The only module that knows everything."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import Engine

from fiks_folkeregister import __version__
from fiks_folkeregister.admin.access import AccessDirectory
from fiks_folkeregister.admin.api import ADMIN_PREFIX, build_admin_router
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.audit.log import AuditLog
from fiks_folkeregister.gateway.access import AccessControl, jwks_fetcher
from fiks_folkeregister.gateway.router import MirroredApi, build_gateway_router
from fiks_folkeregister.identity.api import build_issuer_router
from fiks_folkeregister.identity.clients import ClientRegistry
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.identity.issuer import TokenIssuer
from fiks_folkeregister.identity.keys import SigningKeys
from fiks_folkeregister.identity.tokens import AccessTokenValidator
from fiks_folkeregister.register.api import JsonBytes, build_register_router, install_error_handlers
from fiks_folkeregister.register.database import create_register_engine, migrate
from fiks_folkeregister.register.repository import PersonRepository
from fiks_folkeregister.register.service import RegisterService
from fiks_folkeregister.settings import Settings
from fiks_folkeregister.storage.database import create_gateway_engine
from fiks_folkeregister.storage.database import migrate as migrate_gateway
from fiks_folkeregister.upstream.inprocess import InProcessUpstream
from fiks_folkeregister.upstream.port import Upstream


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
    keys = SigningKeys(settings.issuer_dir)
    return TokenIssuer(
        keys=keys,
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
    )
    install_error_handlers(app)
    app.include_router(build_issuer_router(issuer), prefix="/maskinporten", tags=["maskinporten"])
    app.include_router(build_register_router(register.service, validator))

    @app.get("/health", tags=["operations"])
    async def health() -> JsonBytes:
        """Liveness: answers without touching the database (also the benchmarks' ceiling)."""
        return JsonBytes(b'{"status":"ok"}')

    app.state.register = register
    return app


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
    )


@dataclass(frozen=True)
class Gateway:
    """The gateway's parts, wired from settings: the mirrored API over the embedded register."""

    api: MirroredApi
    access: AccessControl
    upstream: Upstream
    register: Register
    issuer: TokenIssuer
    engine: Engine
    directory: AccessDirectory
    passwords: IntegrationPasswords
    audit: AuditLog
    admin: Admin


def build_gateway(settings: Settings) -> Gateway:
    register = build_register(settings)
    issuer = build_token_issuer(settings)
    admin = build_admin(settings)
    access = AccessControl(
        build_gateway_validator(settings, issuer), admin.access, admin.passwords, settings.gateway_token_scope
    )
    upstream = InProcessUpstream(register.service)
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
        "minimised to the role and audit-logged.",
    )
    app.include_router(build_gateway_router(gateway.api))
    include_admin_api(app, gateway.admin)
    app.include_router(build_issuer_router(gateway.issuer), prefix="/maskinporten", tags=["maskinporten"])

    @app.get("/health", tags=["operations"])
    async def health() -> JsonBytes:
        """Liveness: answers without touching the database."""
        return JsonBytes(b'{"status":"ok"}')

    app.state.gateway = gateway
    return app


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
    audit = AuditLog(engine)
    service = AdminService(engine, passwords, audit)
    return Admin(
        engine=engine, access=AccessDirectory(engine), passwords=passwords, audit=audit, service=service
    )


def include_admin_api(app: FastAPI, admin: Admin) -> None:
    """Mount the admin API at /admin/api/v1 (its errors answer in the platform format by themselves)."""
    app.include_router(build_admin_router(admin.service), prefix=ADMIN_PREFIX)
