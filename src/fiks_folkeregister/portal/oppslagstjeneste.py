"""What the search, card and document pages ask of the portal service, and the refusals they explain.

The service is the one road to the register (the gateway's pipeline with the person as principal: access,
role policy, upstream, filter to the role, audit before the answer leaves). The pages never read the register
or filter data themselves: they show what this port returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Bruker:
    """Who asks: the logged-in person, the role chosen in the session and the session's case reference."""

    foedselsnummer: str
    navn: str
    rolle_id: str
    saksnummer: str | None = None
    formaal: str | None = None


@dataclass(frozen=True)
class Personsvar:
    """A person's document as filtered to the role, with the audit record that accounts for showing it."""

    dokument: Mapping[str, Any]
    loggreferanse: str
    tidspunkt: datetime


@dataclass(frozen=True)
class Treffside:
    """One page of a hit list: the persons shown (each audited as looked up) and the total count."""

    personer: Sequence[Mapping[str, Any]]
    antall: int
    side: int
    sider: int
    loggreferanse: str


@dataclass(frozen=True)
class Kriterium:
    """A search criterion and whether the role may use it; `grunn` is why not (catalogue id and values)."""

    navn: str
    tillatt: bool
    grunn: str = ""
    elementer: tuple[str, ...] = ()


class Avslag(Exception):
    """A refusal the pages explain to the case worker."""


class IngenTreff(Avslag):
    """No person matches (or has this number)."""


class FlereTreff(Avslag):
    """Identify-one matched more than one person: none is shown."""


class ForMangeTreff(Avslag):
    """The search matched more than the register's limit (10 000)."""


class KriteriumIkkeTillatt(Avslag):
    """The role may not search by these criteria."""

    def __init__(self, kriterier: Sequence[str]) -> None:
        super().__init__(", ".join(kriterier))
        self.kriterier = tuple(kriterier)


class HistorikkIkkeTillatt(Avslag):
    """The role holds no history."""


class UgyldigKriterium(Avslag):
    """The register's parser refused a criterion (`parameter`, and its message)."""

    def __init__(self, parameter: str | None, detalj: str) -> None:
        super().__init__(detalj)
        self.parameter = parameter
        self.detalj = detalj


class RolleIkkeGyldig(Avslag):
    """The person no longer holds the role (grant revoked, user deactivated)."""


class RegisterUtilgjengelig(Avslag):
    """The register did not answer: nothing was looked up."""


class Oppslagstjeneste(Protocol):
    """The portal's operations, each one audited call through the pipeline."""

    def person(self, bruker: Bruker, foedselsnummer: str, historikk: bool) -> Personsvar: ...

    def vis_skjermet_adresse(self, bruker: Bruker, foedselsnummer: str, historikk: bool) -> Personsvar: ...

    def entydig(self, bruker: Bruker, spoerring: Mapping[str, list[str]]) -> str: ...

    def soek(self, bruker: Bruker, spoerring: Mapping[str, list[str]], side: int) -> Treffside: ...

    def kriterier(self, bruker: Bruker, entydig: bool) -> Sequence[Kriterium]: ...

    def har_historikk(self, bruker: Bruker) -> bool: ...
