"""Searching one organisation's lookup log: filters, and stable pages newest first.

The administration pages' lookup log and a person's insight both read through `search`. Every query is
bound to one organisation (`orgnr`): another organisation's records are never returned, whatever the
filters say.

Paging is by key, not by offset: a page ends at a `Sidemerke` (the last record's time and row id), and the
next page starts strictly after it in the order (time, id) descending. Records written while someone pages
only ever join the top, so no record moves between pages, none is shown twice and none is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Engine, Text, and_, cast, or_, select, union_all

from fiks_folkeregister.audit.log import UTFALL, AuditRecord, read_records
from fiks_folkeregister.domain.identitetsnummer import is_valid
from fiks_folkeregister.storage.tables import oppslagslogg, oppslagslogg_person

#: A page holds at most this many records.
MAX_PAGE = 500


class InvalidFilterError(ValueError):
    """A filter a user cannot search by: a machine code and what to change."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Oppslagsfilter:
    """What to look for; every field given narrows the search (None: any)."""

    fra: datetime | None = None  # inclusive
    til: datetime | None = None  # exclusive
    rolle_id: UUID | None = None
    #: Who asked: an integration, or a person (a case worker) by identity number; at most one of the two.
    integrasjon_id: UUID | None = None
    person_foedselsnummer: str | None = None
    #: The person looked up: records that returned the person, or whose parameters name the number.
    oppslaatt: str | None = None
    utfall: str | None = None
    ressurs: str | None = None

    def __post_init__(self) -> None:
        for moment in (self.fra, self.til):
            if moment is not None and moment.tzinfo is None:
                raise InvalidFilterError("UGYLDIG_TIDSPUNKT", "time filters must be timezone-aware")
        if self.fra is not None and self.til is not None and self.fra >= self.til:
            raise InvalidFilterError("UGYLDIG_TIDSROM", "'fra' must be before 'til'")
        if self.integrasjon_id is not None and self.person_foedselsnummer is not None:
            raise InvalidFilterError("UGYLDIG_PRINSIPAL", "filter by an integration or by a person, not both")
        for number in (self.oppslaatt, self.person_foedselsnummer):
            if number is not None and not is_valid(number):
                raise InvalidFilterError("UGYLDIG_IDENTIFIKASJONSNUMMER", "not a fødselsnummer or d-nummer")
        if self.utfall is not None and self.utfall not in UTFALL:
            raise InvalidFilterError("UGYLDIG_UTFALL", f"utfall is one of {', '.join(sorted(UTFALL))}")


@dataclass(frozen=True, slots=True, order=True)
class Sidemerke:
    """Where a page ends (or starts): a record's time and row id. Its text form goes in page links."""

    tidspunkt: datetime
    id: int

    def tekst(self) -> str:
        moment = self.tidspunkt.astimezone(UTC)
        micros = (moment - _EPOCH) // _MICROSECOND
        return f"{micros}-{self.id}"

    @classmethod
    def les(cls, tekst: str) -> Sidemerke:
        """The mark a link carried; InvalidFilterError when the text is not one."""
        micros, _, ident = tekst.partition("-")
        if not (micros.isascii() and micros.isdigit() and ident.isascii() and ident.isdigit()):
            raise InvalidFilterError("UGYLDIG_SIDE", "not a page of the lookup log")
        if len(micros) > 17 or len(ident) > 19:
            raise InvalidFilterError("UGYLDIG_SIDE", "not a page of the lookup log")
        return cls(_EPOCH + int(micros) * _MICROSECOND, int(ident))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - _EPOCH


@dataclass(frozen=True, slots=True)
class Oppslag:
    """One record as a page shows it, with its row id (what a page mark is made of)."""

    id: int
    record: AuditRecord

    @property
    def sidemerke(self) -> Sidemerke:
        return Sidemerke(self.record.tidspunkt, self.id)


@dataclass(frozen=True, slots=True)
class Oppslagsside:
    """One page, newest first, and the marks of the pages before and after it (None: there is none)."""

    oppslag: tuple[Oppslag, ...]
    nyere: Sidemerke | None  # show the newer page: `etter=nyere`
    eldre: Sidemerke | None  # show the older page: `foer=eldre`


