"""What every admin use case shares: the actor, what it may see, the change log, and finding a record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, insert, select

from fiks_folkeregister.admin.errors import bad_request, forbidden, not_found
from fiks_folkeregister.audit.log import AuditLog
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.identity.tokens import is_orgnr
from fiks_folkeregister.storage.tables import bruker, endringslogg, integrasjon, organisasjon, rolle

MAX_NAME = 200


class ActorKind(StrEnum):
    """Who is acting, which decides what they may see and change."""

    OPERATOR = "operatoer"  # a platform operator using the admin API: configuration of every organisation
    ADMINISTRATOR = "administrator"  # one organisation's administrator: only that organisation
    CONSOLE = "konsoll"  # the command line on the server: everything, including the lookup log


@dataclass(frozen=True, slots=True)
class Actor:
    """The one making a change, as recorded in the change log."""

    navn: str
    kind: ActorKind
    orgnr: str | None = None

    def sees(self, orgnr: str) -> bool:
        """Whether this actor may see (and manage) the organisation's configuration."""
        return self.kind is not ActorKind.ADMINISTRATOR or self.orgnr == orgnr


class AdminBase:
    """The state every part of the admin service shares, and the helpers of every use case.

    A record another organisation owns is answered as not found (404), never as forbidden, so that no
    administrator learns which ids exist elsewhere.
    """

    def __init__(
        self,
        engine: Engine,
        passwords: IntegrationPasswords,
        audit: AuditLog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self._passwords = passwords
        self._audit = audit
        self._clock = clock

    def _log(
        self,
        connection: Connection,
        actor: Actor,
        orgnr: str | None,
        handling: str,
        objekttype: str,
        objekt_id: object,
        foer: BaseModel | dict[str, Any] | None,
        etter: BaseModel | dict[str, Any] | None,
    ) -> None:
        """One change-log entry, in the caller's transaction; before/after as the record's public schema."""
        connection.execute(
            insert(endringslogg).values(
                tidspunkt=self._clock(),
                utfoert_av=actor.navn,
                orgnr=orgnr,
                handling=handling,
                objekttype=objekttype,
                objekt_id=str(objekt_id),
                foer=snapshot(foer),
                etter=snapshot(etter),
            )
        )

    def _organisation_row(self, connection: Connection, actor: Actor, orgnr: str) -> Any:
        row = None
        if actor.sees(orgnr):
            row = connection.execute(select(organisasjon).where(organisasjon.c.orgnr == orgnr)).first()
        if row is None:
            raise not_found("ORGANISASJON_FINNES_IKKE", f"No organisation {orgnr}", orgnr=orgnr)
        return row

    def _role_row(self, connection: Connection, actor: Actor, rolle_id: UUID, orgnr: str | None) -> Any:
        row = connection.execute(select(rolle).where(rolle.c.id == rolle_id)).first()
        if row is None or not actor.sees(row.orgnr) or (orgnr is not None and row.orgnr != orgnr):
            raise not_found("ROLLE_FINNES_IKKE", f"No role {rolle_id}", rolleId=str(rolle_id))
        return row

    def _integration_row(
        self, connection: Connection, actor: Actor, integrasjon_id: UUID, orgnr: str | None
    ) -> Any:
        row = connection.execute(select(integrasjon).where(integrasjon.c.id == integrasjon_id)).first()
        if row is None or not actor.sees(row.orgnr) or (orgnr is not None and row.orgnr != orgnr):
            raise not_found(
                "INTEGRASJON_FINNES_IKKE",
                f"No integration {integrasjon_id}",
                integrasjonId=str(integrasjon_id),
            )
        return row

    def _user_row(self, connection: Connection, actor: Actor, bruker_id: UUID, orgnr: str | None) -> Any:
        row = connection.execute(select(bruker).where(bruker.c.id == bruker_id)).first()
        if row is None or not actor.sees(row.orgnr) or (orgnr is not None and row.orgnr != orgnr):
            raise not_found("BRUKER_FINNES_IKKE", f"No person user {bruker_id}", brukerId=str(bruker_id))
        return row


def snapshot(value: BaseModel | dict[str, Any] | None) -> dict[str, Any] | None:
    """A record as the change log keeps it: its public schema in JSON (never a password, hash or key)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    return value


def require_platform(actor: Actor) -> None:
    if actor.kind is ActorKind.ADMINISTRATOR:
        raise forbidden("KREVER_OPERATOER", "Only a platform operator may do this")


def valid_name(navn: str) -> str:
    cleaned = navn.strip()
    if not cleaned or len(cleaned) > MAX_NAME:
        raise bad_request("UGYLDIG_NAVN", f"A name is 1 to {MAX_NAME} characters")
    return cleaned


def valid_orgnr(value: str, field: str) -> str:
    if not is_orgnr(value):
        raise bad_request(
            "UGYLDIG_ORGNR",
            f"{field}: not a valid organisation number (9 digits, mod 11 check digit): {value!r}",
            felt=field,
        )
    return value
