"""The embedded register on a real socket (uvicorn in a thread) with its fault mode; a platform client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fiks_folkeregister.app import build_register, build_register_app
from fiks_folkeregister.identity.clients import ClientRegistry, RegisteredClient
from fiks_folkeregister.register.faults import FaultMiddleware, FaultPlan, Faults, install_faults
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings
from fiks_folkeregister.upstream.http import HttpUpstream, Timeouts
from fiks_folkeregister.upstream.maskinporten import MaskinportenClient, PlatformCredentials
from fiks_folkeregister.upstream.resilience import CircuitBreaker, RetryPolicy
from tests.upstream.servers import ThreadedServer

PLATFORM_ORGNR = "999999999"
MUNICIPALITY = "910000004"
PERSONS = 120


@dataclass
class FakeClock:
    """A monotonic clock the test moves by hand."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Register:
    """A served register, its fault switches, some example persons and the platform's registered client."""

    server: ThreadedServer
    faults: Faults
    settings: Settings
    examples: dict[str, list[str]]
    dokumentidentifikatorer: dict[str, str]
    platform: RegisteredClient
    sleeps: list[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def token_url(self) -> str:
        return f"{self.url}/maskinporten/token"

    def credentials(self) -> PlatformCredentials:
        return PlatformCredentials.load(self.platform.certificate_path, self.platform.key_path)

    def maskinporten(self, **options: Any) -> MaskinportenClient:
        return MaskinportenClient(
            self.token_url, self.settings.issuer, self.platform.client_id, self.credentials(), **options
        )

    def upstream(
        self,
        tokens: MaskinportenClient | None = None,
        *,
        read_seconds: float = 5.0,
        attempts: int = 3,
        max_retry_after_seconds: float = 2.0,
        breaker: CircuitBreaker | None = None,
        **options: Any,
    ) -> HttpUpstream:
        """An adapter with small backoffs; its sleeps are recorded in ``self.sleeps`` (and really slept)."""

        def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            time.sleep(seconds)

        return HttpUpstream(
            self.url,
            tokens or self.maskinporten(),
            timeouts=Timeouts(connect_seconds=1.0, read_seconds=read_seconds),
            policy=RetryPolicy(
                attempts=attempts,
                backoff_base_seconds=0.01,
                backoff_cap_seconds=0.05,
                max_retry_after_seconds=max_retry_after_seconds,
                deadline_seconds=30,
            ),
            breaker=breaker or CircuitBreaker(self.url, failure_threshold=50),
            sleep=sleep,
            **options,
        )


def register_app_with_faults(settings: Settings) -> tuple[FastAPI, Faults]:
    """The register's app with the fault middleware (built from settings when the wiring does it)."""
    app = build_register_app(settings)
    installed = [m for m in app.user_middleware if m.cls is FaultMiddleware]
    if installed:
        return app, installed[0].kwargs["faults"]
    return app, install_faults(app, Faults(FaultPlan()))


@pytest.fixture(scope="module")
def register_data(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Settings, dict[str, list[str]], dict[str, str]]:
    data_dir: Path = tmp_path_factory.mktemp("upstream")
    settings = Settings(data_dir=data_dir, register_faults=True)
    register = build_register(settings)
    examples = seed_population(register.repository, PERSONS, seed=3, reference_date=date(2026, 11, 1))
    with register.repository.engine.connect() as connection:
        documents = dict(
            connection.execute(select(person.c.foedsels_eller_d_nummer, person.c.dokumentidentifikator)).all()
        )
    register.repository.engine.dispose()
    return settings, examples, documents


@pytest.fixture(scope="module")
def platform_client(register_data: tuple[Settings, Any, Any]) -> RegisteredClient:
    clients = ClientRegistry(register_data[0].issuer_dir)
    platform = clients.create(PLATFORM_ORGNR, "Fiks plattform (test)")
    for municipality in (MUNICIPALITY, "920000002"):  # the municipalities the tests act for delegate
        platform = clients.delegate(platform.client_id, municipality)
    return platform


@pytest.fixture(scope="module")
def _served(register_data: tuple[Settings, Any, Any]) -> Iterator[tuple[ThreadedServer, Faults]]:
    app, faults = register_app_with_faults(register_data[0])
    server = ThreadedServer(app)
    server.start()
    yield server, faults
    server.stop()


@pytest.fixture
def register(
    _served: tuple[ThreadedServer, Faults],
    register_data: tuple[Settings, dict[str, list[str]], dict[str, str]],
    platform_client: RegisteredClient,
) -> Register:
    """The module's served register, with no faults planned and fresh counts."""
    server, faults = _served
    faults.set_plan(FaultPlan())
    faults.counts.clear()
    settings, examples, documents = register_data
    return Register(server, faults, settings, examples, documents, platform_client)


@pytest.fixture
def own_register(
    register_data: tuple[Settings, dict[str, list[str]], dict[str, str]], platform_client: RegisteredClient
) -> Iterator[Register]:
    """A register served for this test only (it may be stopped and started again)."""
    app, faults = register_app_with_faults(register_data[0])
    server = ThreadedServer(app)
    server.start()
    settings, examples, documents = register_data
    yield Register(server, faults, settings, examples, documents, platform_client)
    server.stop()
