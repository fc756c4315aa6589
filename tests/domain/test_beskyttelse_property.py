"""Property: over generated histories, protections and roles, nothing outside the role comes out of the
register-then-gateway filters, and no version or event document shows an address less graded than the
person's current document grades it (so never a currently protected address to a package that may not
see it).

The histories are built the way the register changes documents: moves, protection given and lifted without
a move, corrections (same `gyldighetstidspunkt`, another address), annulments. The answer to each path is
computed with the functions the register and the gateway apply: `graded_as_now`/`event_graded_as_now` and
`minimise` in the register, `filter_to_role`/`filter_event_document` in the gateway.
"""

from __future__ import annotations

import copy
import functools
import itertools
import uuid
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiks_folkeregister.domain.beskyttelse import GRADING_RANK, event_graded_as_now, graded_as_now, place
from fiks_folkeregister.domain.hendelse import ENTITETER, egenskapshendelser, hendelsesdokument
from fiks_folkeregister.domain.informasjonselementer import (
    ADDRESS_ELEMENTS,
    PartRequest,
    Rettighetspakke,
    elements_allowed,
)
from fiks_folkeregister.domain.minimering import VISIBLE_ADDRESS_GRADINGS, minimise
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.domain.rollepolicy import ALWAYS_RETURNED, filter_to_role
from fiks_folkeregister.gateway.hendelse_svar import filter_event_document
from fiks_folkeregister.register.hendelser.service import _without_hidden_addresses

PLACES = [
    {
        "kommunenummer": "0301",
        "adressenavn": "Storgata",
        "adressekode": "12000",
        "adressenummer": {"husnummer": n},
    }
    for n in ("1", "2", "3")
] + [
    {
        "kommunenummer": "4601",
        "adressenavn": "Fjellveien",
        "adressekode": "20001",
        "adressenummer": {"husnummer": "7"},
    }
]
LEVELS = ("fortrolig", "strengtFortrolig", "klientadresse")
#: The elements a generated role chooses from (addresses and a few others, so cutting is exercised).
CHOOSABLE = sorted(
    {"navn", "kjoenn", "status", "sivilstand", *ADDRESS_ELEMENTS} - {"preferertKontaktadresse"}
)

Document = dict[str, Any]


def _ts(day: int) -> str:
    return f"2020-{1 + day // 28:02d}-{1 + day % 28:02d}T00:00:00Z"


def _meta(day: int) -> dict[str, Any]:
    return {
        "erGjeldende": True,
        "gyldighetstidspunkt": _ts(day),
        "ajourholdstidspunkt": _ts(day),
        "kilde": "test",
    }


def _end(entry: dict[str, Any], day: int) -> None:
    entry["erGjeldende"] = False
    entry["opphoerstidspunkt"] = _ts(day)


def _level(document: Document) -> str:
    for entry in document.get("adressebeskyttelse", ()):
        if entry["erGjeldende"]:
            return str(entry["graderingsnivaa"])
    return "ugradert"


def _address(element: str, where: int, grading: str, day: int) -> dict[str, Any]:
    entry = {**_meta(day), "adressegradering": grading, "vegadresse": copy.deepcopy(PLACES[where])}
    if element == "deltBosted":
        entry["startdatoForKontrakt"] = _ts(day)[:10]
    return entry


def _first() -> Document:
    return {
        "identifikasjonsnummer": [
            {**_meta(0), "foedselsEllerDNummer": "01010112345", "identifikatortype": "foedselsnummer"}
        ],
        "navn": [{**_meta(0), "fornavn": "Kari", "etternavn": "Nordmann"}],
        "kjoenn": [{**_meta(0), "kjoenn": "kvinne"}],
        "status": [{**_meta(0), "status": "bosatt"}],
        "bostedsadresse": [_address("bostedsadresse", 0, "ugradert", 0)],
    }


OPERATIONS = st.one_of(
    st.tuples(
        st.just("move"),
        st.sampled_from(["bostedsadresse", "oppholdsadresse", "deltBosted"]),
        st.integers(0, 3),
    ),
    st.tuples(st.just("protect"), st.sampled_from(LEVELS), st.none()),
    st.tuples(st.just("lift"), st.none(), st.none()),
    st.tuples(st.just("correct"), st.sampled_from(["bostedsadresse", "oppholdsadresse"]), st.integers(0, 3)),
    st.tuples(st.just("annul"), st.none(), st.none()),
)


def _apply(document: Document, operation: tuple[str, Any, Any], day: int) -> Document:
    """The next version after one change, graded as the register keeps its data (current addresses like
    their person; protection given or lifted without a move regrades only current entries)."""
    after = copy.deepcopy(document)
    kind, what, where = operation
    level = _level(after)
    if kind == "move":
        for entry in after.get(what, ()):
            if entry["erGjeldende"]:
                _end(entry, day)
        after[what] = [_address(what, where, level, day), *after.get(what, ())]
    elif kind in ("protect", "lift"):
        new_level = what if kind == "protect" else "ugradert"
        for entry in after.get("adressebeskyttelse", ()):
            if entry["erGjeldende"]:
                _end(entry, day)
        if kind == "protect":
            after["adressebeskyttelse"] = [
                {**_meta(day), "graderingsnivaa": new_level},
                *after.get("adressebeskyttelse", ()),
            ]
        for element in ("bostedsadresse", "oppholdsadresse", "deltBosted"):
            for entry in after.get(element, ()):
                if entry["erGjeldende"]:
                    entry["adressegradering"] = new_level
    elif kind == "correct":
        for entry in after.get(what, ()):
            if entry["erGjeldende"]:
                entry["vegadresse"] = copy.deepcopy(PLACES[where])
    elif kind == "annul":
        entries = after.get("bostedsadresse", ())
        if len(entries) >= 2 and entries[0]["erGjeldende"]:
            restored = entries[1]
            restored["erGjeldende"] = True
            restored.pop("opphoerstidspunkt", None)
            if GRADING_RANK[restored["adressegradering"]] < GRADING_RANK[level]:
                restored["adressegradering"] = level  # a current address is graded like its person
            after["bostedsadresse"] = entries[1:]
    return after


