"""Reading the logs: the configuration change log and an organisation's lookup log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select

from fiks_folkeregister.admin.base import Actor, ActorKind, AdminBase, require_platform
from fiks_folkeregister.admin.errors import bad_request, forbidden
from fiks_folkeregister.audit.log import AuditRecord
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import endringslogg


@dataclass(frozen=True, slots=True)
class Endring:
    """One entry of the configuration change log."""

    id: int
    tidspunkt: datetime
    utfoert_av: str
    orgnr: str | None
    handling: str
    objekttype: str
    objekt_id: str
    foer: dict[str, Any] | None
    etter: dict[str, Any] | None


class Logs(AdminBase):
    """The change log (who changed what: before and after) and the lookup log (who looked up whom)."""

    def change_log(
        self, actor: Actor, orgnr: str | None = None, limit: int = 1000, offset: int = 0
    ) -> list[Endring]:
        """Configuration changes, newest first: one organisation's, or (platform only) all of them; `offset`
        skips the newest ones (paging)."""
        statement = select(endringslogg).order_by(endringslogg.c.tidspunkt.desc(), endringslogg.c.id.desc())
        with self._engine.connect() as connection:
            if orgnr is not None:
                self._organisation_row(connection, actor, orgnr)
                statement = statement.where(endringslogg.c.orgnr == orgnr)
            else:
                require_platform(actor)
            return [_change(row) for row in connection.execute(statement.limit(limit).offset(offset))]

    def lookup_log(
        self,
        actor: Actor,
        orgnr: str,
        *,
        fra: datetime | None = None,
        til: datetime | None = None,
        rolle_id: UUID | None = None,
        integrasjon_id: UUID | None = None,
        person: str | None = None,
        limit: int = 1000,
    ) -> list[AuditRecord]:
        """The organisation's lookup log: for its own administrators and the console, not operators."""
        if actor.kind is ActorKind.OPERATOR:
            raise forbidden(
                "KUN_ORGANISASJONENS_ADMINISTRATOR",
                "An organisation's lookup log is read by its own administrators; platform operators manage "
                "configuration only",
            )
        with self._engine.connect() as connection:
            self._organisation_row(connection, actor, orgnr)
        if fra is not None and til is not None and fra >= til:
            raise bad_request("UGYLDIG_TIDSROM", "'fra' must be before 'til'")
        return self._audit.query(
            orgnr,
            fra=fra,
            til=til,
            rolle_id=rolle_id,
            integrasjon_id=integrasjon_id,
            person=person,
            limit=limit,
        )


def _change(row: Any) -> Endring:
    return Endring(
        id=row.id,
        tidspunkt=as_utc(row.tidspunkt),
        utfoert_av=row.utfoert_av,
        orgnr=row.orgnr,
        handling=row.handling,
        objekttype=row.objekttype,
        objekt_id=row.objekt_id,
        foer=row.foer,
        etter=row.etter,
    )
