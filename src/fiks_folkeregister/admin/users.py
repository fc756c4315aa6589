"""Person users: an organisation's case workers, known by identity number, who use the search portal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from fiks_folkeregister.admin.base import Actor, AdminBase, require_platform, valid_name
from fiks_folkeregister.admin.errors import AdminError, bad_request, conflict, not_found
from fiks_folkeregister.admin.schemas import BrukerUt
from fiks_folkeregister.domain.identitetsnummer import InvalidIdentitetsnummer, parse_identitetsnummer
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import bruker


@dataclass(frozen=True, slots=True)
class Bruker:
    """A person user of one organisation."""

    id: UUID
    orgnr: str
    foedselsnummer: str
    navn: str
    aktiv: bool
    opprettet: datetime


def valid_foedselsnummer(value: str) -> str:
    """A fødselsnummer or d-nummer, or a 400 saying why not (length, check digits, date part)."""
    try:
        return parse_identitetsnummer(value.strip()).value
    except InvalidIdentitetsnummer as error:
        raise bad_request(
            "UGYLDIG_FOEDSELSNUMMER",
            f"foedselsnummer is not a valid fødselsnummer or d-nummer: {error.reason}",
            felt="foedselsnummer",
            grunn=error.reason,
        ) from None


class Users(AdminBase):
    """Creating, listing and deactivating an organisation's person users."""

    def create_user(self, actor: Actor, orgnr: str, foedselsnummer: str, navn: str) -> Bruker:
        """A new, active person user; one per identity number and organisation (409 for a second)."""
        fnr = valid_foedselsnummer(foedselsnummer)
        navn = valid_name(navn)
        created = Bruker(uuid4(), orgnr, fnr, navn, True, self._clock())
        try:
            with self._engine.begin() as connection:
                self._organisation_row(connection, actor, orgnr)
                if self._user_by_number(connection, orgnr, fnr) is not None:
                    raise _user_exists(orgnr)
                connection.execute(
                    insert(bruker).values(
                        id=created.id,
                        orgnr=orgnr,
                        foedselsnummer=fnr,
                        navn=navn,
                        aktiv=True,
                        opprettet=created.opprettet,
                    )
                )
                self._log(
                    connection,
                    actor,
                    orgnr,
                    "bruker.opprettet",
                    "bruker",
                    created.id,
                    None,
                    BrukerUt.of(created),
                )
        except IntegrityError:
            raise _user_exists(orgnr) from None
        return created

    def list_users(self, actor: Actor, orgnr: str | None = None) -> list[Bruker]:
        """One organisation's person users, or (platform only) every organisation's."""
        statement = select(bruker).order_by(bruker.c.orgnr, bruker.c.navn, bruker.c.opprettet)
        with self._engine.connect() as connection:
            if orgnr is not None:
                self._organisation_row(connection, actor, orgnr)
                statement = statement.where(bruker.c.orgnr == orgnr)
            else:
                require_platform(actor)
            return [user_of(row) for row in connection.execute(statement)]

    def get_user(self, actor: Actor, bruker_id: UUID, orgnr: str | None = None) -> Bruker:
        with self._engine.connect() as connection:
            return user_of(self._user_row(connection, actor, bruker_id, orgnr))

    def find_user(self, actor: Actor, orgnr: str, foedselsnummer: str) -> Bruker:
        """The organisation's user with this identity number, or 404."""
        fnr = valid_foedselsnummer(foedselsnummer)
        with self._engine.connect() as connection:
            self._organisation_row(connection, actor, orgnr)
            row = self._user_by_number(connection, orgnr, fnr)
        if row is None:
            raise _no_user(orgnr)
        return user_of(row)

    def deactivate_user(self, actor: Actor, bruker_id: UUID, orgnr: str | None = None) -> Bruker:
        """The user can no longer act in any role, from the next request on (their grants are kept)."""
        return self._set_user_active(actor, bruker_id, orgnr, False)

    def activate_user(self, actor: Actor, bruker_id: UUID, orgnr: str | None = None) -> Bruker:
        """A deactivated user may act again in the roles still granted them, from the next request on."""
        return self._set_user_active(actor, bruker_id, orgnr, True)

    def _set_user_active(self, actor: Actor, bruker_id: UUID, orgnr: str | None, aktiv: bool) -> Bruker:
        """One transaction: the user's state changed and logged; already so, nothing is written."""
        with self._engine.begin() as connection:
            before = user_of(self._user_row(connection, actor, bruker_id, orgnr))
            if before.aktiv == aktiv:
                return before
            after = Bruker(
                before.id, before.orgnr, before.foedselsnummer, before.navn, aktiv, before.opprettet
            )
            connection.execute(update(bruker).where(bruker.c.id == bruker_id).values(aktiv=aktiv))
            self._log(
                connection,
                actor,
                before.orgnr,
                "bruker.aktivert" if aktiv else "bruker.deaktivert",
                "bruker",
                before.id,
                BrukerUt.of(before),
                BrukerUt.of(after),
            )
        return after

    @staticmethod
    def _user_by_number(connection: Connection, orgnr: str, foedselsnummer: str) -> Any:
        return connection.execute(
            select(bruker).where(bruker.c.orgnr == orgnr, bruker.c.foedselsnummer == foedselsnummer)
        ).first()


def user_of(row: Any) -> Bruker:
    """A stored person-user row as a `Bruker`."""
    return Bruker(row.id, row.orgnr, row.foedselsnummer, row.navn, bool(row.aktiv), as_utc(row.opprettet))


def _user_exists(orgnr: str) -> AdminError:
    return conflict(
        "BRUKER_FINNES", f"The organisation {orgnr} already has a person user with this identity number"
    )


def _no_user(orgnr: str) -> AdminError:
    return not_found(
        "BRUKER_FINNES_IKKE", f"The organisation {orgnr} has no person user with this identity number"
    )
