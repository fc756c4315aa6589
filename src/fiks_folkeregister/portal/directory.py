"""Who a logged-in person is and which roles they may use in the portal (the port to the admin side)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from fiks_folkeregister.domain.rolle import Rolle


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
    """The admin side's person users and their grants, as the portal needs them (h3's `AccessDirectory`)."""

    def __init__(self, access: object) -> None:
        self._access = access

    def person_user(self, foedselsnummer: str) -> PersonUser | None:
        return self._access.person_user(foedselsnummer)  # type: ignore[attr-defined,no-any-return]

    def portal_roles(self, foedselsnummer: str) -> Sequence[PortalRole]:
        return self._access.person_roles(foedselsnummer)  # type: ignore[attr-defined,no-any-return]
