"""The role editor's logic (pure): the element picker grouped as the register groups the elements, what a
rights package can never give, and a choice of elements back into the parts a role stores.

Whether a choice may be saved is decided in one place only, `domain/rolle.py`'s `role_definition`; this
module reads the same catalogue (`elements_allowed`, `historic_elements_allowed`) to say beforehand which
elements a package can never give, so the editor shows it before anyone submits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fiks_folkeregister.domain.informasjonselementer import (
    ALIASES,
    ELEMENTS,
    HISTORIKK,
    Rettighetspakke,
    elements_allowed,
    expand,
    historic_elements_allowed,
)

#: The picker's group of the elements no alias holds, and of the history flag.
ANDRE = "andre"


@dataclass(frozen=True, slots=True)
class Elementvalg:
    """One element in the picker: chosen or not, and whether the chosen rights package can never give it."""

    element: str
    valgt: bool
    aldri: bool


@dataclass(frozen=True, slots=True)
class Elementgruppe:
    """A group of the picker: a register alias (`person-basis`, `identitetsgrunnlag-utvidet`,
    `relasjon-utvidet`) or `andre` (every element no alias holds), in the spec's order within it."""

    navn: str
    elementer: tuple[Elementvalg, ...]

    @property
    def alle_valgt(self) -> bool:
        return all(choice.valgt for choice in self.elementer)


@dataclass(frozen=True, slots=True)
class Elementvelger:
    """The picker for one rights package and one choice: its groups, the history flag, and what the
    package can never give (elements; elements whose history it never gives)."""

    rettighetspakke: Rettighetspakke | None
    grupper: tuple[Elementgruppe, ...]
    historikk: bool
    aldri: tuple[str, ...]
    aldri_historikk: tuple[str, ...]


def groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The picker's groups and their elements: the register's aliases, then the other elements."""
    in_alias = frozenset().union(*ALIASES.values())
    aliases = tuple((name, tuple(e for e in ELEMENTS if e in members)) for name, members in ALIASES.items())
    return (*aliases, (ANDRE, tuple(e for e in ELEMENTS if e not in in_alias)))


def never_given(rettighetspakke: Rettighetspakke) -> frozenset[str]:
    """The elements a role with this rights package can never receive (`role_definition` refuses them)."""
    return frozenset(ELEMENTS) - elements_allowed(rettighetspakke)


def history_never_given(rettighetspakke: Rettighetspakke) -> frozenset[str]:
    """The elements the package may receive but never the historic entries of (history is cut to the rest)."""
    return elements_allowed(rettighetspakke) - historic_elements_allowed(rettighetspakke)


def package_of(value: str | None) -> Rettighetspakke | None:
    """The rights package a form named, or None when it named none (or none known)."""
    try:
        return Rettighetspakke(value) if value else None
    except ValueError:
        return None


def picker(rettighetspakke: Rettighetspakke | None, deler: Iterable[str]) -> Elementvelger:
    """The picker for `deler` (aliases expanded, unknown names ignored: the validation names them) under
    `rettighetspakke` (None: no package chosen yet, so nothing is marked as never given)."""
    parts = tuple(deler)
    chosen = expand(p for p in parts if p == HISTORIKK or p in ALIASES or p in ELEMENTS)
    never = never_given(rettighetspakke) if rettighetspakke is not None else frozenset()
    never_history = history_never_given(rettighetspakke) if rettighetspakke is not None else frozenset()
    return Elementvelger(
        rettighetspakke=rettighetspakke,
        grupper=tuple(
            Elementgruppe(name, tuple(Elementvalg(e, e in chosen, e in never) for e in elements))
            for name, elements in groups()
        ),
        historikk=HISTORIKK in parts,
        aldri=tuple(e for e in ELEMENTS if e in never),
        aldri_historikk=tuple(e for e in ELEMENTS if e in never_history),
    )


def parts_of_choice(elementer: Iterable[str], historikk: bool) -> tuple[str, ...]:
    """The parts a role stores for elements ticked one by one: an alias wherever all of its elements are
    ticked (so the role reads as the register's groups), the other elements by name, then `historikk`.
    Unknown names are kept, for the validation to name them."""
    ticked = list(dict.fromkeys(elementer))
    whole = [name for name, members in ALIASES.items() if members <= set(ticked)]
    covered = frozenset().union(*(ALIASES[name] for name in whole))
    rest = [e for e in ELEMENTS if e in ticked and e not in covered]
    unknown = [e for e in ticked if e not in ELEMENTS]
    return (*whole, *rest, *unknown, *((HISTORIKK,) if historikk else ()))
