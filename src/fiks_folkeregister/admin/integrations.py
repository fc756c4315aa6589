"""Integrations: an organisation's machine clients, and their passwords (shown once, stored as argon2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import delete, insert, select, update

from fiks_folkeregister.admin.base import Actor, AdminBase, snapshot, valid_name, valid_orgnr
from fiks_folkeregister.admin.schemas import IntegrasjonUt
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import integrasjon, tildeling


@dataclass(frozen=True, slots=True)
class Integrasjon:
    """An integration as administrators see it (never its password or hash)."""

    id: UUID
    orgnr: str
    navn: str
    beskrivelse: str
    autorisert_orgnr: str
    passord_endret: datetime
    opprettet: datetime


@dataclass(frozen=True, slots=True)
class IntegrationCredentials:
    """A new password, to be shown once and never again."""

    integrasjon: Integrasjon
    passord: str


class Integrations(AdminBase):
    """Creating, reading and deleting integrations; rotating their passwords."""

    def create_integration(
        self,
        actor: Actor,
        orgnr: str,
        navn: str,
        autorisert_orgnr: str | None = None,
        beskrivelse: str = "",
    ) -> IntegrationCredentials:
        """A new integration with a generated password (returned once, stored only as an argon2 hash)."""
        navn = valid_name(navn)
        autorisert = (
            valid_orgnr(autorisert_orgnr, "autorisertOrgnr") if autorisert_orgnr is not None else orgnr
        )
        password = self._passwords.new_password()
        passord_hash = self._passwords.hash(password)
        now = self._clock()
        created = Integrasjon(uuid4(), orgnr, navn, beskrivelse, autorisert, now, now)
        with self._engine.begin() as connection:
            self._organisation_row(connection, actor, orgnr)
            connection.execute(
                insert(integrasjon).values(
                    id=created.id,
                    orgnr=orgnr,
                    navn=navn,
                    beskrivelse=beskrivelse,
                    autorisert_orgnr=autorisert,
                    passord_hash=passord_hash,
                    passord_endret=now,
                    opprettet=now,
                )
            )
            self._log(
                connection,
                actor,
                orgnr,
                "integrasjon.opprettet",
                "integrasjon",
                created.id,
                None,
                IntegrasjonUt.of(created),
            )
        return IntegrationCredentials(integrasjon=created, passord=password)

    def list_integrations(self, actor: Actor, orgnr: str) -> list[Integrasjon]:
        with self._engine.connect() as connection:
            self._organisation_row(connection, actor, orgnr)
            rows = connection.execute(
                select(integrasjon).where(integrasjon.c.orgnr == orgnr).order_by(integrasjon.c.navn)
            )
            return [integration_of(row) for row in rows]

    def get_integration(self, actor: Actor, integrasjon_id: UUID, orgnr: str | None = None) -> Integrasjon:
        with self._engine.connect() as connection:
            return integration_of(self._integration_row(connection, actor, integrasjon_id, orgnr))

    def rotate_password(
        self, actor: Actor, integrasjon_id: UUID, orgnr: str | None = None
    ) -> IntegrationCredentials:
        """A new password; the old one stops working on the next request (its hash is gone)."""
        password = self._passwords.new_password()
        passord_hash = self._passwords.hash(password)
        with self._engine.begin() as connection:
            before = integration_of(self._integration_row(connection, actor, integrasjon_id, orgnr))
            now = self._clock()
            after = Integrasjon(
                before.id,
                before.orgnr,
                before.navn,
                before.beskrivelse,
                before.autorisert_orgnr,
                now,
                before.opprettet,
            )
            connection.execute(
                update(integrasjon)
                .where(integrasjon.c.id == integrasjon_id)
                .values(passord_hash=passord_hash, passord_endret=now)
            )
            self._log(
                connection,
                actor,
                before.orgnr,
                "integrasjon.passord_byttet",
                "integrasjon",
                before.id,
                IntegrasjonUt.of(before),
                IntegrasjonUt.of(after),
            )
        return IntegrationCredentials(integrasjon=after, passord=password)

    def delete_integration(self, actor: Actor, integrasjon_id: UUID, orgnr: str | None = None) -> Integrasjon:
        """Deletes an integration and its grants."""
        with self._engine.begin() as connection:
            before = integration_of(self._integration_row(connection, actor, integrasjon_id, orgnr))
            roles = (
                connection.execute(
                    select(tildeling.c.rolle_id).where(
                        tildeling.c.integrasjon_id == integrasjon_id, tildeling.c.tilbakekalt.is_(None)
                    )
                )
                .scalars()
                .all()
            )
            connection.execute(delete(tildeling).where(tildeling.c.integrasjon_id == integrasjon_id))
            connection.execute(delete(integrasjon).where(integrasjon.c.id == integrasjon_id))
            before_json = snapshot(IntegrasjonUt.of(before)) or {}
            self._log(
                connection,
                actor,
                before.orgnr,
                "integrasjon.slettet",
                "integrasjon",
                before.id,
                before_json | {"roller": sorted(str(role) for role in roles)},
                None,
            )
        return before


def integration_of(row: Any) -> Integrasjon:
    """A stored integration row as an `Integrasjon` (without its hash)."""
    return Integrasjon(
        id=row.id,
        orgnr=row.orgnr,
        navn=row.navn,
        beskrivelse=row.beskrivelse or "",
        autorisert_orgnr=row.autorisert_orgnr,
        passord_endret=as_utc(row.passord_endret),
        opprettet=as_utc(row.opprettet),
    )
