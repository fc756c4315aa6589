"""Roles: which rights package, usage areas and information elements a role's holders may use."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from fiks_folkeregister.admin.access import role_from_row
from fiks_folkeregister.admin.base import Actor, AdminBase, valid_name
from fiks_folkeregister.admin.errors import AdminError, bad_request, conflict
from fiks_folkeregister.admin.schemas import RolleUt
from fiks_folkeregister.domain.rolle import RoleDefinition, RoleDefinitionError, Rolle, role_definition
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import rolle, tildeling


@dataclass(frozen=True, slots=True)
class StoredRole:
    """A role with what the administrator named (`deler`, aliases kept) and when it was made and changed."""

    rolle: Rolle
    deler: tuple[str, ...]
    opprettet: datetime
    endret: datetime


class Roles(AdminBase):
    """Creating, reading, changing and deleting an organisation's roles."""

    def create_role(
        self,
        actor: Actor,
        orgnr: str,
        navn: str,
        rettighetspakke: str,
        bruksomraader: Iterable[str],
        deler: Iterable[str],
        beskrivelse: str = "",
        gyldighet: Iterable[str] | None = None,
    ) -> StoredRole:
        """A new role; refuses elements the rights package may not receive, naming them. `gyldighet`
        (where it may be used) is `api` when None."""
        navn = valid_name(navn)
        definition = _role_definition(rettighetspakke, bruksomraader, deler, gyldighet)
        now = self._clock()
        stored = StoredRole(
            rolle=Rolle(
                id=uuid4(),
                orgnr=orgnr,
                navn=navn,
                rettighetspakke=definition.rettighetspakke,
                bruksomraader=definition.bruksomraader,
                elementer=definition.elementer,
                historikk=definition.historikk,
                beskrivelse=beskrivelse,
                gyldighet=definition.gyldighet,
            ),
            deler=definition.deler,
            opprettet=now,
            endret=now,
        )
        try:
            with self._engine.begin() as connection:
                self._organisation_row(connection, actor, orgnr)
                self._refuse_duplicate_role(connection, orgnr, navn, None)
                connection.execute(insert(rolle).values(**_role_values(stored), opprettet=now))
                self._log(
                    connection,
                    actor,
                    orgnr,
                    "rolle.opprettet",
                    "rolle",
                    stored.rolle.id,
                    None,
                    RolleUt.of(stored),
                )
        except IntegrityError:
            raise _role_exists(orgnr, navn) from None
        return stored

    def list_roles(self, actor: Actor, orgnr: str) -> list[StoredRole]:
        with self._engine.connect() as connection:
            self._organisation_row(connection, actor, orgnr)
            rows = connection.execute(select(rolle).where(rolle.c.orgnr == orgnr).order_by(rolle.c.navn))
            return [stored_role(row) for row in rows]

    def get_role(self, actor: Actor, rolle_id: UUID, orgnr: str | None = None) -> StoredRole:
        with self._engine.connect() as connection:
            return stored_role(self._role_row(connection, actor, rolle_id, orgnr))

    def update_role(
        self,
        actor: Actor,
        rolle_id: UUID,
        *,
        orgnr: str | None = None,
        navn: str | None = None,
        beskrivelse: str | None = None,
        rettighetspakke: str | None = None,
        bruksomraader: Sequence[str] | None = None,
        deler: Sequence[str] | None = None,
        gyldighet: Sequence[str] | None = None,
    ) -> StoredRole:
        """Change what is given, keep the rest; the whole role is validated again."""
        try:
            with self._engine.begin() as connection:
                before = stored_role(self._role_row(connection, actor, rolle_id, orgnr))
                old = before.rolle
                new_name = valid_name(navn) if navn is not None else old.navn
                definition = _role_definition(
                    rettighetspakke if rettighetspakke is not None else old.rettighetspakke.value,
                    bruksomraader if bruksomraader is not None else [b.value for b in old.bruksomraader],
                    deler if deler is not None else before.deler,
                    gyldighet if gyldighet is not None else old.gyldighet,
                )
                after = StoredRole(
                    rolle=Rolle(
                        id=old.id,
                        orgnr=old.orgnr,
                        navn=new_name,
                        rettighetspakke=definition.rettighetspakke,
                        bruksomraader=definition.bruksomraader,
                        elementer=definition.elementer,
                        historikk=definition.historikk,
                        beskrivelse=beskrivelse if beskrivelse is not None else old.beskrivelse,
                        gyldighet=definition.gyldighet,
                    ),
                    deler=definition.deler,
                    opprettet=before.opprettet,
                    endret=self._clock(),
                )
                if new_name != old.navn:
                    self._refuse_duplicate_role(connection, old.orgnr, new_name, old.id)
                connection.execute(update(rolle).where(rolle.c.id == old.id).values(**_role_values(after)))
                self._log(
                    connection,
                    actor,
                    old.orgnr,
                    "rolle.endret",
                    "rolle",
                    old.id,
                    RolleUt.of(before),
                    RolleUt.of(after),
                )
        except IntegrityError:
            raise conflict("ROLLE_FINNES", f"Another role of the organisation is named {navn!r}") from None
        return after

    def delete_role(self, actor: Actor, rolle_id: UUID, orgnr: str | None = None) -> StoredRole:
        """Deletes a role no integration or person holds any longer (revoke its grants first)."""
        with self._engine.begin() as connection:
            before = stored_role(self._role_row(connection, actor, rolle_id, orgnr))
            holders = connection.execute(
                select(tildeling.c.integrasjon_id, tildeling.c.bruker_id).where(
                    tildeling.c.rolle_id == rolle_id, tildeling.c.tilbakekalt.is_(None)
                )
            ).all()
            if holders:
                integrations = [str(h.integrasjon_id) for h in holders if h.integrasjon_id is not None]
                users = [str(h.bruker_id) for h in holders if h.bruker_id is not None]
                raise conflict(
                    "ROLLE_I_BRUK",
                    f"The role {rolle_id} is granted to {len(integrations)} integration(s) and "
                    f"{len(users)} person user(s); revoke them first",
                    integrasjoner=integrations,
                    brukere=users,
                )
            connection.execute(delete(tildeling).where(tildeling.c.rolle_id == rolle_id))
            connection.execute(delete(rolle).where(rolle.c.id == rolle_id))
            self._log(
                connection,
                actor,
                before.rolle.orgnr,
                "rolle.slettet",
                "rolle",
                rolle_id,
                RolleUt.of(before),
                None,
            )
        return before

    def _refuse_duplicate_role(
        self, connection: Connection, orgnr: str, navn: str, own_id: UUID | None
    ) -> None:
        statement = select(rolle.c.id).where(rolle.c.orgnr == orgnr, rolle.c.navn == navn)
        if own_id is not None:
            statement = statement.where(rolle.c.id != own_id)
        if connection.execute(statement).first() is not None:
            raise _role_exists(orgnr, navn)


