"""Administrators of the admin API: platform operators and organisation administrators, with API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Connection, insert, select, update

from fiks_folkeregister.admin.base import (
    MAX_NAME,
    Actor,
    ActorKind,
    AdminBase,
    require_platform,
    valid_name,
)
from fiks_folkeregister.admin.errors import conflict, not_found
from fiks_folkeregister.admin.schemas import AdministratorUt
from fiks_folkeregister.admin.users import valid_foedselsnummer
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import administrator

API_KEY_PREFIX = "fiksadm_"


@dataclass(frozen=True, slots=True)
class Administrator:
    id: UUID
    navn: str
    orgnr: str | None  # None: a platform operator
    opprettet: datetime
    deaktivert: datetime | None
    #: A person administrator's identity number (they log in through ID-porten and hold no API key).
    foedselsnummer: str | None = None


@dataclass(frozen=True, slots=True)
class AdministratorCredentials:
    """A new API key, to be shown once and never again."""

    administrator: Administrator
    api_noekkel: str


def hash_api_key(api_key: str) -> str:
    """SHA-256 of an API key: the keys are 256 random bits, so a fast hash is enough to store them safely."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


class Administrators(AdminBase):
    """Authenticating by API key; creating, listing and deactivating administrators (platform operators)."""

    def authenticate(self, api_key: str) -> Actor | None:
        """The administrator holding this API key, or None (unknown or deactivated key)."""
        if not api_key.startswith(API_KEY_PREFIX):
            return None
        with self._engine.connect() as connection:
            row = connection.execute(
                select(administrator).where(
                    administrator.c.noekkel_hash == hash_api_key(api_key),
                    administrator.c.deaktivert.is_(None),
                )
            ).first()
        if row is None:
            return None
        kind = ActorKind.OPERATOR if row.orgnr is None else ActorKind.ADMINISTRATOR
        return Actor(navn=f"administrator:{row.id}:{row.navn}"[:MAX_NAME], kind=kind, orgnr=row.orgnr)

    def person_actors(self, foedselsnummer: str) -> list[Actor]:
        """The actors a logged-in person administers as (active person administrators): a platform
        operator, or one administrator per organisation; by organisation number. Empty: not an administrator.
        The change log names them as API keys are named (`administrator:<id>:<navn>`), never by number."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(administrator)
                .where(
                    administrator.c.foedselsnummer == foedselsnummer,
                    administrator.c.deaktivert.is_(None),
                )
                .order_by(administrator.c.orgnr)
            ).all()
        return [
            Actor(
                navn=f"administrator:{row.id}:{row.navn}"[:MAX_NAME],
                kind=ActorKind.OPERATOR if row.orgnr is None else ActorKind.ADMINISTRATOR,
                orgnr=row.orgnr,
            )
            for row in rows
        ]

    def create_administrator(
        self, actor: Actor, navn: str, orgnr: str | None = None
    ) -> AdministratorCredentials:
        """A platform operator (`orgnr` None) or an organisation's administrator, with a new API key."""
        require_platform(actor)
        navn = valid_name(navn)
        api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        now = self._clock()
        created = Administrator(id=uuid4(), navn=navn, orgnr=orgnr, opprettet=now, deaktivert=None)
        with self._engine.begin() as connection:
            if orgnr is not None:
                self._organisation_row(connection, actor, orgnr)
            self._insert(connection, actor, created, noekkel_hash=hash_api_key(api_key))
        return AdministratorCredentials(administrator=created, api_noekkel=api_key)

    def create_person_administrator(
        self, actor: Actor, foedselsnummer: str, navn: str, orgnr: str | None
    ) -> Administrator:
        """A person who administers the organisation (`orgnr` None: the platform), logging in through
        ID-porten; no API key (those stay for automation). One active per person and organisation."""
        require_platform(actor)
        fnr = valid_foedselsnummer(foedselsnummer)
        navn = valid_name(navn)
        created = Administrator(uuid4(), navn, orgnr, self._clock(), None, fnr)
        with self._engine.begin() as connection:
            if orgnr is not None:
                self._organisation_row(connection, actor, orgnr)
            same = administrator.c.orgnr.is_(None) if orgnr is None else administrator.c.orgnr == orgnr
            if connection.execute(
                select(administrator.c.id).where(
                    administrator.c.foedselsnummer == fnr, same, administrator.c.deaktivert.is_(None)
                )
            ).first():
                raise conflict(
                    "ADMINISTRATOR_FINNES",
                    f"This person already administers {orgnr or 'the platform'}",
                )
            self._insert(connection, actor, created, foedselsnummer=fnr)
        return created

    def _insert(
        self, connection: Connection, actor: Actor, created: Administrator, **credential: str
    ) -> None:
        """The new administrator with its credential (an API key's hash, or a person's identity number)."""
        connection.execute(
            insert(administrator).values(
                id=created.id,
                navn=created.navn,
                orgnr=created.orgnr,
                opprettet=created.opprettet,
                **credential,
            )
        )
        self._log(
            connection,
            actor,
            created.orgnr,
            "administrator.opprettet",
            "administrator",
            created.id,
            None,
            AdministratorUt.of(created),
        )

    def person_administrations(self, foedselsnummer: str) -> list[Administrator]:
        """What this person administers now: their active person administrators (`orgnr` None: the
        platform), by organisation number. Read afresh each time, so a deactivation counts at once. For
        authenticating a logged-in person (as `authenticate` is for an API key), hence no actor."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(administrator)
                .where(
                    administrator.c.foedselsnummer == foedselsnummer,
                    administrator.c.deaktivert.is_(None),
                )
                .order_by(administrator.c.orgnr, administrator.c.opprettet)
            ).all()
        return [_administrator(row) for row in rows]

    def list_administrators(self, actor: Actor, orgnr: str | None = None) -> list[Administrator]:
        require_platform(actor)
        statement = select(administrator).order_by(administrator.c.opprettet)
        if orgnr is not None:
            statement = statement.where(administrator.c.orgnr == orgnr)
        with self._engine.connect() as connection:
            return [_administrator(row) for row in connection.execute(statement)]

    def deactivate_administrator(self, actor: Actor, administrator_id: UUID) -> Administrator:
        """The key stops working on the next request."""
        require_platform(actor)
        with self._engine.begin() as connection:
            row = connection.execute(
                select(administrator).where(administrator.c.id == administrator_id)
            ).first()
            if row is None:
                raise not_found("ADMINISTRATOR_FINNES_IKKE", f"No administrator {administrator_id}")
            before = _administrator(row)
            if before.deaktivert is not None:
                return before
            after = replace(before, deaktivert=self._clock())
            connection.execute(
                update(administrator)
                .where(administrator.c.id == administrator_id)
                .values(deaktivert=after.deaktivert)
            )
            self._log(
                connection,
                actor,
                after.orgnr,
                "administrator.deaktivert",
                "administrator",
                after.id,
                AdministratorUt.of(before),
                AdministratorUt.of(after),
            )
        return after


def _administrator(row: Any) -> Administrator:
    return Administrator(
        id=row.id,
        navn=row.navn,
        orgnr=row.orgnr,
        opprettet=as_utc(row.opprettet),
        deaktivert=as_utc(row.deaktivert) if row.deaktivert is not None else None,
        foedselsnummer=row.foedselsnummer,
    )
