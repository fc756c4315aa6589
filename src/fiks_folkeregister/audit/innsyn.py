"""A person's right to know who looked them up (Folkeregisterloven § 10-1, GDPR art. 15).

`Innsyn.report` gathers every lookup that gave out data about a person, under any identity number the
person has had, across organisations (the platform operator) or within one (its administrator). What the
report says of each lookup: the organisation, its role (name and usage areas), the channel, when, and the
information elements given. Never which case worker or integration asked, and never whom else a lookup
returned. Refusals and failures are left out: nothing was given.

The person's earlier identity numbers are asked of the register through the upstream port; that lookup is
itself recorded in the audit log (channel `innsyn`) under the organisation answering the request.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, select

from fiks_folkeregister.audit.log import AuditLog, AuditRecord
from fiks_folkeregister.domain.identitetsnummer import is_valid
from fiks_folkeregister.domain.informasjonselementer import (
    IDENTIFIKASJONSNUMMER,
    Rettighetspakke,
    UnknownPartError,
    parse_parts,
)
from fiks_folkeregister.domain.rollepolicy import identifiers_of
from fiks_folkeregister.gateway.resources import RESOURCES, Identifikatorer
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import oppslagslogg, oppslagslogg_person, organisasjon, rolle
from fiks_folkeregister.upstream.delegation import on_behalf_of
from fiks_folkeregister.upstream.port import Upstream, UpstreamError

#: Resources whose answers hold identity numbers only (searches, extract batches).
_NUMBERS_ONLY = frozenset(r.name for r in RESOURCES if isinstance(r.answer, Identifikatorer))
HISTORY_LOOKUP = "GET personer/{personidentifikator}"
HISTORY_PARTS = (IDENTIFIKASJONSNUMMER, "historikk")


class InvalidIdentityNumberError(ValueError):
    """Not a fødselsnummer or d-nummer."""


@dataclass(frozen=True, slots=True)
class Innsynsoppslag:
    """One lookup that gave out data about the person, as the person is told about it."""

    tidspunkt: datetime
    orgnr: str
    organisasjon: str
    rolle: str | None  # None: the role has since been deleted, or the platform answered insight
    bruksomraader: tuple[str, ...]
    kanal: str
    elementer: tuple[str, ...]
    identifikator: str  # which of the person's numbers the lookup gave out

    def to_json(self) -> dict[str, Any]:
        return {
            "tidspunkt": self.tidspunkt.isoformat(),
            "orgnr": self.orgnr,
            "organisasjon": self.organisasjon,
            "rolle": self.rolle,
            "bruksomraader": list(self.bruksomraader),
            "kanal": self.kanal,
            "elementer": list(self.elementer),
            "identifikator": self.identifikator,
        }


@dataclass(frozen=True, slots=True)
class Innsynsrapport:
    identifikatorer: tuple[str, ...]  # the person's numbers, current first
    orgnr: str | None  # the one organisation the report is limited to, if any
    laget: datetime
    oppslag: tuple[Innsynsoppslag, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "identifikatorer": list(self.identifikatorer),
            "orgnr": self.orgnr,
            "laget": self.laget.isoformat(),
            "oppslag": [entry.to_json() for entry in self.oppslag],
        }


class Innsyn:
    """Answers requests for insight: the person's numbers through the port, the lookups from the log."""

    def __init__(self, engine: Engine, audit: AuditLog, upstream: Upstream, platform_orgnr: str) -> None:
        self._engine = engine
        self._audit = audit
        self._upstream = upstream
        self._platform_orgnr = platform_orgnr

    def report(
        self, identifikator: str, *, orgnr: str | None = None, asked_by: str | None = None
    ) -> Innsynsrapport:
        """Every lookup of the person (within `orgnr` if given). `asked_by`: the organisation answering
        the request (the platform's by default), under which the register lookup is recorded."""
        if not is_valid(identifikator):
            raise InvalidIdentityNumberError(f"{identifikator!r} is not a fødselsnummer or d-nummer")
        numbers = self.identity_numbers(identifikator, asked_by or self._platform_orgnr)
        return Innsynsrapport(
            identifikatorer=tuple(numbers),
            orgnr=orgnr,
            laget=datetime.now(UTC),
            oppslag=tuple(lookups_of(self._engine, numbers, orgnr)),
        )

    def identity_numbers(self, identifikator: str, asked_by: str) -> list[str]:
        """The person's numbers, current first, as the register knows them (recorded as `asked_by`'s lookup)."""
        started = datetime.now(UTC)
        parametre = {"personidentifikator": identifikator, "part": list(HISTORY_PARTS)}
        try:
            with on_behalf_of(asked_by):
                document = self._upstream.person(
                    Rettighetspakke.OFFENTLIG_MED_HJEMMEL, identifikator, list(HISTORY_PARTS)
                )
        except UpstreamError as error:
            self._record(started, asked_by, parametre, [], "feil", error.status, error.feilkode)
            if error.status == 404:
                return [identifikator]  # unknown to the register: its own lookups are all there are
            raise
        numbers = identifiers_of(document)
        self._record(started, asked_by, parametre, numbers, "ok", 200, None)
        return list(dict.fromkeys([*numbers, identifikator]))

    def _record(
        self,
        started: datetime,
        orgnr: str,
        parametre: dict[str, Any],
        personer: list[str],
        utfall: str,
        status: int,
        feilkode: str | None,
    ) -> None:
        self._audit.record(
            AuditRecord(
                tidspunkt=started,
                request_id=str(uuid.uuid4()),
                orgnr=orgnr,
                rolle_id=None,
                integrasjon_id=None,
                klient_orgnr=None,
                ressurs=HISTORY_LOOKUP,
                parametre=parametre,
                personer=personer,
                utfall=utfall,
                status=status,
                feilkode=feilkode,
                kanal="innsyn",
            )
        )


