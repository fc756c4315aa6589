"""Roles: which rights package, usage areas and information elements a role's holders may use; the Fiks role
model's service area, legal basis, tags, and whether the role is active."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from fiks_folkeregister.admin.access import AccessDirectory, role_from_row
from fiks_folkeregister.admin.base import Actor, valid_name
from fiks_folkeregister.admin.errors import AdminError, bad_request, conflict
from fiks_folkeregister.admin.lovhjemler import Lovhjemler
from fiks_folkeregister.admin.schemas import RolleUt
from fiks_folkeregister.domain.rolle import (
    SOEK_WEB,
    RoleDefinition,
    RoleDefinitionError,
    Rolle,
    role_area,
    role_definition,
    role_legal_basis,
    role_tags,
)
from fiks_folkeregister.domain.tjenesteomrade import Lovhjemmel, TjenesteOmrade
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import bruker, rolle, tildeling

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StoredRole:
    """A role with what the administrator named (`deler`, aliases kept), when it was made and changed, the
    Fiks role model's service area, legal basis and tags, and how many hold it now.

    Whether it is active is `rolle.aktiv` (also `aktiv` here). `antall_personer` counts the active person
    users and `antall_integrasjoner` the integrations with an active grant of the role."""

    rolle: Rolle
    deler: tuple[str, ...]
    opprettet: datetime
    endret: datetime
    tjeneste_omrade: TjenesteOmrade
    lovhjemmel: Lovhjemmel | None = None
    tagger: tuple[str, ...] = ()
    antall_personer: int = 0
    antall_integrasjoner: int = 0

    @property
    def aktiv(self) -> bool:
        return self.rolle.aktiv


class Roles(Lovhjemler):
    """Creating, reading, changing, deactivating and deleting an organisation's roles."""

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
        *,
        tjeneste_omrade: str | None = None,
        lovhjemmel: str | None = None,
        tagger: Iterable[str] = (),
    ) -> StoredRole:
        """A new, active role; refuses elements the rights package may not receive, naming them. `gyldighet`
        (where it may be used) is `api` when None; `tjeneste_omrade` is `STOTTE` when None; `lovhjemmel` is
        the text of a legal basis the catalogue holds for that service area (None: none)."""
        navn = valid_name(navn)
        definition = _role_definition(rettighetspakke, bruksomraader, deler, gyldighet)
        area = _checked(role_area, tjeneste_omrade)
        tags = _checked(role_tags, tagger)
        now = self._clock()
        try:
            with self._engine.begin() as connection:
                self._organisation_row(connection, actor, orgnr)
                legal_basis = _checked(role_legal_basis, lovhjemmel, area, self._legal_bases(connection))
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
                    tjeneste_omrade=area,
                    lovhjemmel=legal_basis,
                    tagger=tags,
                )
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
        """The organisation's roles (active and deactivated) by name, with how many hold each."""
        with self._engine.connect() as connection:
            self._organisation_row(connection, actor, orgnr)
            rows = connection.execute(
                select(rolle).where(rolle.c.orgnr == orgnr).order_by(rolle.c.navn)
            ).all()
            counts = _holder_counts(connection, [row.id for row in rows])
            return [stored_role(row, counts.get(row.id)) for row in rows]

    def get_role(self, actor: Actor, rolle_id: UUID, orgnr: str | None = None) -> StoredRole:
        """One role, with how many hold it (another organisation's, or none such: 404)."""
        with self._engine.connect() as connection:
            return self._stored_role(connection, actor, rolle_id, orgnr)

    def person_search_roles(self, foedselsnummer: str) -> list[StoredRole]:
        """The roles this person may search with now (active user, active grant, active role carrying
        `soekWeb`; `AccessDirectory.person_roles`), by organisation and name: what the person sees of their
        own grants, in every organisation they are a user of."""
        held = AccessDirectory(self._engine).person_roles(foedselsnummer, SOEK_WEB)
        ids = [role.id for _, role in held]
        if not ids:
            return []
        with self._engine.connect() as connection:
            rows = {row.id: row for row in connection.execute(select(rolle).where(rolle.c.id.in_(ids)))}
            counts = _holder_counts(connection, ids)
        return [stored_role(rows[i], counts.get(i)) for i in ids if i in rows]

    def deactivate_role(self, actor: Actor, rolle_id: UUID, orgnr: str | None = None) -> StoredRole:
        """From the next request on the role authorises nothing, in any channel; its grants, lookups and
        change log stay. Deactivating an inactive role changes nothing (and logs nothing)."""
        return self._set_active(actor, rolle_id, orgnr, False)

    def activate_role(self, actor: Actor, rolle_id: UUID, orgnr: str | None = None) -> StoredRole:
        """The role works again for every grant that is still active. Activating an active role changes
        nothing (and logs nothing)."""
        return self._set_active(actor, rolle_id, orgnr, True)

    def add_tag(self, actor: Actor, rolle_id: UUID, tagg: str, orgnr: str | None = None) -> StoredRole:
        """Adds one tag (a tag the role has already: nothing changes)."""
        with self._engine.begin() as connection:
            before = self._stored_role(connection, actor, rolle_id, orgnr)
            tags = _checked(role_tags, [*before.tagger, tagg])
            if tags == before.tagger:
                return before
            return self._save(connection, actor, before, replace(before, tagger=tags))

    def remove_tag(self, actor: Actor, rolle_id: UUID, tagg: str, orgnr: str | None = None) -> StoredRole:
        """Removes one tag; a tag the role does not have is refused (400 `UKJENT_TAGG`)."""
        with self._engine.begin() as connection:
            before = self._stored_role(connection, actor, rolle_id, orgnr)
            if tagg not in before.tagger:
                raise bad_request(
                    "UKJENT_TAGG",
                    f"The role {rolle_id} has no tag {tagg!r}",
                    tagg=tagg,
                    tagger=list(before.tagger),
                )
            after = replace(before, tagger=tuple(tag for tag in before.tagger if tag != tagg))
            return self._save(connection, actor, before, after)

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
        tjeneste_omrade: str | None = None,
        lovhjemmel: str | None = None,
        tagger: Sequence[str] | None = None,
    ) -> StoredRole:
        """Change what is given, keep the rest; the whole role is validated again. `lovhjemmel` "" removes
        the legal basis; a kept legal basis must serve the (new) service area; `tagger` replaces the tags.
        Whether the role is active is changed by `deactivate_role`/`activate_role` only."""
        try:
            with self._engine.begin() as connection:
                before = self._stored_role(connection, actor, rolle_id, orgnr)
                old = before.rolle
                area = (
                    _checked(role_area, tjeneste_omrade)
                    if tjeneste_omrade is not None
                    else before.tjeneste_omrade
                )
                named_basis = (
                    lovhjemmel
                    if lovhjemmel is not None
                    else (before.lovhjemmel.beskrivelse if before.lovhjemmel is not None else None)
                )
                legal_basis = _checked(role_legal_basis, named_basis, area, self._legal_bases(connection))
                if lovhjemmel is None and before.lovhjemmel is not None and legal_basis is not None:
                    legal_basis = before.lovhjemmel  # kept as chosen, even if the catalogue's links changed
                tags = _checked(role_tags, tagger) if tagger is not None else before.tagger
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
                        aktiv=old.aktiv,
                    ),
                    deler=definition.deler,
                    opprettet=before.opprettet,
                    endret=before.endret,
                    tjeneste_omrade=area,
                    lovhjemmel=legal_basis,
                    tagger=tags,
                    antall_personer=before.antall_personer,
                    antall_integrasjoner=before.antall_integrasjoner,
                )
                if new_name != old.navn:
                    self._refuse_duplicate_role(connection, old.orgnr, new_name, old.id)
                return self._save(connection, actor, before, after)
        except IntegrityError:
            raise conflict("ROLLE_FINNES", f"Another role of the organisation is named {navn!r}") from None

    def delete_role(self, actor: Actor, rolle_id: UUID, orgnr: str | None = None) -> StoredRole:
        """Deletes a role no integration or person holds any longer (revoke its grants first)."""
        with self._engine.begin() as connection:
            before = self._stored_role(connection, actor, rolle_id, orgnr)
            holders = connection.execute(
                select(tildeling.c.integrasjon_id, tildeling.c.bruker_id).where(
                    tildeling.c.rolle_id == rolle_id, tildeling.c.tilbakekalt.is_(None)
                )
            ).all()
            if holders:
                integrations = [str(h.integrasjon_id) for h in holders if h.integrasjon_id is not None]
                users = [str(h.bruker_id) for h in holders if h.bruker_id is not None]
                holding = {"integrasjoner": integrations} if integrations else {}
                raise conflict(
                    "ROLLE_I_BRUK",
                    f"The role {rolle_id} is granted to {len(integrations)} integration(s) and "
                    f"{len(users)} person user(s); revoke them first",
                    **holding | ({"brukere": users} if users else {}),
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

    def _stored_role(
        self, connection: Connection, actor: Actor, rolle_id: UUID, orgnr: str | None
    ) -> StoredRole:
        row = self._role_row(connection, actor, rolle_id, orgnr)
        return stored_role(row, _holder_counts(connection, [row.id]).get(row.id))

    def _set_active(self, actor: Actor, rolle_id: UUID, orgnr: str | None, aktiv: bool) -> StoredRole:
        with self._engine.begin() as connection:
            before = self._stored_role(connection, actor, rolle_id, orgnr)
            if before.aktiv == aktiv:
                return before
            after = replace(before, rolle=replace(before.rolle, aktiv=aktiv))
            return self._save(
                connection, actor, before, after, "rolle.aktivert" if aktiv else "rolle.deaktivert"
            )

    def _save(
        self,
        connection: Connection,
        actor: Actor,
        before: StoredRole,
        after: StoredRole,
        handling: str = "rolle.endret",
    ) -> StoredRole:
        """Stores a changed role (its `endret` now) with its change-log entry, in the caller's transaction."""
        after = replace(after, endret=self._clock())
        connection.execute(update(rolle).where(rolle.c.id == after.rolle.id).values(**_role_values(after)))
        self._log(
            connection,
            actor,
            after.rolle.orgnr,
            handling,
            "rolle",
            after.rolle.id,
            RolleUt.of(before),
            RolleUt.of(after),
        )
        return after

    def _refuse_duplicate_role(
        self, connection: Connection, orgnr: str, navn: str, own_id: UUID | None
    ) -> None:
        statement = select(rolle.c.id).where(rolle.c.orgnr == orgnr, rolle.c.navn == navn)
        if own_id is not None:
            statement = statement.where(rolle.c.id != own_id)
        if connection.execute(statement).first() is not None:
            raise _role_exists(orgnr, navn)


def stored_role(row: Any, counts: tuple[int, int] | None = None) -> StoredRole:
    """A stored role row as a `StoredRole`; `counts` (persons, integrations) holding it, if counted."""
    mapping = row._mapping
    personer, integrasjoner = counts or (0, 0)
    return StoredRole(
        rolle=role_from_row(mapping),
        deler=tuple(mapping["deler"]),
        opprettet=as_utc(mapping["opprettet"]),
        endret=as_utc(mapping["endret"]),
        tjeneste_omrade=TjenesteOmrade(mapping["tjeneste_omrade"]),
        lovhjemmel=_legal_basis_from_json(mapping["lovhjemmel"]),
        tagger=tuple(mapping["tagger"] or ()),
        antall_personer=personer,
        antall_integrasjoner=integrasjoner,
    )


def _holder_counts(connection: Connection, role_ids: Sequence[UUID]) -> dict[UUID, tuple[int, int]]:
    """Per role: (active person users, integrations) holding it by an active grant."""
    if not role_ids:
        return {}
    rows = connection.execute(
        select(
            tildeling.c.rolle_id,
            func.count(bruker.c.id),
            func.count(tildeling.c.integrasjon_id),
        )
        .select_from(
            tildeling.outerjoin(bruker, and_(bruker.c.id == tildeling.c.bruker_id, bruker.c.aktiv.is_(True)))
        )
        .where(tildeling.c.rolle_id.in_(role_ids), tildeling.c.tilbakekalt.is_(None))
        .group_by(tildeling.c.rolle_id)
    )
    return {row[0]: (int(row[1]), int(row[2])) for row in rows}


def _legal_basis_from_json(value: Any) -> Lovhjemmel | None:
    if not value:
        return None
    return Lovhjemmel(
        beskrivelse=value["beskrivelse"],
        omrader=tuple(TjenesteOmrade(area) for area in value.get("omrader", ())),
        urler=tuple(value.get("urler", ())),
    )


def _legal_basis_json(lov: Lovhjemmel | None) -> dict[str, Any] | None:
    if lov is None:
        return None
    return {
        "beskrivelse": lov.beskrivelse,
        "omrader": [a.value for a in lov.omrader],
        "urler": list(lov.urler),
    }


def _checked(check: Callable[..., T], *arguments: Any) -> T:
    """A domain check whose refusal is answered as a 400 saying what to change."""
    try:
        return check(*arguments)
    except RoleDefinitionError as error:
        raise bad_request(error.code, error.message, **error.details) from None


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
        "tjeneste_omrade": stored.tjeneste_omrade.value,
        "lovhjemmel": _legal_basis_json(stored.lovhjemmel),
        "aktiv": role.aktiv,
        "tagger": list(stored.tagger),
    }
