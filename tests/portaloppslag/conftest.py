"""The portal's lookups over a served gateway: the same databases, the same pipeline, a person as principal."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, update

from fiks_folkeregister.domain.identitetsnummer import check_digits
from fiks_folkeregister.domain.rolle import Rolle
from fiks_folkeregister.gateway.access import Person
from fiks_folkeregister.gateway.router import MirroredApi
from fiks_folkeregister.portal.oppslag import Kontekst, Portaloppslag
from fiks_folkeregister.storage.tables import bruker, tildeling
from tests.gateway.conftest import Configuration, ServedGateway, served_gateway  # noqa: F401 (the fixture)


class People:
    """Person users and person grants, written straight to the gateway's tables (as the admin side does)."""

    def __init__(self, config: Configuration) -> None:
        self._config = config
        self._users: dict[tuple[str, str], uuid.UUID] = {}

    def user(self, orgnr: str, person: Person) -> None:
        self._config.org(orgnr)
        ident = uuid.uuid4()
        with self._config.engine.begin() as connection:
            connection.execute(
                insert(bruker).values(
                    id=ident,
                    orgnr=orgnr,
                    foedselsnummer=person.foedselsnummer,
                    navn=person.navn,
                    aktiv=True,
                    opprettet=datetime.now(UTC),
                )
            )
        self._users[(orgnr, person.foedselsnummer)] = ident

    def grant(self, person: Person, role: Rolle, orgnr: str | None = None) -> None:
        """A person grant of `role` to the person's user in `orgnr` (the role's organisation by default)."""
        user = self._users[(orgnr or role.orgnr, person.foedselsnummer)]
        with self._config.engine.begin() as connection:
            connection.execute(
                insert(tildeling).values(
                    bruker_id=user, rolle_id=role.id, opprettet=datetime.now(UTC), opprettet_av="test"
                )
            )

    def revoke(self, person: Person, role: Rolle) -> None:
        user = self._users[(role.orgnr, person.foedselsnummer)]
        with self._config.engine.begin() as connection:
            connection.execute(
                update(tildeling)
                .where(tildeling.c.bruker_id == user, tildeling.c.rolle_id == role.id)
                .where(tildeling.c.tilbakekalt.is_(None))
                .values(tilbakekalt=datetime.now(UTC), tilbakekalt_av="test")
            )

    def deactivate(self, orgnr: str, person: Person) -> None:
        with self._config.engine.begin() as connection:
            connection.execute(
                update(bruker)
                .where(bruker.c.id == self._users[(orgnr, person.foedselsnummer)])
                .values(aktiv=False)
            )


@dataclass
class Portal:
    served: ServedGateway
    people: People
    oppslag: Portaloppslag
    api: MirroredApi

    def case_worker(self, orgnr: str, navn: str = "Kari Saksbehandler") -> Person:
        person = Person(_case_worker_numbers.pop(), navn)
        self.people.user(orgnr, person)
        return person

    def role(self, parts: Iterable[str], **options: Any) -> Rolle:
        """A role usable in the portal (and by the API, to compare)."""
        options.setdefault("gyldighet", ("api", "soekWeb"))
        return self.served.config.role(parts, **options)

    def granted(self, parts: Iterable[str], **options: Any) -> tuple[Person, Rolle]:
        role = self.role(parts, **options)
        worker = self.case_worker(role.orgnr)
        self.people.grant(worker, role)
        return worker, role

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
    with served_gateway.in_process_gateway() as gateway:
        yield Portal(served_gateway, People(served_gateway.config), gateway.oppslag, gateway.api)