def stored_role(row: Any) -> StoredRole:
    """A stored role row as a `StoredRole`."""
    mapping = row._mapping
    return StoredRole(
        rolle=role_from_row(mapping),
        deler=tuple(mapping["deler"]),
        opprettet=as_utc(mapping["opprettet"]),
        endret=as_utc(mapping["endret"]),
    )


def _role_definition(
    rettighetspakke: str,
    bruksomraader: Iterable[str],
    deler: Iterable[str],
    gyldighet: Iterable[str] | None,
) -> RoleDefinition:
    """The domain's one role validation, its refusal answered as a 400 that says what to change."""
    try:
        return role_definition(rettighetspakke, bruksomraader, deler, gyldighet)
    except RoleDefinitionError as error:
        raise bad_request(error.code, error.message, **error.details) from None


def _role_exists(orgnr: str, navn: str) -> AdminError:
    return conflict("ROLLE_FINNES", f"The organisation {orgnr} already has a role named {navn!r}", navn=navn)


def _role_values(stored: StoredRole) -> dict[str, Any]:
    role = stored.rolle
    return {
        "id": role.id,
        "orgnr": role.orgnr,
        "navn": role.navn,
        "beskrivelse": role.beskrivelse,
        "rettighetspakke": role.rettighetspakke.value,
        "bruksomraader": sorted(b.value for b in role.bruksomraader),
        "deler": list(stored.deler),
        "elementer": sorted(role.elementer),
        "historikk": role.historikk,
        "gyldighet": sorted(role.gyldighet),
        "endret": stored.endret,
    }
