"""What the gateway needs to know per request: the principal (an integration or a person user), the role
and whether it is granted; and who administers as a person."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, and_, bindparam, exists, literal_column, select

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.rolle import SOEK_WEB, Bruksomraade, Rolle
from fiks_folkeregister.storage.compiled import AsyncConnections, CompiledSelect
from fiks_folkeregister.storage.tables import (
    administrator,
    bruker,
    integrasjon,
    organisasjon,
    rolle,
    tildeling,
    tilgangsversjon,
)

#: What `person_administrator` returns for a platform operator (an administrator of no one organisation).
PLATFORM = "platform"


@dataclass(frozen=True, slots=True)
class IntegrationRecord:
    """An integration as the gateway authenticates it."""

    id: UUID
    orgnr: str
    autorisert_orgnr: str
    navn: str
    passord_hash: str


@dataclass(frozen=True, slots=True)
class AccessLookup:
    """May this integration use this role? With what the gateway needs to explain a refusal."""

    integration: IntegrationRecord | None
    role: Rolle | None
    granted: bool
    #: The integration's organisation's request rate per integration (None: the gateway's default).
    forespoersler_per_minutt: int | None = None
    #: The access version this was read at (`tilgangsversjon`, read in the same statement).
    tilgangsversjon: int = 0


@dataclass(frozen=True, slots=True)
class PersonUser:
    """A person user (a case worker) of one organisation, as the portal authenticates them."""

    id: UUID
    orgnr: str
    foedselsnummer: str
    navn: str
    aktiv: bool


@dataclass(frozen=True, slots=True)
class PersonLookup:
    """May this person use this role in the portal? With what is needed to explain a refusal.

    `granted` only when the user is active, the grant active and the role carries `soekWeb`.
    """

    user: PersonUser | None
    role: Rolle | None
    granted: bool


def role_from_row(row: Mapping[str, Any]) -> Rolle:
    """A stored role as the domain's `Rolle`."""
    return Rolle(
        id=row["id"],
        orgnr=row["orgnr"],
        navn=row["navn"],
        rettighetspakke=Rettighetspakke(row["rettighetspakke"]),
        bruksomraader=frozenset(Bruksomraade(value) for value in row["bruksomraader"]),
        elementer=frozenset(row["elementer"]),
        historikk=bool(row["historikk"]),
        beskrivelse=row["beskrivelse"] or "",
        gyldighet=frozenset(row["gyldighet"]),
        fiks_org_id=row.get("fiks_org_id"),
        aktiv=bool(row.get("aktiv", True)),
    )


_ROLE_COLUMNS = (
    rolle.c.id,
    rolle.c.orgnr,
    rolle.c.navn,
    rolle.c.rettighetspakke,
    rolle.c.bruksomraader,
    rolle.c.elementer,
    rolle.c.historikk,
    rolle.c.beskrivelse,
    rolle.c.gyldighet,
    rolle.c.aktiv,
    organisasjon.c.fiks_org_id,
)
_ONE_ROW = select(literal_column("1").label("one")).subquery("one_row")
_INTEGRATION_ID = bindparam("integrasjon_id", type_=integrasjon.c.id.type)
_ROLE_ID = bindparam("rolle_id", type_=rolle.c.id.type)
_INTEGRATION_ORGANISATION = organisasjon.alias("integrasjon_organisasjon")
_LOOKUP = select(
    integrasjon.c.id.label("i_id"),
    integrasjon.c.orgnr.label("i_orgnr"),
    integrasjon.c.autorisert_orgnr.label("i_autorisert_orgnr"),
    integrasjon.c.navn.label("i_navn"),
    integrasjon.c.passord_hash.label("i_passord_hash"),
    *_ROLE_COLUMNS,
    _INTEGRATION_ORGANISATION.c.forespoersler_per_minutt,
    exists()
    .where(
        and_(
            tildeling.c.integrasjon_id == _INTEGRATION_ID,
            tildeling.c.rolle_id == _ROLE_ID,
            tildeling.c.tilbakekalt.is_(None),
        )
    )
    .label("granted"),
    select(tilgangsversjon.c.versjon)
    .where(tilgangsversjon.c.id == literal_column("1"))
    .scalar_subquery()
    .label("tilgangsversjon"),
).select_from(
    _ONE_ROW.outerjoin(integrasjon, integrasjon.c.id == _INTEGRATION_ID)
    .outerjoin(_INTEGRATION_ORGANISATION, _INTEGRATION_ORGANISATION.c.orgnr == integrasjon.c.orgnr)
    .outerjoin(rolle, rolle.c.id == _ROLE_ID)
    .outerjoin(organisasjon, organisasjon.c.orgnr == rolle.c.orgnr)
)


