"""Organisations: municipalities, counties and other public bodies using the gateway."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from fiks_folkeregister.admin.base import (
    Actor,
    ActorKind,
    AdminBase,
    require_platform,
    valid_name,
    valid_orgnr,
)
from fiks_folkeregister.admin.errors import AdminError, bad_request, conflict
from fiks_folkeregister.admin.schemas import OrganisasjonUt
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import organisasjon

_KOMMUNENUMMER = re.compile(r"[0-9]{4}")
_FYLKESNUMMER = re.compile(r"[0-9]{2}")
#: The highest request rate an organisation's integrations may be given (ten times the register's rule).
MAX_REQUESTS_PER_MINUTE = 600_000


@dataclass(frozen=True, slots=True)
class Organisasjon:
    orgnr: str
    navn: str
    kommunenummer: str | None
    fylkesnummer: str | None
    opprettet: datetime
    #: The organisation's id in Fiks (a UUID, made when the organisation is registered).
    fiks_org_id: UUID | None = None
    #: Requests a minute allowed per integration of the organisation (None: the gateway's default).
    forespoersler_per_minutt: int | None = None


class Organisations(AdminBase):
    """Registering organisations (platform operators) and reading them (each sees its own)."""

    def create_organisation(
        self,
        actor: Actor,
        orgnr: str,
        navn: str,
        kommunenummer: str | None = None,
        fylkesnummer: str | None = None,
    ) -> Organisasjon:
        """A new organisation; the county number defaults to the municipality number's first two digits."""
        require_platform(actor)
        valid_orgnr(orgnr, "orgnr")
        navn = valid_name(navn)
        if kommunenummer is not None and not _KOMMUNENUMMER.fullmatch(kommunenummer):
            raise bad_request(
                "UGYLDIG_KOMMUNENUMMER", f"A municipality number is 4 digits, got {kommunenummer!r}"
            )
        if fylkesnummer is None and kommunenummer is not None:
            fylkesnummer = kommunenummer[:2]
        if fylkesnummer is not None and not _FYLKESNUMMER.fullmatch(fylkesnummer):
            raise bad_request("UGYLDIG_FYLKESNUMMER", f"A county number is 2 digits, got {fylkesnummer!r}")
        created = Organisasjon(orgnr, navn, kommunenummer, fylkesnummer, self._clock(), uuid4())
        try:
            with self._engine.begin() as connection:
                if connection.execute(
                    select(organisasjon.c.orgnr).where(organisasjon.c.orgnr == orgnr)
                ).first():
                    raise _organisation_exists(orgnr)
                connection.execute(
                    insert(organisasjon).values(
                        orgnr=orgnr,
                        navn=navn,
                        kommunenummer=kommunenummer,
                        fylkesnummer=fylkesnummer,
                        opprettet=created.opprettet,
                        fiks_org_id=created.fiks_org_id,
                    )
                )
                self._log(
                    connection,
                    actor,
                    orgnr,
                    "organisasjon.opprettet",
                    "organisasjon",
                    orgnr,
                    None,
                    OrganisasjonUt.of(created),
                )
        except IntegrityError:
            raise _organisation_exists(orgnr) from None
        return created

    def list_organisations(self, actor: Actor) -> list[Organisasjon]:
        statement = select(organisasjon).order_by(organisasjon.c.orgnr)
        if actor.kind is ActorKind.ADMINISTRATOR:
            statement = statement.where(organisasjon.c.orgnr == actor.orgnr)
        with self._engine.connect() as connection:
            return [_organisation(row) for row in connection.execute(statement)]

    def orgnr_of(self, fiks_org_id: UUID) -> str | None:
        """The organisation number of a `fiksOrgId` (None: no such organisation). Says nothing about who may
        see it: callers check that through the actor."""
        with self._engine.connect() as connection:
            return connection.execute(
                select(organisasjon.c.orgnr).where(organisasjon.c.fiks_org_id == fiks_org_id)
            ).scalar_one_or_none()

    def get_organisation(self, actor: Actor, orgnr: str) -> Organisasjon:
        with self._engine.connect() as connection:
            return _organisation(self._organisation_row(connection, actor, orgnr))

    def set_request_rate(self, actor: Actor, orgnr: str, per_minute: int | None) -> Organisasjon:
        """The request rate of each of the organisation's integrations (None: the gateway's default).
        Platform operators only: the capacity it hands out is the platform's, shared by everyone."""
        require_platform(actor)
        if per_minute is not None and not 1 <= per_minute <= MAX_REQUESTS_PER_MINUTE:
            raise bad_request(
                "UGYLDIG_FORESPOERSELSGRENSE",
                f"Requests per minute must be 1 to {MAX_REQUESTS_PER_MINUTE}, or null for the default",
            )
        with self._engine.begin() as connection:
            before = _organisation(self._organisation_row(connection, actor, orgnr))
            connection.execute(
                update(organisasjon)
                .where(organisasjon.c.orgnr == orgnr)
                .values(forespoersler_per_minutt=per_minute)
            )
            after = replace(before, forespoersler_per_minutt=per_minute)
            self._log(
                connection,
                actor,
                orgnr,
                "organisasjon.forespoerselsgrense",
                "organisasjon",
                orgnr,
                OrganisasjonUt.of(before),
                OrganisasjonUt.of(after),
            )
        return after


def _organisation_exists(orgnr: str) -> AdminError:
    return conflict("ORGANISASJON_FINNES", f"The organisation {orgnr} already exists", orgnr=orgnr)


def _organisation(row: Any) -> Organisasjon:
    return Organisasjon(
        row.orgnr,
        row.navn,
        row.kommunenummer,
        row.fylkesnummer,
        as_utc(row.opprettet),
        row.fiks_org_id,
        row.forespoersler_per_minutt,
    )
