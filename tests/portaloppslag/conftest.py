"""The portal's lookups over a served gateway: the same databases, the same pipeline, a person as principal."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from fiks_folkeregister.domain.identitetsnummer import check_digits
from fiks_folkeregister.domain.rolle import Rolle
from fiks_folkeregister.gateway.access import AccessControl, Person
from fiks_folkeregister.gateway.router import MirroredApi
from fiks_folkeregister.portal.oppslag import Kontekst, Portaloppslag
from tests.gateway.conftest import ServedGateway, served_gateway  # noqa: F401 (the shared fixture)


@dataclass
class User:
    orgnr: str
    aktiv: bool = True


@dataclass(frozen=True)
class Lookup:
    user: User | None
    role: Rolle | None
    granted: bool


@dataclass
class People:
    """Person users and person grants, answering `person_lookup` as h3's `AccessDirectory` does: granted
    only for an active user holding an unrevoked grant of a role usable in the portal."""

    users: dict[str, User] = field(default_factory=dict)
    roles: dict[uuid.UUID, Rolle] = field(default_factory=dict)
    grants: set[tuple[str, uuid.UUID]] = field(default_factory=set)

    def person_lookup(self, foedselsnummer: str, rolle_id: uuid.UUID) -> Lookup:
        user = self.users.get(foedselsnummer)
        role = self.roles.get(rolle_id)
        granted = (
            user is not None and user.aktiv and role is not None and (foedselsnummer, rolle_id) in self.grants
        )
        return Lookup(user, role, granted)

    def grant(self, person: Person, role: Rolle) -> None:
        self.roles[role.id] = role
        self.grants.add((person.foedselsnummer, role.id))

    def revoke(self, person: Person, role: Rolle) -> None:
        self.grants.discard((person.foedselsnummer, role.id))


@dataclass
class Portal:
    served: ServedGateway
    people: People
    oppslag: Portaloppslag
    api: MirroredApi

    def case_worker(self, orgnr: str, navn: str = "Kari Saksbehandler") -> Person:
        number = _case_worker_numbers.pop()
        self.people.users[number] = User(orgnr)
        return Person(number, navn)

    def context(self, person: Person, role: Rolle, **sak: Any) -> Kontekst:
        from fiks_folkeregister.domain.saksreferanse import saksreferanse

        return Kontekst(person, str(role.id), saksreferanse(sak.get("saksnummer"), sak.get("formaal")))


def _numbers() -> list[str]:
    """Valid numbers for case workers (only recorded as principals; no test looks them up)."""
    found = []
    for individual in range(100, 400):
        first_nine = f"150185{individual:03d}"
        digits = check_digits(first_nine)
        if digits is not None:
            found.append(first_nine + digits)
    return found


_case_worker_numbers = _numbers()


@pytest.fixture(scope="module")
def portal(served_gateway: ServedGateway) -> Iterator[Portal]:  # noqa: F811
    people = People()
    with served_gateway.in_process_gateway() as gateway:
        # The person path of the access layer reads only the person directory: no token, password or
        # failed-login parts are given, so a person's call cannot lean on them.
        access = AccessControl(None, None, None, "", None, people=people)  # type: ignore[arg-type]
        api = MirroredApi(access, gateway.upstream, gateway.audit)
        yield Portal(served_gateway, people, Portaloppslag(api), api)