_USER_COLUMNS = (
    bruker.c.id.label("b_id"),
    bruker.c.orgnr.label("b_orgnr"),
    bruker.c.foedselsnummer.label("b_foedselsnummer"),
    bruker.c.navn.label("b_navn"),
    bruker.c.aktiv.label("b_aktiv"),
)
_PERSON_ROLES = (
    select(*_USER_COLUMNS, *_ROLE_COLUMNS)
    .select_from(
        bruker.join(tildeling, tildeling.c.bruker_id == bruker.c.id)
        .join(rolle, and_(rolle.c.id == tildeling.c.rolle_id, rolle.c.orgnr == bruker.c.orgnr))
        .join(organisasjon, organisasjon.c.orgnr == rolle.c.orgnr)
    )
    .where(
        bruker.c.foedselsnummer == bindparam("foedselsnummer"),
        bruker.c.aktiv.is_(True),
        rolle.c.aktiv.is_(True),
        tildeling.c.tilbakekalt.is_(None),
    )
    .order_by(bruker.c.orgnr, rolle.c.navn)
)
_FOEDSELSNUMMER = bindparam("foedselsnummer", type_=bruker.c.foedselsnummer.type)
_PERSON_LOOKUP = select(
    *_USER_COLUMNS,
    *_ROLE_COLUMNS,
    exists()
    .where(
        and_(
            tildeling.c.bruker_id == bruker.c.id,
            tildeling.c.rolle_id == _ROLE_ID,
            tildeling.c.tilbakekalt.is_(None),
        )
    )
    .label("granted"),
).select_from(
    _ONE_ROW.outerjoin(rolle, rolle.c.id == _ROLE_ID)
    .outerjoin(organisasjon, organisasjon.c.orgnr == rolle.c.orgnr)
    .outerjoin(bruker, and_(bruker.c.orgnr == rolle.c.orgnr, bruker.c.foedselsnummer == _FOEDSELSNUMMER))
)


def _access_lookup(mapping: Mapping[str, Any]) -> AccessLookup:
    """The lookup's one row as integration, role and grant."""
    integration = (
        IntegrationRecord(
            id=mapping["i_id"],
            orgnr=mapping["i_orgnr"],
            autorisert_orgnr=mapping["i_autorisert_orgnr"],
            navn=mapping["i_navn"],
            passord_hash=mapping["i_passord_hash"],
        )
        if mapping["i_id"] is not None
        else None
    )
    role = role_from_row(mapping) if mapping["id"] is not None else None
    return AccessLookup(
        integration=integration,
        role=role,
        granted=bool(mapping["granted"]),
        forespoersler_per_minutt=mapping["forespoersler_per_minutt"],
        tilgangsversjon=mapping["tilgangsversjon"],
    )


def _user(mapping: Mapping[str, Any]) -> PersonUser:
    return PersonUser(
        id=mapping["b_id"],
        orgnr=mapping["b_orgnr"],
        foedselsnummer=mapping["b_foedselsnummer"],
        navn=mapping["b_navn"],
        aktiv=bool(mapping["b_aktiv"]),
    )


