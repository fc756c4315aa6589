"""Who a logged-in person is and which roles they may use in the portal (the port to the admin side)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine, select

from fiks_folkeregister.admin.access import AccessDirectory
from fiks_folkeregister.domain.rolle import SOEK_WEB, Rolle
from fiks_folkeregister.storage.tables import bruker, organisasjon


@dataclass(frozen=True)
class PersonUser:
    """A person user as the portal shows them: identity number, display name and organisation."""

    foedselsnummer: str
    navn: str
    orgnr: str
    organisasjon: str


@dataclass(frozen=True)
class PortalRole:
    """A role a person holds with `soekWeb` (usable in the search portal), with its organisation's name."""

    rolle: Rolle
    organisasjon: str
    tjenesteomraade: str | None = None


class PersonDirectory(Protocol):
    def person_user(self, foedselsnummer: str) -> PersonUser | None:
        """The person user with this identity number, or None."""
        ...

    def portal_roles(self, foedselsnummer: str) -> Sequence[PortalRole]:
        """The roles granted (not revoked) to the person that may be used in the search portal (`soekWeb`)."""
        ...


class AdminPersonDirectory:
    """The admin side's person users and their grants (`AccessDirectory.person_roles`), as the portal needs
    them: read afresh on every call, so a revoked grant or a deactivated user counts at the next request."""

    def __init__(self, access: AccessDirectory, engine: Engine) -> None:
        self._access = access
        self._engine = engine

    def person_user(self, foedselsnummer: str) -> PersonUser | None:
        """The active user with this number (the first organisation by number, if several)."""
        query = (
            select(bruker.c.navn, bruker.c.orgnr, organisasjon.c.navn.label("organisasjon"))
            .join(organisasjon, organisasjon.c.orgnr == bruker.c.orgnr)
            .where(bruker.c.foedselsnummer == foedselsnummer, bruker.c.aktiv.is_(True))
            .order_by(bruker.c.orgnr)
            .limit(1)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return PersonUser(foedselsnummer, row.navn, row.orgnr, row.organisasjon)

    def portal_roles(self, foedselsnummer: str) -> Sequence[PortalRole]:
        held = self._access.person_roles(foedselsnummer, SOEK_WEB)
        if not held:
            return []
        orgnrs = {rolle.orgnr for _, rolle in held}
        with self._engine.connect() as connection:
            names = dict(
                connection.execute(
                    select(organisasjon.c.orgnr, organisasjon.c.navn).where(organisasjon.c.orgnr.in_(orgnrs))
                ).all()
            )
        return [PortalRole(rolle, names.get(rolle.orgnr, rolle.orgnr)) for _, rolle in held]