@st.composite
def histories(draw: st.DrawFn) -> list[Document]:
    versions = [_first()]
    for day, operation in enumerate(draw(st.lists(OPERATIONS, min_size=1, max_size=8)), start=1):
        versions.append(_apply(versions[-1], operation, day))
    return versions


#: A role's elements by package, and a request's elements by role: strategies built once, not per example
#: (building and validating a strategy costs more than drawing from it; the examples are the same).
_PACKAGES = st.sampled_from(list(Rettighetspakke))
_ELEMENT_SETS = {
    pakke: st.sets(
        st.sampled_from([name for name in CHOOSABLE if name in elements_allowed(pakke)]), min_size=1
    )
    for pakke in Rettighetspakke
}


@functools.cache
def _subsets(names: tuple[str, ...]) -> st.SearchStrategy[set[str]]:
    return st.sets(st.sampled_from(names), min_size=1)


@st.composite
def roles(draw: st.DrawFn) -> tuple[Rolle, PartRequest]:
    pakke = draw(_PACKAGES)
    elementer = frozenset(draw(_ELEMENT_SETS[pakke]))
    historikk = draw(st.booleans())
    role = Rolle(
        id=uuid.UUID(int=1),
        orgnr="910000004",
        navn="rolle",
        rettighetspakke=pakke,
        bruksomraader=frozenset(Bruksomraade),
        elementer=elementer,
        historikk=historikk,
    )
    asked = frozenset(draw(_subsets(tuple(sorted(elementer)))))
    return role, PartRequest(asked, historikk and draw(st.booleans()))


def _address_entries(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "adressegradering" in value or place(value) is not None:
            yield value
        for inner in value.values():
            yield from _address_entries(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _address_entries(inner)


def _graded_places(current: Document) -> dict[bytes, int]:
    """Each place the current document grades, with its strictest grading's rank."""
    found: dict[bytes, int] = {}
    for element in ADDRESS_ELEMENTS:
        for entry in current.get(element, ()):
            where, rank = place(entry), GRADING_RANK[entry["adressegradering"]]
            if where is not None and rank > 0:
                found[where] = max(found.get(where, 0), rank)
    return found


def _assert_protected(answer: Any, current: Document, pakke: Rettighetspakke) -> None:
    graded = _graded_places(current)
    for entry in _address_entries(answer):
        grading = entry.get("adressegradering")
        assert grading in VISIBLE_ADDRESS_GRADINGS[pakke], (pakke, entry)
        where = place(entry)
        if where in graded:
            assert GRADING_RANK[grading] >= graded[where], ("shown less graded than today", entry)


def _assert_within_role(answer: Document, role: Rolle) -> None:
    assert set(answer) <= role.elementer | ALWAYS_RETURNED
    if not role.historikk:
        for name, value in answer.items():
            for entry in [value] if isinstance(value, dict) else value:
                assert entry.get("erGjeldende") is True, (name, entry)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), roles())
def test_no_version_or_event_document_gives_out_more_than_the_role_or_todays_protection(
    versions: list[Document], role_and_request: tuple[Rolle, PartRequest]
) -> None:
    role, request = role_and_request
    pakke = role.rettighetspakke
    current = versions[-1]
    for version in versions:  # the current one too: lookup, bulkoppslag, arkiv, bulk arkiv, extract
        from_register = minimise(graded_as_now(version, current), pakke, request)
        answer = filter_to_role(from_register, role, request)
        _assert_within_role(answer, role)
        _assert_protected(answer, current, pakke)
    if pakke is not Rettighetspakke.OFFENTLIG_MED_HJEMMEL:
        return  # the register refuses event documents to offentlig-uten-hjemmel
    for before, after in itertools.pairwise(versions):
        stored = hendelsesdokument(
            "e", "01010112345", "endringIPerson", _ts(0), egenskapshendelser(before, after)
        )
        answer = filter_event_document(_without_hidden_addresses(event_graded_as_now(stored, current)), role)
        _assert_protected(answer, current, pakke)
        entities = {ENTITETER[name][0] for name in role.elementer | ALWAYS_RETURNED if name in ENTITETER}
        for entry in answer["hendelse"]["egenskapshendelse"]:
            assert entry["entitet"] in entities, entry


@settings(max_examples=300, deadline=None)
@given(histories())
def test_the_current_document_is_never_graded_differently_than_stored_when_the_data_is_consistent(
    versions: list[Document],
) -> None:
    """The rule only raises: a current document graded by itself keeps every grading it already had."""
    current = versions[-1]
    regraded = graded_as_now(current, current)
    for element in ADDRESS_ELEMENTS:
        for old, new in zip(current.get(element, ()), regraded.get(element, ()), strict=True):
            assert GRADING_RANK[new["adressegradering"]] >= GRADING_RANK[old["adressegradering"]]
