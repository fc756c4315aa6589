"""An organisation's Folkeregister configuration (KS's `FolkeregisterKonfigurasjonDefinisjon`): the e-mail
addresses the platform contacts it by (`kontakteposter`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Connection, update

from fiks_folkeregister.admin.base import Actor, AdminBase
from fiks_folkeregister.admin.errors import bad_request, conflict, not_found
from fiks_folkeregister.storage.tables import organisasjon

#: An address as mail systems accept it in practice: one @, no spaces, a dot in the domain, at most 254.
_EPOST = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EPOST = 254
MAX_KONTAKTEPOSTER = 20


class OrganisationConfigurations(AdminBase):
    """Reading, creating and changing an organisation's configuration (its administrators and operators)."""

    def get_configuration(self, actor: Actor, orgnr: str) -> list[str]:
        """The contact addresses; an organisation not configured yet: 404 `KONFIGURASJON_FINNES_IKKE`."""
        with self._engine.connect() as connection:
            stored = self._organisation_row(connection, actor, orgnr).kontakteposter
        if stored is None:
            raise _not_configured(orgnr)
        return list(stored)

    def create_configuration(self, actor: Actor, orgnr: str, kontakteposter: Iterable[str]) -> list[str]:
        """The first configuration; one exists already: 409 `KONFIGURASJON_FINNES` (change it with PUT)."""
        addresses = _addresses(kontakteposter)
        with self._engine.begin() as connection:
            before = self._organisation_row(connection, actor, orgnr).kontakteposter
            if before is not None:
                raise conflict(
                    "KONFIGURASJON_FINNES",
                    f"The organisation {orgnr} is configured already; change it instead",
                )
            self._store(connection, actor, orgnr, None, addresses)
        return addresses

    def update_configuration(self, actor: Actor, orgnr: str, kontakteposter: Iterable[str]) -> list[str]:
        """Replaces the contact addresses; not configured yet: 404 `KONFIGURASJON_FINNES_IKKE`."""
        addresses = _addresses(kontakteposter)
        with self._engine.begin() as connection:
            before = self._organisation_row(connection, actor, orgnr).kontakteposter
            if before is None:
                raise _not_configured(orgnr)
            self._store(connection, actor, orgnr, list(before), addresses)
        return addresses

    def _store(
        self, connection: Connection, actor: Actor, orgnr: str, before: list[str] | None, after: list[str]
    ) -> None:
        connection.execute(
            update(organisasjon).where(organisasjon.c.orgnr == orgnr).values(kontakteposter=after)
        )
        self._log(
            connection,
            actor,
            orgnr,
            "organisasjon.konfigurasjon",
            "organisasjon",
            orgnr,
            None if before is None else {"kontakteposter": before},
            {"kontakteposter": after},
        )


def _addresses(kontakteposter: Iterable[str]) -> list[str]:
    """Trimmed, duplicates dropped; at least one, each a plausible e-mail address, or a 400 naming them."""
    if isinstance(kontakteposter, str):
        kontakteposter = [kontakteposter]
    addresses = list(dict.fromkeys(address.strip() for address in kontakteposter))
    if not addresses or len(addresses) > MAX_KONTAKTEPOSTER:
        raise bad_request(
            "UGYLDIG_KONTAKTEPOSTER",
            f"Give 1 to {MAX_KONTAKTEPOSTER} contact e-mail addresses (kontakteposter)",
        )
    invalid = [a for a in addresses if len(a) > MAX_EPOST or _EPOST.fullmatch(a) is None]
    if invalid:
        raise bad_request(
            "UGYLDIG_KONTAKTEPOSTER",
            f"Not an e-mail address: {', '.join(repr(a) for a in invalid)}",
            ugyldige=invalid,
        )
    return addresses


def _not_configured(orgnr: str) -> Exception:
    return not_found(
        "KONFIGURASJON_FINNES_IKKE", f"The organisation {orgnr} has no configuration yet", orgnr=orgnr
    )
