"""Composition root: builds the ASGI applications from settings. The only module that knows everything."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from fiks_folkeregister import __version__
from fiks_folkeregister.identity.api import build_issuer_router
from fiks_folkeregister.identity.issuer import TokenIssuer
from fiks_folkeregister.identity.keys import SigningKeys
from fiks_folkeregister.identity.clients import ClientRegistry
from fiks_folkeregister.identity.tokens import AccessTokenValidator
from fiks_folkeregister.register.api import JsonBytes, build_register_router, install_error_handlers
from fiks_folkeregister.register.database import create_register_engine, migrate
from fiks_folkeregister.register.repository import PersonRepository
from fiks_folkeregister.register.service import RegisterService
from fiks_folkeregister.settings import Settings


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
