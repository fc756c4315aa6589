"""Grants: a role held by an integration; revoked grants are kept, with when and by whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, insert, select, update

from fiks_folkeregister.admin.base import Actor, AdminBase
from fiks_folkeregister.admin.errors import bad_request, not_found
from fiks_folkeregister.admin.integrations import integration_of
from fiks_folkeregister.admin.roles import stored_role
from fiks_folkeregister.admin.schemas import TildelingUt
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import rolle, tildeling


@dataclass(frozen=True, slots=True)
class Tildeling:
    integrasjon_id: UUID
    rolle_id: UUID
    orgnr: str
    opprettet: datetime
    opprettet_av: str
    tilbakekalt: datetime | None
    tilbakekalt_av: str | None


class Grants(AdminBase):
    """Granting and revoking roles; effective at the next request (the gateway never caches a grant)."""

    def grant(
        self, actor: Actor, integrasjon_id: UUID, rolle_id: UUID, orgnr: str | None = None
    ) -> tuple[Tildeling, bool]:
        """Grants the role to the integration (same organisation only); idempotent: (grant, newly created)."""
        with self._engine.begin() as connection:
            integration = integration_of(self._integration_row(connection, actor, integrasjon_id, orgnr))
            role = stored_role(self._role_row(connection, actor, rolle_id, orgnr)).rolle
            if integration.orgnr != role.orgnr:
                raise bad_request(
                    "ROLLE_ANNEN_ORGANISASJON",
                    f"The role {rolle_id} belongs to organisation {role.orgnr} and the integration to "
                    f"{integration.orgnr}; a role can only be granted to its own organisation's integrations",
                    rolleOrgnr=role.orgnr,
                    integrasjonOrgnr=integration.orgnr,
                )
            existing = self._active_grant(connection, integrasjon_id, rolle_id)
            if existing is not None:
                return existing, False
            created = Tildeling(integrasjon_id, rolle_id, role.orgnr, self._clock(), actor.navn, None, None)
            connection.execute(
                insert(tildeling).values(
                    integrasjon_id=integrasjon_id,
                    rolle_id=rolle_id,
                    opprettet=created.opprettet,
                    opprettet_av=actor.navn,
                )
            )
            self._log(
                connection,
                actor,
                role.orgnr,
                "tildeling.opprettet",
                "tildeling",
                f"{integrasjon_id}/{rolle_id}",
                None,
                TildelingUt.of(created),
            )
        return created, True

    def revoke(
        self, actor: Actor, integrasjon_id: UUID, rolle_id: UUID, orgnr: str | None = None
    ) -> Tildeling:
        """Revokes an active grant; the next request with it is refused, in every process."""
        with self._engine.begin() as connection:
            self._integration_row(connection, actor, integrasjon_id, orgnr)
            self._role_row(connection, actor, rolle_id, orgnr)
            before = self._active_grant(connection, integrasjon_id, rolle_id)
            if before is None:
                raise not_found(
                    "TILDELING_FINNES_IKKE",
                    f"The integration {integrasjon_id} has not been granted the role {rolle_id}",
                )
            now = self._clock()
            after = Tildeling(
                before.integrasjon_id,
                before.rolle_id,
                before.orgnr,
                before.opprettet,
                before.opprettet_av,
                now,
                actor.navn,
            )
            connection.execute(
                update(tildeling)
                .where(
                    tildeling.c.integrasjon_id == integrasjon_id,
                    tildeling.c.rolle_id == rolle_id,
                    tildeling.c.tilbakekalt.is_(None),
                )
                .values(tilbakekalt=now, tilbakekalt_av=actor.navn)
            )
            self._log(
                connection,
                actor,
                before.orgnr,
                "tildeling.tilbakekalt",
                "tildeling",
                f"{integrasjon_id}/{rolle_id}",
                TildelingUt.of(before),
                TildelingUt.of(after),
            )
        return after

    def list_grants(self, actor: Actor, orgnr: str, include_revoked: bool = False) -> list[Tildeling]:
        with self._engine.connect() as connection:
            self._organisation_row(connection, actor, orgnr)
            statement = _GRANTS.where(rolle.c.orgnr == orgnr).order_by(tildeling.c.opprettet)
            if not include_revoked:
                statement = statement.where(tildeling.c.tilbakekalt.is_(None))
            return [_grant(row) for row in connection.execute(statement)]

    def _active_grant(self, connection: Connection, integrasjon_id: UUID, rolle_id: UUID) -> Tildeling | None:
        row = connection.execute(
            _GRANTS.where(
                tildeling.c.integrasjon_id == integrasjon_id,
                tildeling.c.rolle_id == rolle_id,
                tildeling.c.tilbakekalt.is_(None),
            )
        ).first()
        return _grant(row) if row is not None else None


_GRANTS = select(
    tildeling.c.integrasjon_id,
    tildeling.c.rolle_id,
    rolle.c.orgnr,
    tildeling.c.opprettet,
    tildeling.c.opprettet_av,
    tildeling.c.tilbakekalt,
    tildeling.c.tilbakekalt_av,
).join(rolle, rolle.c.id == tildeling.c.rolle_id)


def _grant(row: Any) -> Tildeling:
    return Tildeling(
        integrasjon_id=row.integrasjon_id,
        rolle_id=row.rolle_id,
        orgnr=row.orgnr,
        opprettet=as_utc(row.opprettet),
        opprettet_av=row.opprettet_av,
        tilbakekalt=as_utc(row.tilbakekalt) if row.tilbakekalt is not None else None,
        tilbakekalt_av=row.tilbakekalt_av,
    )
