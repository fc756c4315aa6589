"""Fixtures of the configuration side: a migrated gateway database on each engine, a service, actors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.audit.log import AuditLog
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.storage.database import create_gateway_engine, migrate
from tests.conftest import FAST_HASHER

ORG_A = "921234562"
ORG_B = "987654325"
CONSOLE = Actor(navn="cli:tester", kind=ActorKind.CONSOLE)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_gateway_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def passwords() -> IntegrationPasswords:
    return IntegrationPasswords(cache_seconds=60, hasher=FAST_HASHER)


@pytest.fixture
def service(engine: Engine, passwords: IntegrationPasswords) -> AdminService:
    return AdminService(engine, passwords, AuditLog(engine))


@pytest.fixture
def two_orgs(service: AdminService) -> AdminService:
    """Two organisations, A and B."""
    service.create_organisation(CONSOLE, ORG_A, "Kommune A", "0301")
    service.create_organisation(CONSOLE, ORG_B, "Kommune B", "4601")
    return service
