"""The administration pages in process (Starlette's TestClient) over the real admin service: organisations,
person administrators and a platform operator made as the command line makes them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.settings import Settings
from tests.portal.conftest import BASE, MovableClock

ORGNR = "910000004"
ORGANISATION = "Demo kommune"
OTHER_ORGNR = "910000012"
OTHER_ORGANISATION = "Nabo kommune"
ADMINISTRATOR = "17912099997"  # synthetic fødselsnumre
ADMINISTRATOR_NAME = "Ada Administrator"
OPERATOR = "01818010008"
OPERATOR_NAME = "Ola Operatør"
OTHER_ADMINISTRATOR = "02828010002"
NOBODY = "03838010031"
CONSOLE = Actor(navn="cli:tests", kind=ActorKind.CONSOLE)


@dataclass
class AdminSite:
    client: TestClient
    clock: MovableClock
    service: Any
    data_dir: Path
    gateway: Any

    def log_in(self, fnr: str = ADMINISTRATOR, start: str = "/admin/innlogging") -> Any:
        """The whole login: /admin/innlogging → the stand-in → the shared callback; its answer."""
        answer = self.client.get(start, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        location = answer.headers["location"]
        assert location.startswith(f"{BASE}/idporten/authorize?")
        params = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
        authorized = self.client.post(
            "/idporten/authorize",
            data={**params, "foedselsnummer": fnr, "sikkerhetsnivaa": "idporten-loa-substantial"},
            follow_redirects=False,
        )
        assert authorized.status_code == 303, authorized.text
        return self.client.get(authorized.headers["location"], follow_redirects=False)

    def csrf(self, path: str) -> str:
        page = self.client.get(path)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, page.text
        return match.group(1)

    def changes(self, orgnr: str = ORGNR) -> list[Any]:
        return self.service.change_log(CONSOLE, orgnr)

    def form_tokens(self, path: str) -> dict[str, str]:
        """The CSRF token and (when the page has one) the one-time form code a page's forms carry."""
        page = self.client.get(path).text
        found = dict(re.findall(r'name="(csrf_token|engangskode)" value="([^"]+)"', page))
        assert "csrf_token" in found, page
        return found

    def post(self, path: str, data: dict[str, str] | None = None, *, csrf_from: str | None = None) -> Any:
        """A form POST as the page sends it: with the session's CSRF token and the page's one-time code (read
        from ``csrf_from``, default the organisation's Integrasjoner page)."""
        tokens = self.form_tokens(csrf_from or f"/admin/{ORGNR}/integrasjoner")
        return self.client.post(path, data={**tokens, **(data or {})}, follow_redirects=False)

    def password_works(self, integrasjon_id: Any, password: str) -> bool:
        """Whether the gateway would accept this password for the integration (as it authenticates)."""
        record = self.gateway.directory.lookup(integrasjon_id, uuid.uuid4()).integration
        return record is not None and self.gateway.passwords.verify(
            integrasjon_id, record.passord_hash, password
        )


def _seed(service: Any) -> None:
    service.create_organisation(CONSOLE, ORGNR, ORGANISATION, "0301")
    service.create_organisation(CONSOLE, OTHER_ORGNR, OTHER_ORGANISATION, "4601")
    service.create_person_administrator(CONSOLE, ADMINISTRATOR, ADMINISTRATOR_NAME, ORGNR)
    service.create_person_administrator(CONSOLE, OTHER_ADMINISTRATOR, "Nils Nabo", OTHER_ORGNR)
    service.create_person_administrator(CONSOLE, OPERATOR, OPERATOR_NAME, None)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def _served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminSite]:
    """One app per module and database engine (the gateway's own database: SQLite or PostgreSQL)."""
    from fiks_folkeregister.app import build_gateway_app
    from tests.conftest import make_postgres_database

    data_dir = tmp_path_factory.mktemp("adminsider")
    database_url, drop = None, None
    if request.param == "postgresql":
        database_url, drop = make_postgres_database(request.getfixturevalue("postgres_server"))
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        public_url=BASE,
        extract_worker=False,
        idporten_stand_in=True,
    )
    clock = MovableClock()
    app = build_gateway_app(settings, portal_clock=clock)
    service = app.state.gateway.admin.service
    _seed(service)
    try:
        with TestClient(app, base_url=BASE) as client:
            yield AdminSite(client, clock, service, data_dir, app.state.gateway)
    finally:
        app.state.gateway.engine.dispose()
        if drop is not None:
            drop()


@pytest.fixture
def site(_served: AdminSite, tmp_path: Path) -> AdminSite:
    """The module's site with no cookies and the clock at the present (`tmp_path`: a database test)."""
    _served.client.cookies.clear()
    _served.clock.now = datetime.now(UTC)
    return _served
