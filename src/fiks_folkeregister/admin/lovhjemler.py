"""The catalogue of legal bases (`lovhjemler`) a role's legal basis is chosen from, per service area: read by
everyone, kept by the platform operator (add, change, remove). A fresh installation starts from
`domain/tjenesteomrade.STANDARD_LOVHJEMLER` (migration g0009). A role keeps the text and links it chose, so
changing or removing an entry changes no role."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from fiks_folkeregister.admin.base import Actor, AdminBase, require_platform
from fiks_folkeregister.admin.errors import bad_request, conflict, not_found
from fiks_folkeregister.domain.rolle import RoleDefinitionError, role_area
from fiks_folkeregister.domain.tjenesteomrade import Lovhjemmel, TjenesteOmrade, lovhjemler_for
from fiks_folkeregister.storage.tables import lovhjemmel as lovhjemmel_table

MAX_BESKRIVELSE = 300
MAX_URLER = 10
MAX_URL = 500
_URL = re.compile(r"https?://[^\s]+")


@dataclass(frozen=True, slots=True)
class Katalogoppfoering:
    """One entry of the catalogue: its id (for changing and removing it) and the legal basis."""

    id: int
    lovhjemmel: Lovhjemmel


class Lovhjemler(AdminBase):
    """Reading the catalogue (every actor: it names laws, nobody's data) and keeping it (operators only)."""

    def list_lovhjemler(self, omrade: str | None = None) -> list[Lovhjemmel]:
        """Every legal basis, or those serving one service area (an unknown area: 400 naming the valid)."""
        return [entry.lovhjemmel for entry in self.list_lovhjemmel_katalog(omrade)]

    def list_lovhjemmel_katalog(self, omrade: str | None = None) -> list[Katalogoppfoering]:
        """The catalogue's entries with their ids, in the order they were added; optionally one area's."""
        area = _area(omrade) if omrade is not None else None
        with self._engine.connect() as connection:
            entries = _entries(connection)
        if area is None:
            return entries
        wanted = set(lovhjemler_for(tuple(e.lovhjemmel for e in entries), area))
        return [entry for entry in entries if entry.lovhjemmel in wanted]

    def create_lovhjemmel(
        self, actor: Actor, beskrivelse: str, omrader: Iterable[str], urler: Iterable[str] = ()
    ) -> Katalogoppfoering:
        """Adds a legal basis (platform operators only; its text unique: 409 `LOVHJEMMEL_FINNES`)."""
        require_platform(actor)
        made = _valid(beskrivelse, omrader, urler)
        now = self._clock()
        try:
            with self._engine.begin() as connection:
                self._refuse_duplicate(connection, made.beskrivelse, None)
                new_id = connection.execute(
                    insert(lovhjemmel_table).values(**_values(made), opprettet=now, endret=now)
                ).inserted_primary_key[0]
                entry = Katalogoppfoering(int(new_id), made)
                self._log(
                    connection,
                    actor,
                    None,
                    "lovhjemmel.opprettet",
                    "lovhjemmel",
                    entry.id,
                    None,
                    _json(entry),
                )
        except IntegrityError:
            raise _exists(made.beskrivelse) from None
        return entry

    def update_lovhjemmel(
        self,
        actor: Actor,
        lovhjemmel_id: int,
        *,
        beskrivelse: str | None = None,
        omrader: Iterable[str] | None = None,
        urler: Iterable[str] | None = None,
    ) -> Katalogoppfoering:
        """Changes what is given (platform operators only); roles that chose it keep what they chose."""
        require_platform(actor)
        try:
            with self._engine.begin() as connection:
                before = _entry_row(connection, lovhjemmel_id)
                old = before.lovhjemmel
                changed = _valid(
                    beskrivelse if beskrivelse is not None else old.beskrivelse,
                    omrader if omrader is not None else [a.value for a in old.omrader],
                    urler if urler is not None else old.urler,
                )
                self._refuse_duplicate(connection, changed.beskrivelse, lovhjemmel_id)
                connection.execute(
                    update(lovhjemmel_table)
                    .where(lovhjemmel_table.c.id == lovhjemmel_id)
                    .values(**_values(changed), endret=self._clock())
                )
                after = Katalogoppfoering(lovhjemmel_id, changed)
                self._log(
                    connection,
                    actor,
                    None,
                    "lovhjemmel.endret",
                    "lovhjemmel",
                    lovhjemmel_id,
                    _json(before),
                    _json(after),
                )
        except IntegrityError:
            raise _exists(str(beskrivelse)) from None
        return after

    def delete_lovhjemmel(self, actor: Actor, lovhjemmel_id: int) -> Katalogoppfoering:
        """Removes a legal basis from the catalogue (platform operators only); roles keep theirs."""
        require_platform(actor)
        with self._engine.begin() as connection:
            before = _entry_row(connection, lovhjemmel_id)
            connection.execute(delete(lovhjemmel_table).where(lovhjemmel_table.c.id == lovhjemmel_id))
            self._log(
                connection,
                actor,
                None,
                "lovhjemmel.slettet",
                "lovhjemmel",
                lovhjemmel_id,
                _json(before),
                None,
            )
        return before

    def _legal_bases(self, connection: Connection) -> tuple[Lovhjemmel, ...]:
        """The catalogue as it stands, read in the caller's transaction."""
        return tuple(entry.lovhjemmel for entry in _entries(connection))

    @staticmethod
    def _refuse_duplicate(connection: Connection, beskrivelse: str, own_id: int | None) -> None:
        statement = select(lovhjemmel_table.c.id).where(lovhjemmel_table.c.beskrivelse == beskrivelse)
        if own_id is not None:
            statement = statement.where(lovhjemmel_table.c.id != own_id)
        if connection.execute(statement).first() is not None:
            raise _exists(beskrivelse)


def _entries(connection: Connection) -> list[Katalogoppfoering]:
    rows = connection.execute(select(lovhjemmel_table).order_by(lovhjemmel_table.c.id))
    return [_entry(row) for row in rows]


def _entry_row(connection: Connection, lovhjemmel_id: int) -> Katalogoppfoering:
    row = connection.execute(select(lovhjemmel_table).where(lovhjemmel_table.c.id == lovhjemmel_id)).first()
    if row is None:
        raise not_found(
            "LOVHJEMMEL_FINNES_IKKE",
            f"No legal basis {lovhjemmel_id} in the catalogue",
            lovhjemmelId=lovhjemmel_id,
        )
    return _entry(row)


def _entry(row: Any) -> Katalogoppfoering:
    return Katalogoppfoering(
        int(row.id),
        Lovhjemmel(
            beskrivelse=row.beskrivelse,
            omrader=tuple(TjenesteOmrade(a) for a in row.omrader),
            urler=tuple(row.urler),
        ),
    )


def _values(lov: Lovhjemmel) -> dict[str, Any]:
    return {
        "beskrivelse": lov.beskrivelse,
        "omrader": [a.value for a in lov.omrader],
        "urler": list(lov.urler),
    }


def _json(entry: Katalogoppfoering) -> dict[str, Any]:
    return {"lovhjemmelId": entry.id} | _values(entry.lovhjemmel)


def _area(omrade: str) -> TjenesteOmrade:
    try:
        return role_area(omrade)
    except RoleDefinitionError as error:
        raise bad_request(error.code, error.message, **error.details) from None


def _valid(beskrivelse: str, omrader: Iterable[str], urler: Iterable[str]) -> Lovhjemmel:
    """A legal basis as the catalogue keeps it, or a 400 saying what to change."""
    text = beskrivelse.strip()
    if not text or len(text) > MAX_BESKRIVELSE:
        raise bad_request("UGYLDIG_LOVHJEMMEL", f"A legal basis's text is 1 to {MAX_BESKRIVELSE} characters")
    areas = tuple(dict.fromkeys(_area(a) for a in ([omrader] if isinstance(omrader, str) else omrader)))
    if not areas:
        raise bad_request("UGYLDIG_LOVHJEMMEL", "A legal basis serves at least one service area (omrader)")
    links = tuple(dict.fromkeys(u.strip() for u in ([urler] if isinstance(urler, str) else urler)))
    invalid = [u for u in links if len(u) > MAX_URL or _URL.fullmatch(u) is None]
    if invalid or len(links) > MAX_URLER:
        raise bad_request(
            "UGYLDIG_LOVHJEMMEL",
            f"Links (urler) are at most {MAX_URLER} http(s) addresses of at most {MAX_URL} characters"
            + (f"; not one: {', '.join(repr(u) for u in invalid)}" if invalid else ""),
            ugyldige=invalid,
        )
    return Lovhjemmel(beskrivelse=text, omrader=areas, urler=links)


def _exists(beskrivelse: str) -> Exception:
    return conflict(
        "LOVHJEMMEL_FINNES", f"The catalogue already holds {beskrivelse!r}", beskrivelse=beskrivelse
    )
