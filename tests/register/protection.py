"""Shared by the protection tests: a household moves, then is given protection without a move; and a check of
where an answer shows that household's address, and graded how."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from fiks_folkeregister.domain.beskyttelse import place
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.register.hendelser.log import EventLog
from fiks_folkeregister.register.hendelser.tables import hendelse
from fiks_folkeregister.register.simulator import Endring, Simulator, World, current_one

DAY = date(2026, 11, 1)


class _Once:
    """Stands in for the simulator in `EventLog.simulate`: one scripted life event (retried until it fits)."""

    def __init__(self, make: Callable[[World], list[Endring]]) -> None:
        self._make = make

    def step(self, world: World) -> list[Endring]:
        return self._make(world)

    #: The simulator's own loop over `step` (the event log drives a simulator through `run`).
    run = Simulator.run


@dataclass(frozen=True)
class ProtectedHousehold:
    """A household that moved (ungraded) and was then given protection at that address without a move."""

    level: str
    members: tuple[str, ...]
    """Identity numbers of everyone who moved together and was protected together."""
    address: bytes
    """The protected address (`domain.beskyttelse.place`)."""
    moved: tuple[tuple[str, str], ...]
    """(hendelsesidentifikator, persondokument) of every member's move: the versions from before protection."""
    protected: tuple[tuple[str, str], ...]
    """(hendelsesidentifikator, persondokument) of every member's protection event."""
    move_sekvensnummer: int

    @property
    def old_versions(self) -> list[str]:
        return [version for _, version in self.moved]

    @property
    def move_events(self) -> list[str]:
        return [event for event, _ in self.moved]


def move_then_protect(log: EventLog, level: str, seed: int, members: int = 2) -> ProtectedHousehold:
    """A household of at least `members` persons moves, then gets `level` protection where it lives."""
    simulator = Simulator(seed, DAY)
    moved: list[Endring] = []

    def move(world: World) -> list[Endring]:
        changes = simulator.step(world, "flytting")
        homes = [current_one(change.dokument, "bostedsadresse") or {} for change in changes]
        if len(changes) < members or any(home.get("adressegradering") != "ugradert" for home in homes):
            return []  # not written: an empty step is tried again
        moved.extend(changes)
        return changes

    log.simulate(_Once(move), 1)
    mover = moved[0].foedsels_eller_d_nummer
    protected: list[Endring] = []

    def protect(world: World) -> list[Endring]:
        person = world.person(mover)
        assert person is not None
        protected.extend(simulator.protect(world, person, level))
        return protected

    log.simulate(_Once(protect), 1)
    numbers = tuple(c.foedsels_eller_d_nummer for c in moved)
    assert {c.foedsels_eller_d_nummer for c in protected} >= set(numbers)
    home = current_one(moved[0].dokument, "bostedsadresse")
    assert home is not None and home["adressegradering"] == "ugradert"
    address = place(home)
    assert address is not None
    with log.engine.connect() as connection:
        rows = connection.execute(
            select(
                hendelse.c.sekvensnummer,
                hendelse.c.hendelsesidentifikator,
                hendelse.c.persondokument,
                hendelse.c.folkeregisteridentifikator,
                hendelse.c.hendelsestype,
            )
            .where(hendelse.c.folkeregisteridentifikator.in_(numbers))
            .order_by(hendelse.c.sekvensnummer.desc())
        ).all()
    newest: dict[tuple[str, str], Any] = {}
    for row in rows:
        newest.setdefault((row.folkeregisteridentifikator, row.hendelsestype), row)
    move_rows = [newest[(n, "endringIBostedsadresse")] for n in numbers]
    protect_rows = [newest[(n, "endringIAdressebeskyttelse")] for n in numbers]
    return ProtectedHousehold(
        level,
        numbers,
        address,
        tuple((r.hendelsesidentifikator, r.persondokument) for r in move_rows),
        tuple((r.hendelsesidentifikator, r.persondokument) for r in protect_rows),
        max(r.sekvensnummer for r in move_rows),
    )


@dataclass(frozen=True)
class AnnulledMove:
    """A household moved (ungraded); one member's move was annulled (so their current document no longer
    holds the address), then the others were given protection there: only the annulled member's older
    version and events still show the address."""

    level: str
    address: bytes
    member: str
    """The member whose move was annulled (not protected: they no longer live there)."""
    protected: tuple[str, ...]
    versions: tuple[str, ...]
    """The annulled member's version from the move (it holds the address as `ugradert`)."""
    events: tuple[str, ...]
    """The annulled member's move and annulment events (both name the address)."""


def move_annul_then_protect(log: EventLog, level: str, seed: int) -> AnnulledMove:
    """A household moves; one member's move is annulled; the member who moved first is then protected."""
    simulator = Simulator(seed, DAY)
    moved: list[Endring] = []

    def move(world: World) -> list[Endring]:
        changes = simulator.step(world, "flytting")
        homes = [current_one(change.dokument, "bostedsadresse") or {} for change in changes]
        others = [c.dokument for c in changes[1:] if simulator._annullerbar(c.dokument)]
        if not others or any(home.get("adressegradering") != "ugradert" for home in homes):
            return []  # not written: an empty step is tried again
        moved.extend(changes)
        return changes

    log.simulate(_Once(move), 1)
    mover = moved[0].foedsels_eller_d_nummer
    member = next(c.foedsels_eller_d_nummer for c in moved[1:] if simulator._annullerbar(c.dokument))

    def annul(world: World) -> list[Endring]:
        person = world.person(member)
        assert person is not None
        return simulator.annul(person)

    log.simulate(_Once(annul), 1)
    protected: list[Endring] = []

    def protect(world: World) -> list[Endring]:
        person = world.person(mover)
        assert person is not None
        protected.extend(simulator.protect(world, person, level))
        return protected

    log.simulate(_Once(protect), 1)
    home = current_one(moved[0].dokument, "bostedsadresse")
    assert home is not None
    address = place(home)
    assert address is not None
    with log.engine.connect() as connection:
        rows = connection.execute(
            select(hendelse.c.hendelsesidentifikator, hendelse.c.persondokument, hendelse.c.hendelsestype)
            .where(hendelse.c.folkeregisteridentifikator == member)
            .order_by(hendelse.c.sekvensnummer.desc())
            .limit(2)
        ).all()
    annulment, move_row = rows
    assert annulment.hendelsestype == move_row.hendelsestype == "endringIBostedsadresse"
    return AnnulledMove(
        level,
        address,
        member,
        tuple(c.foedsels_eller_d_nummer for c in protected),
        (move_row.persondokument,),
        (move_row.hendelsesidentifikator, annulment.hendelsesidentifikator),
    )


def _address_entries(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if place(value) is not None:
            yield value
        for inner in value.values():
            yield from _address_entries(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _address_entries(inner)


def gradings_shown(answer: Any, address: bytes) -> list[Any]:
    """The `adressegradering` of every entry anywhere in the answer that is at `address`."""
    return [entry.get("adressegradering") for entry in _address_entries(answer) if place(entry) == address]


def assert_not_revealed(
    answer: Any, household: ProtectedHousehold | AnnulledMove, pakke: Rettighetspakke
) -> None:
    """The answer shows the protected address only where the package may see it, and always graded."""
    shown = gradings_shown(answer, household.address)
    if pakke is Rettighetspakke.OFFENTLIG_MED_HJEMMEL and household.level == "fortrolig":
        assert all(grading == "fortrolig" for grading in shown), shown
    else:
        assert shown == [], f"{pakke.value} was shown a {household.level} address: {shown}"
