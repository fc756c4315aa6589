"""Reading the logs: the configuration change log and an organisation's lookup log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Connection, select

from fiks_folkeregister.admin.base import Actor, ActorKind, AdminBase, require_platform
from fiks_folkeregister.admin.errors import bad_request, forbidden
from fiks_folkeregister.audit import kjede
from fiks_folkeregister.audit.log import AuditRecord
from fiks_folkeregister.audit.oppslagscsv import Tabellrad, table_row
from fiks_folkeregister.audit.oppslagssoek import Oppslagsfilter, Oppslagsside, Sidemerke, search
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import endringslogg, integrasjon, rolle

#: The resources an administrator's reading of the log about one person is recorded as (kanal `admin`).
LOG_ABOUT_PERSON = "admin/oppslagslogg"
INSIGHT_FOR_PERSON = "admin/innsyn"


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


@dataclass(frozen=True, slots=True)
class Leser:
    """The person reading the log (an administrator logged in through ID-porten), as the log records them."""

    foedselsnummer: str
    navn: str


@dataclass(frozen=True, slots=True)
class Loggside:
    """A page of the lookup log and the same records as the page's table (and its CSV) shows them."""

    side: Oppslagsside
    rader: tuple[Tabellrad, ...]


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
        self.require_lookup_log_reader(actor)
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

    def lookup_page(
        self,
        actor: Actor,
        orgnr: str,
        filter: Oppslagsfilter,
        *,
        leser: Leser,
        foer: Sidemerke | None = None,
        etter: Sidemerke | None = None,
        limit: int = 50,
        ressurs: str = LOG_ABOUT_PERSON,
    ) -> Loggside:
        """One page of the organisation's lookup log (audit/oppslagssoek.py), its rows in words.

        A search for one person looked up (`filter.oppslaatt`) is itself a lookup of personal data: it is
        recorded in the lookup log (kanal `admin`, the reader as the person who asked, the person looked up
        as the person returned, `ressurs` naming the page) before the answer is returned, so no one reads
        whose lookups without a trace, and the person's own insight shows it. No record, no answer (the page
        read is dropped); the reading shows from the next search on, not in its own answer.
        """
        self.require_lookup_log_reader(actor)
        with self._engine.connect() as connection:
            self._organisation_row(connection, actor, orgnr)
            roles, integrations = _names(connection, orgnr)
        page = search(self._engine, orgnr, filter, foer=foer, etter=etter, limit=limit)
        if filter.oppslaatt is not None:
            self._record_reading(orgnr, leser, filter.oppslaatt, ressurs)
        return Loggside(page, tuple(table_row(o, roles, integrations) for o in page.oppslag))

    def person_insight(
        self,
        actor: Actor,
        orgnr: str,
        identifikator: str,
        *,
        leser: Leser,
        foer: Sidemerke | None = None,
        limit: int = 50,
    ) -> Loggside:
        """Every lookup of one person by this organisation, newest first: the lookup log searched for the
        person looked up (refused and failed attempts too), recorded as the reader's lookup."""
        return self.lookup_page(
            actor,
            orgnr,
            Oppslagsfilter(oppslaatt=identifikator),
            leser=leser,
            foer=foer,
            limit=limit,
            ressurs=INSIGHT_FOR_PERSON,
        )

    def require_lookup_log_reader(self, actor: Actor) -> None:
        """Refuse platform operators (403): an organisation's lookup log is read by its own administrators."""
        if actor.kind is ActorKind.OPERATOR:
            raise forbidden(
                "KUN_ORGANISASJONENS_ADMINISTRATOR",
                "An organisation's lookup log is read by its own administrators; platform operators manage "
                "configuration only",
            )

    def _record_reading(self, orgnr: str, leser: Leser, identifikator: str, ressurs: str) -> None:
        now = self._clock()
        self._audit.record(
            AuditRecord(
                tidspunkt=now,
                request_id=str(uuid4()),
                orgnr=orgnr,
                rolle_id=None,
                integrasjon_id=None,
                klient_orgnr=None,
                ressurs=ressurs,
                parametre={},
                personer=(identifikator,),
                utfall="ok",
                status=200,
                kanal="admin",
                prinsipal=kjede.PERSON,
                person_foedselsnummer=leser.foedselsnummer,
                person_navn=leser.navn,
            )
        )


def _names(connection: Connection, orgnr: str) -> tuple[dict[UUID, str], dict[UUID, str]]:
    """The organisation's roles and integrations by id, named (what the log's rows are shown with)."""
    roles = {
        r.id: r.navn
        for r in connection.execute(select(rolle.c.id, rolle.c.navn).where(rolle.c.orgnr == orgnr))
    }
    integrations = {
        i.id: i.navn
        for i in connection.execute(
            select(integrasjon.c.id, integrasjon.c.navn).where(integrasjon.c.orgnr == orgnr)
        )
    }
    return roles, integrations


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