def search(
    engine: Engine,
    orgnr: str,
    filter: Oppslagsfilter,
    *,
    foer: Sidemerke | None = None,
    etter: Sidemerke | None = None,
    limit: int = 50,
) -> Oppslagsside:
    """One page of the organisation's records that match `filter`, newest first.

    Without a mark: the newest page. `foer`: the page of records just older than the mark; `etter`: the
    page just newer than it (at most one of the two).
    """
    if foer is not None and etter is not None:
        raise InvalidFilterError("UGYLDIG_SIDE", "a page is before one mark or after one, not both")
    limit = max(1, min(limit, MAX_PAGE))
    log = oppslagslogg.c
    statement = select(oppslagslogg).where(log.orgnr == orgnr, *_conditions(orgnr, filter))
    if etter is None:
        if foer is not None:
            statement = statement.where(_older_than(foer))
        statement = statement.order_by(log.tidspunkt.desc(), log.id.desc())
    else:
        statement = statement.where(_newer_than(etter)).order_by(log.tidspunkt.asc(), log.id.asc())
    with engine.connect() as connection:
        found = [
            Oppslag(ident, record) for ident, record in read_records(connection, statement.limit(limit + 1))
        ]
    more = len(found) > limit
    found = found[:limit]
    if etter is not None:
        found.reverse()
        newer_exists, older_exists = more, True
    else:
        newer_exists, older_exists = foer is not None, more
    return Oppslagsside(
        oppslag=tuple(found),
        nyere=found[0].sidemerke if found and newer_exists else None,
        eldre=found[-1].sidemerke if found and older_exists else None,
    )


def _conditions(orgnr: str, filter: Oppslagsfilter) -> list[ColumnElement[bool]]:
    log = oppslagslogg.c
    conditions: list[ColumnElement[bool]] = []
    if filter.fra is not None:
        conditions.append(log.tidspunkt >= filter.fra.astimezone(UTC))
    if filter.til is not None:
        conditions.append(log.tidspunkt < filter.til.astimezone(UTC))
    if filter.rolle_id is not None:
        conditions.append(log.rolle_id == filter.rolle_id)
    if filter.integrasjon_id is not None:
        conditions.append(log.integrasjon_id == filter.integrasjon_id)
    if filter.person_foedselsnummer is not None:
        conditions.append(log.person_foedselsnummer == filter.person_foedselsnummer)
    if filter.oppslaatt is not None:
        conditions.append(_about_person(orgnr, filter.oppslaatt))
    if filter.utfall is not None:
        conditions.append(log.utfall == filter.utfall)
        if filter.utfall != "ok":  # stated, so that SQLite too takes the partial index of such records
            conditions.append(log.utfall != "ok")
    if filter.ressurs is not None:
        conditions.append(log.ressurs == filter.ressurs)
    return conditions


def _about_person(orgnr: str, identifikator: str) -> ColumnElement[bool]:
    """The organisation's records about the person: those that returned the person (indexed by person), and
    the refused and failed ones whose parameters name the number (`audit.log.about_person`'s rule; read
    from the organisation's records that were not ok only, a partial index of its own). A successful lookup
    is found by the persons it returned. One set of row ids, so the planner fetches them by key instead of
    walking every record of the organisation."""
    log = oppslagslogg.c
    returned = select(oppslagslogg_person.c.oppslag_id).where(
        oppslagslogg_person.c.identifikator == identifikator
    )
    named = select(log.id).where(
        log.orgnr == orgnr,
        log.utfall != "ok",
        cast(log.parametre, Text).like(f'%"{identifikator}"%'),
    )
    return log.id.in_(union_all(returned, named))


def _older_than(mark: Sidemerke) -> ColumnElement[bool]:
    log = oppslagslogg.c
    moment = mark.tidspunkt.astimezone(UTC)
    return or_(log.tidspunkt < moment, and_(log.tidspunkt == moment, log.id < mark.id))


def _newer_than(mark: Sidemerke) -> ColumnElement[bool]:
    log = oppslagslogg.c
    moment = mark.tidspunkt.astimezone(UTC)
    return or_(log.tidspunkt > moment, and_(log.tidspunkt == moment, log.id > mark.id))


def parts_asked(record: AuditRecord) -> tuple[str, ...]:
    """The `part` values a lookup named, as recorded (empty: none named)."""
    parametre: Any = record.parametre
    parts = parametre.get("part") if isinstance(parametre, dict) else None
    if isinstance(parts, str):
        return (parts,)
    if isinstance(parts, list):
        return tuple(str(part) for part in parts)
    return ()
