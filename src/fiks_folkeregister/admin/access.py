"""What the gateway needs to know per request: the integration, the role and whether it is granted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, and_, bindparam, exists, literal_column, select

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.storage.tables import integrasjon, organisasjon, rolle, tildeling


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
        fiks_org_id=row.get("fiks_org_id"),
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
    rolle.c.id,
    rolle.c.orgnr,
    rolle.c.navn,
    rolle.c.rettighetspakke,
    rolle.c.bruksomraader,
    rolle.c.elementer,
    rolle.c.historikk,
    rolle.c.beskrivelse,
    organisasjon.c.fiks_org_id,
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
).select_from(
    _ONE_ROW.outerjoin(integrasjon, integrasjon.c.id == _INTEGRATION_ID)
    .outerjoin(_INTEGRATION_ORGANISATION, _INTEGRATION_ORGANISATION.c.orgnr == integrasjon.c.orgnr)
    .outerjoin(rolle, rolle.c.id == _ROLE_ID)
    .outerjoin(organisasjon, organisasjon.c.orgnr == rolle.c.orgnr)
)


class AccessDirectory:
    """Reads integration, role and grant in one database round trip, uncached.

    No caching, so a revocation takes effect on the next request in every process that shares the database.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def lookup(self, integrasjon_id: UUID, rolle_id: UUID) -> AccessLookup:
        """ONE database round trip, uncached: a revocation counts on the next request in every process."""
        with self._engine.connect() as connection:
            row = connection.execute(_LOOKUP, {"integrasjon_id": integrasjon_id, "rolle_id": rolle_id}).one()
        mapping = row._mapping
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
        )
