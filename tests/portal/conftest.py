"""The portal in process (Starlette's TestClient): a gateway app with the ID-porten stand-in, a directory of
person users that tests fill in, and a clock that tests move."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.portal.directory import PersonUser, PortalRole
from fiks_folkeregister.settings import Settings

BASE = "http://testserver"
CASE_WORKER = "17912099997"  # a valid synthetic fødselsnummer
CASE_WORKER_NAME = "Kari Saksbehandler"
ORGNR = "910000004"
ORGANISATION = "Demo kommune"


@dataclass
class MovableClock:
    """The sessions' time: starts now, moved by tests (no sleeping)."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class LookupUser:
    orgnr: str
    aktiv: bool = True


@dataclass(frozen=True)
class PersonLookup:
    """The pipeline's view of a person user and a role (`gateway.access.PersonLookupView`)."""

    user: LookupUser | None
    role: Rolle | None
    granted: bool


@dataclass
class FakeDirectory:
    """Person users and their soekWeb roles, as the admin side would answer (filled in by tests)."""

    users: dict[str, PersonUser] = field(default_factory=dict)
    roles: dict[str, list[PortalRole]] = field(default_factory=dict)

    def person_user(self, foedselsnummer: str) -> PersonUser | None:
        return self.users.get(foedselsnummer)

    def portal_roles(self, foedselsnummer: str) -> list[PortalRole]:
        return list(self.roles.get(foedselsnummer, []))

    def person_lookup(self, foedselsnummer: str, rolle_id: uuid.UUID) -> PersonLookup:
        """As the admin side answers the pipeline's per-call check: granted while the user holds the role."""
        user = self.users.get(foedselsnummer)
        held = {choice.rolle.id: choice.rolle for choice in self.roles.get(foedselsnummer, [])}
        every = {choice.rolle.id: choice.rolle for choices in self.roles.values() for choice in choices}
        role = held.get(rolle_id) or every.get(rolle_id)
        found = LookupUser(user.orgnr) if user is not None else None
        return PersonLookup(found, role, user is not None and rolle_id in held)

    def revoke(self, fnr: str, rolle: Rolle) -> None:
        """Take a role from a person (as revoking the grant does): effective at their next request."""
        self.roles[fnr] = [choice for choice in self.roles.get(fnr, []) if choice.rolle.id != rolle.id]

    def add_user(self, fnr: str, navn: str = CASE_WORKER_NAME) -> None:
        self.users[fnr] = PersonUser(fnr, navn, ORGNR, ORGANISATION)

    def add_role(
        self, fnr: str, navn: str, *, historikk: bool = False, tjenesteomraade: str | None = None
    ) -> Rolle:
        rolle = Rolle(
            id=uuid.uuid4(),
            orgnr=ORGNR,
            navn=navn,
            rettighetspakke=Rettighetspakke.OFFENTLIG_MED_HJEMMEL,
            bruksomraader=frozenset({Bruksomraade.SOK_ETTER_PERSON}),
            elementer=frozenset({"identifikasjonsnummer", "navn", "bostedsadresse", "foedsel"}),
            historikk=historikk,
        )
        self.roles.setdefault(fnr, []).append(PortalRole(rolle, ORGANISATION, tjenesteomraade))
        return rolle


@dataclass
class Portal:
    client: TestClient
    clock: MovableClock
    directory: FakeDirectory
    data_dir: Path

    def start_login(self) -> dict[str, str]:
        """/portal/innlogging → the stand-in's authorize URL; its query parameters."""
        answer = self.client.get("/portal/innlogging", follow_redirects=False)
        assert answer.status_code == 303
        location = answer.headers["location"]
        assert location.startswith(f"{BASE}/idporten/authorize?")
        return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}

    def authorize(
        self, params: dict[str, str], fnr: str = CASE_WORKER, level: str = "idporten-loa-substantial"
    ) -> str:
        """Log in at the stand-in; the redirect back to the portal (with code and state)."""
        answer = self.client.post(
            "/idporten/authorize",
            data={**params, "foedselsnummer": fnr, "sikkerhetsnivaa": level},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return answer.headers["location"]

    def log_in(self, fnr: str = CASE_WORKER) -> None:
        callback = self.authorize(self.start_login(), fnr)
        answer = self.client.get(callback, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == "/portal/velg-rolle"

    def csrf(self, path: str = "/portal/velg-rolle") -> str:
        page = self.client.get(path)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, page.text
        return match.group(1)

    def choose(self, rolle: Rolle) -> None:
        answer = self.client.post(
            "/portal/velg-rolle",
            data={"csrf_token": self.csrf(), "rolle_id": str(rolle.id)},
            follow_redirects=False,
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/portal/", answer.text


@pytest.fixture(scope="module")
def _served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """One app per module (building one costs seconds); `portal` resets what tests change."""
    from fiks_folkeregister.app import build_gateway_app

    data_dir = tmp_path_factory.mktemp("portal")
    settings = Settings(data_dir=data_dir, public_url=BASE, extract_worker=False, idporten_stand_in=True)
    clock = MovableClock()
    directory = FakeDirectory()
    app = build_gateway_app(settings, portal_clock=clock, person_directory=directory)
    with TestClient(app, base_url=BASE) as client:
        yield Portal(client, clock, directory, data_dir)


@pytest.fixture
def portal(_served: Portal, tmp_path: Path) -> Portal:
    """The module's portal with no cookies, no users and the clock at the present (`tmp_path` marks the
    tests as integration tests: they use a database)."""
    _served.client.cookies.clear()
    _served.directory.users.clear()
    _served.directory.roles.clear()
    _served.clock.now = datetime.now(UTC)
    return _served
