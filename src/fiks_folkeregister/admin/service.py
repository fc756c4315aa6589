"""Use cases of the gateway's configuration, each one transaction, each change written to the change log."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from fiks_folkeregister.admin.access import role_from_row
from fiks_folkeregister.admin.errors import AdminError, bad_request, conflict, forbidden, not_found
from fiks_folkeregister.audit.log import AuditLog, AuditRecord
from fiks_folkeregister.domain.rolle import (
    RoleDefinition,
    RoleDefinitionError,
    Rolle,
    role_definition,
)
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.identity.tokens import is_orgnr
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import (
    administrator,
    endringslogg,
    integrasjon,
    organisasjon,
    rolle,
    tildeling,
)

API_KEY_PREFIX = "fiksadm_"
MAX_NAME = 200
#: The highest request rate an organisation's integrations may be given (ten times the register's rule).
MAX_REQUESTS_PER_MINUTE = 600_000
_KOMMUNENUMMER = re.compile(r"[0-9]{4}")
_FYLKESNUMMER = re.compile(r"[0-9]{2}")


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


@dataclass(frozen=True, slots=True)
class StoredRole:
    """A role with what the administrator named (`deler`, aliases kept) and when it was made and changed."""

    rolle: Rolle
    deler: tuple[str, ...]
    opprettet: datetime
    endret: datetime


@dataclass(frozen=True, slots=True)
class Integrasjon:
    """An integration as administrators see it (never its password or hash)."""

    id: UUID
    orgnr: str
    navn: str
    beskrivelse: str
    autorisert_orgnr: str
    passord_endret: datetime
    opprettet: datetime


@dataclass(frozen=True, slots=True)
class IntegrationCredentials:
    """A new password, to be shown once and never again."""

    integrasjon: Integrasjon
    passord: str


@dataclass(frozen=True, slots=True)
class Tildeling:
    integrasjon_id: UUID
    rolle_id: UUID
    orgnr: str
    opprettet: datetime
    opprettet_av: str
    tilbakekalt: datetime | None
    tilbakekalt_av: str | None


@dataclass(frozen=True, slots=True)
class Administrator:
    id: UUID
    navn: str
    orgnr: str | None  # None: a platform operator
    opprettet: datetime
    deaktivert: datetime | None


@dataclass(frozen=True, slots=True)
class AdministratorCredentials:
    """A new API key, to be shown once and never again."""

    administrator: Administrator
    api_noekkel: str


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


def hash_api_key(api_key: str) -> str:
    """SHA-256 of an API key: the keys are 256 random bits, so a fast hash is enough to store them safely."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


