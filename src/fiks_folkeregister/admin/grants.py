"""Grants: a role held by an integration or by a person user; revoked grants are kept, with when and by whom."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Connection, insert, select, update

from fiks_folkeregister.admin.base import Actor, AdminBase
from fiks_folkeregister.admin.errors import bad_request, not_found
from fiks_folkeregister.admin.integrations import integration_of
from fiks_folkeregister.admin.roles import stored_role
from fiks_folkeregister.admin.schemas import TildelingUt
from fiks_folkeregister.admin.users import user_of
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import rolle, tildeling


@dataclass(frozen=True, slots=True)
class Tildeling:
    """A grant to an integration (`integrasjon_id`) or to a person user (`bruker_id`): exactly one is set."""

    integrasjon_id: UUID | None
    rolle_id: UUID
    orgnr: str
    opprettet: datetime
    opprettet_av: str
    tilbakekalt: datetime | None
    tilbakekalt_av: str | None
    bruker_id: UUID | None = None


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
            return self._grant(
                connection, actor, tildeling.c.integrasjon_id, integrasjon_id, rolle_id, role.orgnr
            )

    def grant_user(
        self, actor: Actor, bruker_id: UUID, rolle_id: UUID, orgnr: str | None = None
    ) -> tuple[Tildeling, bool]:
        """Grants the role to the person user; idempotent: (grant, newly created). A user and a role of
        different organisations answer 404 (the role is not found in the user's organisation)."""
        with self._engine.begin() as connection:
            user = user_of(self._user_row(connection, actor, bruker_id, orgnr))
            role = stored_role(self._role_row(connection, actor, rolle_id, user.orgnr)).rolle
            return self._grant(connection, actor, tildeling.c.bruker_id, bruker_id, rolle_id, role.orgnr)

    def revoke(
        self, actor: Actor, integrasjon_id: UUID, rolle_id: UUID, orgnr: str | None = None
    ) -> Tildeling:
        """Revokes an active grant; the next request with it is refused, in every process."""
        with self._engine.begin() as connection:
            self._integration_row(connection, actor, integrasjon_id, orgnr)
            self._role_row(connection, actor, rolle_id, orgnr)
            return self._revoke(
                connection,
                actor,
                tildeling.c.integrasjon_id,
                integrasjon_id,
                rolle_id,
                f"The integration {integrasjon_id} has not been granted the role {rolle_id}",
            )

    def revoke_user(
        self, actor: Actor, bruker_id: UUID, rolle_id: UUID, orgnr: str | None = None
    ) -> Tildeling:
        """Revokes the person's active grant; their next request in the role is refused."""
        with self._engine.begin() as connection:
            user = user_of(self._user_row(connection, actor, bruker_id, orgnr))
            self._role_row(connection, actor, rolle_id, user.orgnr)
            return self._revoke(
                connection,
                actor,
                tildeling.c.bruker_id,
                bruker_id,
                rolle_id,
                f"The person user {bruker_id} has not been granted the role {rolle_id}",
            )

    def list_grants(self, actor: Actor, orgnr: str, include_revoked: bool = False) -> list[Tildeling]:
        """The grants of the organisation's roles, to integrations and to persons alike."""
        with self._engine.connect() as connection:
            self._organisation_row(connection, actor, orgnr)
            statement = _GRANTS.where(rolle.c.orgnr == orgnr).order_by(tildeling.c.opprettet, tildeling.c.id)
            if not include_revoked:
                statement = statement.where(tildeling.c.tilbakekalt.is_(None))
            return [_grant(row) for row in connection.execute(statement)]

    def _grant(
        self,
        connection: Connection,
        actor: Actor,
        holder: Column[Any],
        holder_id: UUID,
        rolle_id: UUID,
        orgnr: str,
    ) -> tuple[Tildeling, bool]:
        existing = self._active_grant(connection, holder, holder_id, rolle_id)
        if existing is not None:
            return existing, False
        now = self._clock()
        connection.execute(
            insert(tildeling).values(
                {holder.name: holder_id, "rolle_id": rolle_id, "opprettet": now, "opprettet_av": actor.navn}
            )
        )
        created = Tildeling(None, rolle_id, orgnr, now, actor.navn, None, None)
        created = replace(created, **{holder.name: holder_id})
        self._log(
            connection,
            actor,
            orgnr,
            "tildeling.opprettet",
            "tildeling",
            _object_id(created),
            None,
            TildelingUt.of(created),
        )
        return created, True

    def _revoke(
        self,
        connection: Connection,
        actor: Actor,
        holder: Column[Any],
        holder_id: UUID,
        rolle_id: UUID,
        missing: str,
    ) -> Tildeling:
        before = self._active_grant(connection, holder, holder_id, rolle_id)
        if before is None:
            raise not_found("TILDELING_FINNES_IKKE", missing)
        after = replace(before, tilbakekalt=self._clock(), tilbakekalt_av=actor.navn)
        connection.execute(
            update(tildeling)
            .where(holder == holder_id, tildeling.c.rolle_id == rolle_id, tildeling.c.tilbakekalt.is_(None))
            .values(tilbakekalt=after.tilbakekalt, tilbakekalt_av=actor.navn)
        )
        self._log(
            connection,
            actor,
            before.orgnr,
            "tildeling.tilbakekalt",
            "tildeling",
            _object_id(before),
            TildelingUt.of(before),
            TildelingUt.of(after),
        )
        return after

    def _active_grant(
        self, connection: Connection, holder: Column[Any], holder_id: UUID, rolle_id: UUID
    ) -> Tildeling | None:
        row = connection.execute(
            _GRANTS.where(
                holder == holder_id, tildeling.c.rolle_id == rolle_id, tildeling.c.tilbakekalt.is_(None)
            )
        ).first()
        return _grant(row) if row is not None else None


_GRANTS = select(
    tildeling.c.integrasjon_id,
    tildeling.c.bruker_id,
    tildeling.c.rolle_id,
    rolle.c.orgnr,
    tildeling.c.opprettet,
    tildeling.c.opprettet_av,
    tildeling.c.tilbakekalt,
    tildeling.c.tilbakekalt_av,
).join(rolle, rolle.c.id == tildeling.c.rolle_id)


def _object_id(grant: Tildeling) -> str:
    """The change log's object id: `<integration id>/<role id>`, or `bruker:<user id>/<role id>`."""
    if grant.bruker_id is not None:
        return f"bruker:{grant.bruker_id}/{grant.rolle_id}"
    return f"{grant.integrasjon_id}/{grant.rolle_id}"


def _grant(row: Any) -> Tildeling:
    return Tildeling(
        integrasjon_id=row.integrasjon_id,
        rolle_id=row.rolle_id,
        orgnr=row.orgnr,
        opprettet=as_utc(row.opprettet),
        opprettet_av=row.opprettet_av,
        tilbakekalt=as_utc(row.tilbakekalt) if row.tilbakekalt is not None else None,
        tilbakekalt_av=row.tilbakekalt_av,
        bruker_id=row.bruker_id,
    )