class AccessDirectory:
    """Reads integration, role and grant in one database round trip, uncached, with the access version
    (`tilgangsversjon`) in the same statement.

    The directory keeps nothing. The gateway may keep an integration's read for its single lookups
    (`gateway.access.AccessControl.look_up_ahead`) because every answer built on it is checked against the
    access version where its audit record is stored, so a revocation still takes effect on the next request
    in every process that shares the database.
    The two per-request queries are compiled once and run on the driver's connection (`CompiledSelect`).
    On PostgreSQL an integration's lookup can also be made on the event loop without blocking it
    (`asynchronous`, `lookup_async`).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connections = AsyncConnections(engine) if engine.dialect.name == "postgresql" else None
        self._lookup = CompiledSelect(engine, _LOOKUP, self._connections)
        self._person_lookup = CompiledSelect(engine, _PERSON_LOOKUP)

    @property
    def asynchronous(self) -> bool:
        """Whether `lookup_async` reads without blocking the event loop (PostgreSQL)."""
        return self._lookup.asynchronous

    def lookup(self, integrasjon_id: UUID, rolle_id: UUID) -> AccessLookup:
        """ONE database round trip, uncached: a revocation counts on the next request in every process."""
        return _access_lookup(self._lookup.one(integrasjon_id=integrasjon_id, rolle_id=rolle_id))

    async def lookup_async(self, integrasjon_id: UUID, rolle_id: UUID) -> AccessLookup:
        """`lookup` on the event loop, without blocking it (only where `asynchronous`)."""
        return _access_lookup(await self._lookup.one_async(integrasjon_id=integrasjon_id, rolle_id=rolle_id))

    async def close_async(self) -> None:
        """Close this event loop's asynchronous connections (at shutdown)."""
        if self._connections is not None:
            await self._connections.close()

    def person_roles(self, foedselsnummer: str, gyldighet: str = SOEK_WEB) -> list[tuple[PersonUser, Rolle]]:
        """The active roles this person holds, as an active user of each organisation, by active grants, that
        may be used where asked (`gyldighet`); by organisation and role name. Uncached, as every lookup here
        (a deactivated role drops out at the next call)."""
        with self._engine.connect() as connection:
            rows = connection.execute(_PERSON_ROLES, {"foedselsnummer": foedselsnummer}).all()
        found = []
        for row in rows:
            mapping = row._mapping
            role = role_from_row(mapping)
            if gyldighet in role.gyldighet:
                found.append((_user(mapping), role))
        return found

    def person_lookup(self, foedselsnummer: str, rolle_id: UUID) -> PersonLookup:
        """May this person use this role in the search portal, now? ONE round trip, uncached (a revocation
        counts at once): the role (None: no such role), the person's user in the role's organisation (None:
        not a user there), and `granted` only when that user is active, the grant active and the role
        carries `soekWeb`. Whether the role is active is `role.aktiv` (the caller refuses a deactivated one
        with its own code)."""
        mapping = self._person_lookup.one(foedselsnummer=foedselsnummer, rolle_id=rolle_id)
        role = role_from_row(mapping) if mapping["id"] is not None else None
        user = _user(mapping) if mapping["b_id"] is not None else None
        granted = (
            user is not None
            and user.aktiv
            and role is not None
            and SOEK_WEB in role.gyldighet
            and bool(mapping["granted"])
        )
        return PersonLookup(user=user, role=role, granted=granted)

    def person_administrator(self, foedselsnummer: str) -> list[str]:
        """What this person administers (active person administrators): organisation numbers, and
        `PLATFORM` for a platform operator. Empty: not an administrator."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(administrator.c.orgnr)
                .where(
                    administrator.c.foedselsnummer == foedselsnummer,
                    administrator.c.deaktivert.is_(None),
                )
                .order_by(administrator.c.orgnr)
            ).all()
        return sorted({row.orgnr if row.orgnr is not None else PLATFORM for row in rows})