class AdminService:
    """Organisations, roles, integrations, grants and administrators; reading the logs."""

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

    # -- administrators and authentication -------------------------------------------------------

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

    def create_administrator(
        self, actor: Actor, navn: str, orgnr: str | None = None
    ) -> AdministratorCredentials:
        """A platform operator (`orgnr` None) or an organisation's administrator, with a new API key."""
        _require_platform(actor)
        navn = _name(navn)
        api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        now = self._clock()
        created = Administrator(id=uuid4(), navn=navn, orgnr=orgnr, opprettet=now, deaktivert=None)
        with self._engine.begin() as connection:
            if orgnr is not None:
                self._organisation_row(connection, actor, orgnr)
            connection.execute(
                insert(administrator).values(
                    id=created.id, navn=navn, orgnr=orgnr, noekkel_hash=hash_api_key(api_key), opprettet=now
                )
            )
            self._log(
                connection,
                actor,
                orgnr,
                "administrator.opprettet",
                "administrator",
                created.id,
                None,
                _administrator_json(created),
            )
        return AdministratorCredentials(administrator=created, api_noekkel=api_key)

    def list_administrators(self, actor: Actor, orgnr: str | None = None) -> list[Administrator]:
        _require_platform(actor)
        statement = select(administrator).order_by(administrator.c.opprettet)
        if orgnr is not None:
            statement = statement.where(administrator.c.orgnr == orgnr)
        with self._engine.connect() as connection:
            return [_administrator(row) for row in connection.execute(statement)]

    def deactivate_administrator(self, actor: Actor, administrator_id: UUID) -> Administrator:
        """The key stops working on the next request."""
        _require_platform(actor)
        with self._engine.begin() as connection:
            row = connection.execute(
                select(administrator).where(administrator.c.id == administrator_id)
            ).first()
            if row is None:
                raise not_found("ADMINISTRATOR_FINNES_IKKE", f"No administrator {administrator_id}")
            before = _administrator(row)
            if before.deaktivert is not None:
                return before
            after = Administrator(before.id, before.navn, before.orgnr, before.opprettet, self._clock())
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
                _administrator_json(before),
                _administrator_json(after),
            )
        return after

    # -- organisations ---------------------------------------------------------------------------

    def create_organisation(
        self,
        actor: Actor,
        orgnr: str,
        navn: str,
        kommunenummer: str | None = None,
        fylkesnummer: str | None = None,
    ) -> Organisasjon:
        """A new organisation; the county number defaults to the municipality number's first two digits."""
        _require_platform(actor)
        _orgnr(orgnr, "orgnr")
        navn = _name(navn)
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
                    _organisation_json(created),
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

    def get_organisation(self, actor: Actor, orgnr: str) -> Organisasjon:
        with self._engine.connect() as connection:
            return _organisation(self._organisation_row(connection, actor, orgnr))

    def set_request_rate(self, actor: Actor, orgnr: str, per_minute: int | None) -> Organisasjon:
        """The request rate of each of the organisation's integrations (None: the gateway's default).
        Platform operators only: the capacity it hands out is the platform's, shared by everyone."""
        _require_platform(actor)
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
                _organisation_json(before),
                _organisation_json(after),
            )
        return after

    # -- roles -----------------------------------------------------------------------------------

    def create_role(
        self,
        actor: Actor,
        orgnr: str,
        navn: str,
        rettighetspakke: str,
        bruksomraader: Iterable[str],
        deler: Iterable[str],
        beskrivelse: str = "",
    ) -> StoredRole:
        """A new role; refuses elements the rights package may not receive, naming them."""
        navn = _name(navn)
        definition = _role_definition(rettighetspakke, bruksomraader, deler)
        now = self._clock()
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
            ),
            deler=definition.deler,
            opprettet=now,
            endret=now,
        )
        try:
            with self._engine.begin() as connection:
                self._organisation_row(connection, actor, orgnr)
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
                    role_json(stored),
                )
        except IntegrityError:
            raise _role_exists(orgnr, navn) from None
        return stored

    def list_roles(self, actor: Actor, orgnr: str) -> list[StoredRole]:
        with self._engine.connect() as connection:
            self._organisation_row(connection, actor, orgnr)
            rows = connection.execute(select(rolle).where(rolle.c.orgnr == orgnr).order_by(rolle.c.navn))
            return [_stored_role(row) for row in rows]

    def get_role(self, actor: Actor, rolle_id: UUID, orgnr: str | None = None) -> StoredRole:
        with self._engine.connect() as connection:
            return _stored_role(self._role_row(connection, actor, rolle_id, orgnr))

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
    ) -> StoredRole:
        """Change what is given, keep the rest; the whole role is validated again."""
        try:
            with self._engine.begin() as connection:
                before = _stored_role(self._role_row(connection, actor, rolle_id, orgnr))
                old = before.rolle
                new_name = _name(navn) if navn is not None else old.navn
                definition = _role_definition(
                    rettighetspakke if rettighetspakke is not None else old.rettighetspakke.value,
                    bruksomraader if bruksomraader is not None else [b.value for b in old.bruksomraader],
                    deler if deler is not None else before.deler,
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
                    ),
                    deler=definition.deler,
                    opprettet=before.opprettet,
                    endret=self._clock(),
                )
                if new_name != old.navn:
                    self._refuse_duplicate_role(connection, old.orgnr, new_name, old.id)
                connection.execute(update(rolle).where(rolle.c.id == old.id).values(**_role_values(after)))
                self._log(
                    connection,
                    actor,
                    old.orgnr,
                    "rolle.endret",
                    "rolle",
                    old.id,
                    role_json(before),
                    role_json(after),
                )
        except IntegrityError:
            raise conflict("ROLLE_FINNES", f"Another role of the organisation is named {navn!r}") from None
        return after

    def delete_role(self, actor: Actor, rolle_id: UUID, orgnr: str | None = None) -> StoredRole:
        """Deletes a role no integration holds any longer (revoke its grants first)."""
        with self._engine.begin() as connection:
            before = _stored_role(self._role_row(connection, actor, rolle_id, orgnr))
            holders = (
                connection.execute(
                    select(tildeling.c.integrasjon_id).where(
                        tildeling.c.rolle_id == rolle_id, tildeling.c.tilbakekalt.is_(None)
                    )
                )
                .scalars()
                .all()
            )
            if holders:
                raise conflict(
                    "ROLLE_I_BRUK",
                    f"The role {rolle_id} is granted to {len(holders)} integration(s); revoke them first",
                    integrasjoner=[str(holder) for holder in holders],
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
                role_json(before),
                None,
            )
        return before

    # -- integrations ----------------------------------------------------------------------------

    def create_integration(
        self,
        actor: Actor,
        orgnr: str,
        navn: str,
        autorisert_orgnr: str | None = None,
        beskrivelse: str = "",
    ) -> IntegrationCredentials:
        """A new integration with a generated password (returned once, stored only as an argon2 hash)."""
        navn = _name(navn)
        autorisert = _orgnr(autorisert_orgnr, "autorisertOrgnr") if autorisert_orgnr is not None else orgnr
        password = self._passwords.new_password()
        passord_hash = self._passwords.hash(password)
        now = self._clock()
        created = Integrasjon(uuid4(), orgnr, navn, beskrivelse, autorisert, now, now)
        with self._engine.begin() as connection:
            self._organisation_row(connection, actor, orgnr)
            connection.execute(
                insert(integrasjon).values(
                    id=created.id,
                    orgnr=orgnr,
                    navn=navn,
                    beskrivelse=beskrivelse,
                    autorisert_orgnr=autorisert,
                    passord_hash=passord_hash,
                    passord_endret=now,
                    opprettet=now,
                )
            )
            self._log(
                connection,
                actor,
                orgnr,
                "integrasjon.opprettet",
                "integrasjon",
                created.id,
                None,
                integration_json(created),
            )
        return IntegrationCredentials(integrasjon=created, passord=password)

    def list_integrations(self, actor: Actor, orgnr: str) -> list[Integrasjon]:
        with self._engine.connect() as connection:
            self._organisation_row(connection, actor, orgnr)
            rows = connection.execute(
                select(integrasjon).where(integrasjon.c.orgnr == orgnr).order_by(integrasjon.c.navn)
            )
            return [_integration(row) for row in rows]

    def get_integration(self, actor: Actor, integrasjon_id: UUID, orgnr: str | None = None) -> Integrasjon:
        with self._engine.connect() as connection:
            return _integration(self._integration_row(connection, actor, integrasjon_id, orgnr))

    def rotate_password(
        self, actor: Actor, integrasjon_id: UUID, orgnr: str | None = None
    ) -> IntegrationCredentials:
        """A new password; the old one stops working on the next request (its hash is gone)."""
        password = self._passwords.new_password()
        passord_hash = self._passwords.hash(password)
        with self._engine.begin() as connection:
            before = _integration(self._integration_row(connection, actor, integrasjon_id, orgnr))
            now = self._clock()
            after = Integrasjon(
                before.id,
                before.orgnr,
                before.navn,
                before.beskrivelse,
                before.autorisert_orgnr,
                now,
                before.opprettet,
            )
            connection.execute(
                update(integrasjon)
                .where(integrasjon.c.id == integrasjon_id)
                .values(passord_hash=passord_hash, passord_endret=now)
            )
            self._log(
                connection,
                actor,
                before.orgnr,
                "integrasjon.passord_byttet",
                "integrasjon",
                before.id,
                integration_json(before),
                integration_json(after),
            )
        return IntegrationCredentials(integrasjon=after, passord=password)

    def delete_integration(self, actor: Actor, integrasjon_id: UUID, orgnr: str | None = None) -> Integrasjon:
        """Deletes an integration and its grants."""
        with self._engine.begin() as connection:
            before = _integration(self._integration_row(connection, actor, integrasjon_id, orgnr))
            roles = (
                connection.execute(
                    select(tildeling.c.rolle_id).where(
                        tildeling.c.integrasjon_id == integrasjon_id, tildeling.c.tilbakekalt.is_(None)
                    )
                )
                .scalars()
                .all()
            )
            connection.execute(delete(tildeling).where(tildeling.c.integrasjon_id == integrasjon_id))
            connection.execute(delete(integrasjon).where(integrasjon.c.id == integrasjon_id))
            snapshot = integration_json(before) | {"roller": sorted(str(role) for role in roles)}
            self._log(
                connection,
                actor,
                before.orgnr,
                "integrasjon.slettet",
                "integrasjon",
                before.id,
                snapshot,
                None,
            )
        return before

    # -- grants ----------------------------------------------------------------------------------

    def grant(
        self, actor: Actor, integrasjon_id: UUID, rolle_id: UUID, orgnr: str | None = None
    ) -> tuple[Tildeling, bool]:
        """Grants the role to the integration (same organisation only); idempotent: (grant, newly created)."""
        with self._engine.begin() as connection:
            integration = _integration(self._integration_row(connection, actor, integrasjon_id, orgnr))
            role = _stored_role(self._role_row(connection, actor, rolle_id, orgnr)).rolle
            if integration.orgnr != role.orgnr:
                raise bad_request(
                    "ROLLE_ANNEN_ORGANISASJON",
                    f"The role {rolle_id} belongs to organisation {role.orgnr} and the integration to "
                    f"{integration.orgnr}; a role can only be granted to its own organisation's integrations",
                    rolleOrgnr=role.orgnr,
                    integrasjonOrgnr=integration.orgnr,
                )
            existing = self._active_grant(connection, integrasjon_id, rolle_id)
            if existing is not None:
                return existing, False
            created = Tildeling(integrasjon_id, rolle_id, role.orgnr, self._clock(), actor.navn, None, None)
            connection.execute(
                insert(tildeling).values(
                    integrasjon_id=integrasjon_id,
                    rolle_id=rolle_id,
                    opprettet=created.opprettet,
                    opprettet_av=actor.navn,
                )
            )
            self._log(
                connection,
                actor,
                role.orgnr,
                "tildeling.opprettet",
                "tildeling",
                f"{integrasjon_id}/{rolle_id}",
                None,
                grant_json(created),
            )
        return created, True

    def revoke(
        self, actor: Actor, integrasjon_id: UUID, rolle_id: UUID, orgnr: str | None = None
    ) -> Tildeling:
        """Revokes an active grant; the next request with it is refused, in every process."""
        with self._engine.begin() as connection:
            self._integration_row(connection, actor, integrasjon_id, orgnr)
            self._role_row(connection, actor, rolle_id, orgnr)
            before = self._active_grant(connection, integrasjon_id, rolle_id)
            if before is None:
                raise not_found(
                    "TILDELING_FINNES_IKKE",
                    f"The integration {integrasjon_id} has not been granted the role {rolle_id}",
                )
            now = self._clock()
            after = Tildeling(
                before.integrasjon_id,
                before.rolle_id,
                before.orgnr,
                before.opprettet,
                before.opprettet_av,
                now,
                actor.navn,
            )
            connection.execute(
                update(tildeling)
                .where(
                    tildeling.c.integrasjon_id == integrasjon_id,
                    tildeling.c.rolle_id == rolle_id,
                    tildeling.c.tilbakekalt.is_(None),
                )
                .values(tilbakekalt=now, tilbakekalt_av=actor.navn)
            )
            self._log(
                connection,
                actor,
                before.orgnr,
                "tildeling.tilbakekalt",
                "tildeling",
                f"{integrasjon_id}/{rolle_id}",
                grant_json(before),
                grant_json(after),
            )
        return after

    def list_grants(self, actor: Actor, orgnr: str, include_revoked: bool = False) -> list[Tildeling]:
        with self._engine.connect() as connection:
            self._organisation_row(connection, actor, orgnr)
            statement = _GRANTS.where(rolle.c.orgnr == orgnr).order_by(tildeling.c.opprettet)
            if not include_revoked:
                statement = statement.where(tildeling.c.tilbakekalt.is_(None))
            return [_grant(row) for row in connection.execute(statement)]

    # -- logs ------------------------------------------------------------------------------------

    def change_log(self, actor: Actor, orgnr: str | None = None, limit: int = 1000) -> list[Endring]:
        """Configuration changes, newest first: one organisation's, or (platform only) all of them."""
        statement = select(endringslogg).order_by(endringslogg.c.tidspunkt.desc(), endringslogg.c.id.desc())
        with self._engine.connect() as connection:
            if orgnr is not None:
                self._organisation_row(connection, actor, orgnr)
                statement = statement.where(endringslogg.c.orgnr == orgnr)
            else:
                _require_platform(actor)
            return [_change(row) for row in connection.execute(statement.limit(limit))]

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

    # -- helpers ---------------------------------------------------------------------------------

    def _log(
        self,
        connection: Connection,
        actor: Actor,
        orgnr: str | None,
        handling: str,
        objekttype: str,
        objekt_id: object,
        foer: dict[str, Any] | None,
        etter: dict[str, Any] | None,
    ) -> None:
        connection.execute(
            insert(endringslogg).values(
                tidspunkt=self._clock(),
                utfoert_av=actor.navn,
                orgnr=orgnr,
                handling=handling,
                objekttype=objekttype,
                objekt_id=str(objekt_id),
                foer=foer,
                etter=etter,
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

    def _refuse_duplicate_role(
        self, connection: Connection, orgnr: str, navn: str, own_id: UUID | None
    ) -> None:
        statement = select(rolle.c.id).where(rolle.c.orgnr == orgnr, rolle.c.navn == navn)
        if own_id is not None:
            statement = statement.where(rolle.c.id != own_id)
        if connection.execute(statement).first() is not None:
            raise _role_exists(orgnr, navn)

    def _active_grant(self, connection: Connection, integrasjon_id: UUID, rolle_id: UUID) -> Tildeling | None:
        row = connection.execute(
            _GRANTS.where(
                tildeling.c.integrasjon_id == integrasjon_id,
                tildeling.c.rolle_id == rolle_id,
                tildeling.c.tilbakekalt.is_(None),
            )
        ).first()
        return _grant(row) if row is not None else None


_GRANTS = select(
    tildeling.c.integrasjon_id,
    tildeling.c.rolle_id,
    rolle.c.orgnr,
    tildeling.c.opprettet,
    tildeling.c.opprettet_av,
    tildeling.c.tilbakekalt,
    tildeling.c.tilbakekalt_av,
).join(rolle, rolle.c.id == tildeling.c.rolle_id)


def _role_definition(
    rettighetspakke: str, bruksomraader: Iterable[str], deler: Iterable[str]
) -> RoleDefinition:
    """The domain's one role validation, its refusal answered as a 400 that says what to change."""
    try:
        return role_definition(rettighetspakke, bruksomraader, deler)
    except RoleDefinitionError as error:
        raise bad_request(error.code, error.message, **error.details) from None


def _require_platform(actor: Actor) -> None:
    if actor.kind is ActorKind.ADMINISTRATOR:
        raise forbidden("KREVER_OPERATOER", "Only a platform operator may do this")


def _name(navn: str) -> str:
    cleaned = navn.strip()
    if not cleaned or len(cleaned) > MAX_NAME:
        raise bad_request("UGYLDIG_NAVN", f"A name is 1 to {MAX_NAME} characters")
    return cleaned


def _orgnr(value: str, field: str) -> str:
    if not is_orgnr(value):
        raise bad_request(
            "UGYLDIG_ORGNR",
            f"{field}: not a valid organisation number (9 digits, mod 11 check digit): {value!r}",
            felt=field,
        )
    return value


def _organisation_exists(orgnr: str) -> AdminError:
    return conflict("ORGANISASJON_FINNES", f"The organisation {orgnr} already exists", orgnr=orgnr)


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
        "endret": stored.endret,
    }


def _stored_role(row: Any) -> StoredRole:
    mapping = row._mapping
    return StoredRole(
        rolle=role_from_row(mapping),
        deler=tuple(mapping["deler"]),
        opprettet=as_utc(mapping["opprettet"]),
        endret=as_utc(mapping["endret"]),
    )


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


def _integration(row: Any) -> Integrasjon:
    return Integrasjon(
        id=row.id,
        orgnr=row.orgnr,
        navn=row.navn,
        beskrivelse=row.beskrivelse or "",
        autorisert_orgnr=row.autorisert_orgnr,
        passord_endret=as_utc(row.passord_endret),
        opprettet=as_utc(row.opprettet),
    )


def _grant(row: Any) -> Tildeling:
    return Tildeling(
        integrasjon_id=row.integrasjon_id,
        rolle_id=row.rolle_id,
        orgnr=row.orgnr,
        opprettet=as_utc(row.opprettet),
        opprettet_av=row.opprettet_av,
        tilbakekalt=as_utc(row.tilbakekalt) if row.tilbakekalt is not None else None,
        tilbakekalt_av=row.tilbakekalt_av,
    )


def _administrator(row: Any) -> Administrator:
    return Administrator(
        id=row.id,
        navn=row.navn,
        orgnr=row.orgnr,
        opprettet=as_utc(row.opprettet),
        deaktivert=as_utc(row.deaktivert) if row.deaktivert is not None else None,
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


# -- JSON snapshots (API field names; never a password, hash or key) ------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _organisation_json(org: Organisasjon) -> dict[str, Any]:
    return {
        "orgnr": org.orgnr,
        "navn": org.navn,
        "kommunenummer": org.kommunenummer,
        "fylkesnummer": org.fylkesnummer,
        "fiksOrgId": str(org.fiks_org_id) if org.fiks_org_id else None,
        "forespoerslerPerMinutt": org.forespoersler_per_minutt,
    }


def role_json(stored: StoredRole) -> dict[str, Any]:
    role = stored.rolle
    return {
        "rolleId": str(role.id),
        "orgnr": role.orgnr,
        "navn": role.navn,
        "beskrivelse": role.beskrivelse,
        "rettighetspakke": role.rettighetspakke.value,
        "bruksomraader": sorted(b.value for b in role.bruksomraader),
        "deler": list(stored.deler),
        "elementer": sorted(role.elementer),
        "historikk": role.historikk,
    }


def integration_json(integration: Integrasjon) -> dict[str, Any]:
    return {
        "integrasjonId": str(integration.id),
        "orgnr": integration.orgnr,
        "navn": integration.navn,
        "beskrivelse": integration.beskrivelse,
        "autorisertOrgnr": integration.autorisert_orgnr,
        "passordEndret": _iso(integration.passord_endret),
    }


def grant_json(grant: Tildeling) -> dict[str, Any]:
    return {
        "integrasjonId": str(grant.integrasjon_id),
        "rolleId": str(grant.rolle_id),
        "orgnr": grant.orgnr,
        "opprettet": _iso(grant.opprettet),
        "opprettetAv": grant.opprettet_av,
        "tilbakekalt": _iso(grant.tilbakekalt),
        "tilbakekaltAv": grant.tilbakekalt_av,
    }


def _administrator_json(admin: Administrator) -> dict[str, Any]:
    return {
        "administratorId": str(admin.id),
        "navn": admin.navn,
        "orgnr": admin.orgnr,
        "deaktivert": _iso(admin.deaktivert),
    }