def lookups_of(engine: Engine, numbers: Sequence[str], orgnr: str | None = None) -> list[Innsynsoppslag]:
    """Successful lookups that returned any of `numbers`, oldest first, one entry per lookup."""
    statement = (
        select(
            oppslagslogg.c.id,
            oppslagslogg.c.tidspunkt,
            oppslagslogg.c.orgnr,
            oppslagslogg.c.ressurs,
            oppslagslogg.c.parametre,
            oppslagslogg.c.kanal,
            oppslagslogg_person.c.identifikator,
            organisasjon.c.navn.label("organisasjon"),
            rolle.c.navn.label("rolle"),
            rolle.c.bruksomraader,
            rolle.c.elementer,
        )
        .join(oppslagslogg_person, oppslagslogg_person.c.oppslag_id == oppslagslogg.c.id)
        .outerjoin(organisasjon, organisasjon.c.orgnr == oppslagslogg.c.orgnr)
        .outerjoin(rolle, and_(rolle.c.id == oppslagslogg.c.rolle_id, rolle.c.orgnr == oppslagslogg.c.orgnr))
        .where(oppslagslogg_person.c.identifikator.in_(list(numbers)), oppslagslogg.c.utfall == "ok")
        .order_by(oppslagslogg.c.tidspunkt, oppslagslogg.c.id, oppslagslogg_person.c.posisjon)
    )
    if orgnr is not None:
        statement = statement.where(oppslagslogg.c.orgnr == orgnr)
    found: dict[int, Innsynsoppslag] = {}
    with engine.connect() as connection:
        for row in connection.execute(statement):
            if row.id in found or row.orgnr is None:
                continue
            found[row.id] = Innsynsoppslag(
                tidspunkt=as_utc(row.tidspunkt),
                orgnr=row.orgnr,
                organisasjon=row.organisasjon or row.orgnr,
                rolle=row.rolle,
                bruksomraader=tuple(sorted(row.bruksomraader or ())),
                kanal=row.kanal,
                elementer=elements_given(row.ressurs, row.parametre, row.elementer),
                identifikator=row.identifikator,
            )
    return list(found.values())


def elements_given(ressurs: str, parametre: Any, role_elements: Sequence[str] | None) -> tuple[str, ...]:
    """The information elements a lookup gave out, from what it asked for.

    Searches and extract batches give identity numbers only; a lookup with `part` gave those parts
    (aliases expanded; the gateway refuses parts outside the role); one without gave the role's elements
    (as the role is now: the log does not record the role as it was).
    """
    if ressurs in _NUMBERS_ONLY:
        return (IDENTIFIKASJONSNUMMER,)
    parts = parametre.get("part") if isinstance(parametre, dict) else None
    if isinstance(parts, str):
        parts = [parts]
    if parts:
        try:
            return tuple(sorted(parse_parts(parts).elements))
        except UnknownPartError:
            return tuple(sorted(str(part) for part in parts))
    return tuple(sorted({*(role_elements or ()), IDENTIFIKASJONSNUMMER}))
