"""A served register over a small seeded population, on each database engine."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fiks_folkeregister.app import build_register_app
from fiks_folkeregister.identity.clients import ClientRegistry
from fiks_folkeregister.identity.issuer import TokenIssuer
from fiks_folkeregister.identity.keys import SigningKeys
from fiks_folkeregister.register.repository import PersonRepository
from fiks_folkeregister.settings import Settings
from tests.conftest import seeded_register_copy

MED = "folkeregister:deling/offentligmedhjemmel"
UTEN = "folkeregister:deling/offentligutenhjemmel"


@dataclass
class ServedRegister:
    client: TestClient
    repository: PersonRepository
    examples: dict[str, list[str]]
    token: Callable[..., str]

    def url(self, package: str, resource: str) -> str:
        return f"/folkeregisteret/{package}/api/v1/{resource}"

    def auth(self, *scopes: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*scopes)}"}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def served_register(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedRegister]:
    data_dir: Path = tmp_path_factory.mktemp("register")
    url, drop, examples = seeded_register_copy(request, request.param, data_dir)
    settings = Settings(data_dir=data_dir, register_database_url=url)
    app = build_register_app(settings)
    repository: PersonRepository = app.state.register.repository

    keys = SigningKeys(settings.issuer_dir)  # loaded once: importing the RSA key takes a tenth of a second

    def token(*scopes: str, orgnr: str = "910000004", age_seconds: int = 0) -> str:
        """A token from the register's own issuer, issued `age_seconds` ago (120 s lifetime)."""
        issuer = TokenIssuer(
            keys,
            ClientRegistry(settings.issuer_dir),
            settings.issuer,
            clock=lambda: time.time() - age_seconds,
        )
        return issuer.issue(orgnr, list(scopes) or [MED], client_id="test-client")

    with TestClient(app) as client:
        yield ServedRegister(client=client, repository=repository, examples=examples, token=token)
    repository.engine.dispose()
    drop()
