"""The routing table: one entry per mirrored register resource, saying who may use it and how to answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import orjson

from fiks_folkeregister.domain.atom import ATOM
from fiks_folkeregister.domain.informasjonselementer import PartRequest, Rettighetspakke
from fiks_folkeregister.domain.parametre import UgyldigParameter
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.domain.rollepolicy import (
    authorise_criteria,
    authorise_extract_criteria,
    filter_to_role,
    identifiers_of,
    role_plan,
)
from fiks_folkeregister.domain.soekeparametre import (
    ENTYDIGSOEK_PARAMETERS,
    SOEK_PARAMETERS,
    parse_entydigsoek,
    parse_soek,
)
from fiks_folkeregister.domain.uttrekkskriterier import FIELDS as UTTREKK_FIELDS
from fiks_folkeregister.domain.uttrekkskriterier import parse_tilpasset
from fiks_folkeregister.gateway.hendelse_svar import (
    EventDocument,
    EventDocuments,
    ExtractBatch,
    Feed,
    Passthrough,
    Sekvensnummer,
    feed_atom,
    feed_for_role,
    feed_json,
    latest_for_role,
)
from fiks_folkeregister.gateway.representation import JSON, JSON_ONLY, Render
from fiks_folkeregister.upstream.port import Finish, Upstream, bulkoppslag_each


@dataclass(frozen=True)
class UpstreamRequest:
    """A mirrored request after the access checks: what the upstream call needs."""

    path: Mapping[str, str]
    parts: Sequence[str] | None
    query: Mapping[str, Sequence[str]]
    body: Any = None
    #: The role the request runs under (answers that span several upstream calls cut each to it).
    rolle: Rolle | None = None

    def flag(self, name: str) -> bool:
        """A boolean query parameter (`true`/`false`, as the register reads it); absent is false."""
        values = self.query.get(name) or ()
        return bool(values) and values[-1].lower() == "true"


class Answer(Protocol):
    """How to read a resource's answer: cut it to the role, and find the persons it returns (for audit)."""

    def filter(self, result: dict[str, Any], role: Rolle, request: PartRequest) -> dict[str, Any]: ...

    def persons(self, result: Mapping[str, Any]) -> list[str]: ...


class PersonDocument:
    """A single `Folkeregisterperson`."""

    def filter(self, result: dict[str, Any], role: Rolle, request: PartRequest) -> dict[str, Any]:
        return filter_to_role(result, role, request)

    def persons(self, result: Mapping[str, Any]) -> list[str]:
        return identifiers_of(result)


class Oppslag:
    """`{"oppslag": [{"foedselsEllerDNummer", "folkeregisterperson" | "feilmelding", ...}]}`."""

    def filter(self, result: dict[str, Any], role: Rolle, request: PartRequest) -> dict[str, Any]:
        to_role = role_plan(role, request)
        entries = []
        for entry in result.get("oppslag") or ():
            person = entry.get("folkeregisterperson")
            if person is not None:
                entry = {**entry, "folkeregisterperson": to_role.apply(person)}
            entries.append(entry)
        return {"oppslag": entries}

    def persons(self, result: Mapping[str, Any]) -> list[str]:
        found: list[str] = []
        for entry in result.get("oppslag") or ():
            person = entry.get("folkeregisterperson")
            if person is not None:
                found += [entry["foedselsEllerDNummer"], *identifiers_of(person)]
        return list(dict.fromkeys(found))


class FilteredEntries:
    """The gateway's `Finish` for a bulk answer: each person document cut to the role (by the plan decided
    once for the request) and serialised the moment the register has made it (as the register's own
    `bulkoppslag_json` does), so the documents never live together; remembers the identity numbers each
    shows, for the audit record."""

    def __init__(self, role: Rolle, request: PartRequest) -> None:
        self._to_role = role_plan(role, request)
        self._shown: list[list[str]] = []

    def __call__(self, document: dict[str, Any]) -> orjson.Fragment:
        filtered = self._to_role.apply(document)
        self._shown.append(identifiers_of(filtered))
        return orjson.Fragment(orjson.dumps(filtered))

    def persons(self, result: Mapping[str, Any]) -> list[str]:
        """Who the finished answer returns, as `Oppslag.persons` says of the same answer unserialised."""
        shown = iter(self._shown)
        found: list[str] = []
        for entry in result.get("oppslag") or ():
            if entry.get("folkeregisterperson") is not None:
                found += [entry["foedselsEllerDNummer"], *next(shown)]
        return list(dict.fromkeys(found))


class Identifikatorer:
    """A hit list of identity numbers only (`{"foedselsEllerDNummer": [...]}`); nothing else passes."""

    def filter(self, result: dict[str, Any], role: Rolle, request: PartRequest) -> dict[str, Any]:
        return {"foedselsEllerDNummer": list(result.get("foedselsEllerDNummer") or ())}

    def persons(self, result: Mapping[str, Any]) -> list[str]:
        return [str(number) for number in result.get("foedselsEllerDNummer") or ()]


UpstreamCall = Callable[[Upstream, Rettighetspakke, UpstreamRequest], Any]
#: An upstream call that hands each person document to a `Finish` as it is made (bulk lookups).
StreamingCall = Callable[[Upstream, Rettighetspakke, UpstreamRequest, Finish], dict[str, Any]]


class Criteria(Protocol):
    """How a resource's criteria are judged: parsed as the register parses them, authorised against the
    role, and given back as the canonical query and body to forward (so what was authorised is exactly
    what the register executes). Raises `UgyldigParameter` (the register's 400) or a `PolicyRefusal`."""

    def authorise(
        self, role: Rolle, query: Mapping[str, Sequence[str]], body: Any
    ) -> tuple[Mapping[str, Sequence[str]], Any]: ...


class SearchCriteria:
    """`personer/soek` and `personer/entydigsoek`: the query parameters."""

    def __init__(self, entydig: bool) -> None:
        self._entydig = entydig
        self._parse = parse_entydigsoek if entydig else parse_soek

    def authorise(
        self, role: Rolle, query: Mapping[str, Sequence[str]], body: Any
    ) -> tuple[Mapping[str, Sequence[str]], Any]:
        criteria = self._parse(query)
        canonical = authorise_criteria(role, criteria, self._entydig)
        _same(self._parse(canonical) == criteria)
        return canonical, body


class ExtractCriteria:
    """`uttrekk/tilpasset`: the body (`TilpassetUttrekkJobbRequest`)."""

    def authorise(
        self, role: Rolle, query: Mapping[str, Sequence[str]], body: Any
    ) -> tuple[Mapping[str, Sequence[str]], Any]:
        kriterier = parse_tilpasset(body)
        canonical = authorise_extract_criteria(role, kriterier)
        _same(parse_tilpasset(canonical) == kriterier)
        return query, canonical


def _same(round_trip_holds: bool) -> None:
    """Never forward criteria that would be read differently from what was authorised (deny by default)."""
    if not round_trip_holds:
        raise UgyldigParameter(
            "UGYLDIG_PARAMETER", "The criteria cannot be passed on exactly as given; simplify them"
        )


#: The criteria of a custom extract (`uttrekk/tilpasset`), as the register reads them.
SOK = frozenset({Bruksomraade.SOK_ETTER_PERSON})
FLYT = frozenset({Bruksomraade.HENDELSESLISTE})
UTTREKK = frozenset({Bruksomraade.UTTREKK})
SOK_OG_FLYT = frozenset({Bruksomraade.SOK_ETTER_PERSON, Bruksomraade.UTTREKK, Bruksomraade.HENDELSESLISTE})


@dataclass(frozen=True)
class MirroredResource:
    """One register resource as the gateway mirrors it (path after `/v1/`, in the register's spelling)."""

    method: str
    path: str
    bruksomraader: frozenset[Bruksomraade]
    takes_part: bool
    answer: Answer
    call: UpstreamCall
    summary: str
    takes_body: bool = False
    #: Query parameters documented for this resource besides `part` (search criteria, flags).
    query_parameters: tuple[str, ...] = field(default=())
    #: The fields of its JSON body (the audit record keeps these and only the names of others).
    body_fields: tuple[str, ...] = ()
    #: How its criteria are parsed and authorised before they are forwarded (searches, extracts).
    criteria: Criteria | None = None
    #: The media types offered (chosen by `Accept`), each with its renderer; the first is the default.
    representations: tuple[tuple[str, Render], ...] = JSON_ONLY
    #: Answers carry an `ETag`, and `If-None-Match` with it gives 304.
    conditional: bool = False
    #: For resources with their own admission rule (the Oppvekst API): checks the role and the path
    #: parameters (raising a refusal) and gives the parts to ask the register for.
    admit: Callable[[Rolle, Mapping[str, str]], Sequence[str]] | None = None
    #: False for a register path the gateway knows but does not serve (the XML schemas): 501 to any caller.
    offered: bool = True
    #: For the API's answers (not the portal's): the call with each person document cut to the role and
    #: serialised as it is made (`FilteredEntries`); the bytes are those of `call`, `answer` and `render`.
    call_each: StreamingCall | None = None
    #: One document's worth of work (an indexed read, a filter): its pipeline may run on the event loop
    #: when nothing would block the loop (see `MirroredApi`).
    on_event_loop: bool = False

    @property
    def name(self) -> str:
        """How the audit log names the resource, e.g. `GET personer/{personidentifikator}`."""
        return f"{self.method} {self.path}"

    @property
    def media_types(self) -> tuple[str, ...]:
        return tuple(media_type for media_type, _ in self.representations)

    def render(self, media_type: str) -> Render:
        return dict(self.representations)[media_type]

    def match(self, path: str) -> dict[str, str] | None:
        """The path parameters if `path` (after `/v1/`) is this resource's path, else None."""
        found = self._pattern.fullmatch(path)
        return found.groupdict() if found else None

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        """The path as a regular expression, built once (matching runs on every request)."""
        return path_pattern(self.path)


#: A path parameter in a resource's path, e.g. `{personidentifikator}`.
PATH_PARAMETER = re.compile(r"{(\w+)}")


def path_pattern(path: str) -> re.Pattern[str]:
    """A path with `{name}` parameters as a regular expression with a named group for each."""
    pieces = PATH_PARAMETER.split(path)  # literal, name, literal, name, …, literal
    return re.compile(
        "".join(
            re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>[^/]+)"
            for index, piece in enumerate(pieces)
        )
    )


def allowed_methods(resources: Sequence[MirroredResource], path: str) -> tuple[str, ...]:
    """The methods some resource serves at `path` (GET implies HEAD), in a stable order."""
    methods = {resource.method for resource in resources if resource.match(path) is not None}
    if "GET" in methods:
        methods.add("HEAD")
    return tuple(method for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE") if method in methods)


def _not_offered(up: Upstream, pakke: Rettighetspakke, r: UpstreamRequest) -> Any:
    raise AssertionError("a resource not offered is never called upstream")


def _schema(path: str, summary: str) -> MirroredResource:
    """A schema path of the register: known (so not taken for an id), but not offered (JSON only)."""
    return MirroredResource(
        "GET", path, SOK_OG_FLYT, False, Passthrough(), _not_offered, summary, offered=False
    )


#: Every mirrored resource. More specific paths come first (they are matched in order).
RESOURCES: tuple[MirroredResource, ...] = (
    _schema("personer/xsd", "XSD for person: ikke tilbudt (JSON only)."),
    _schema("hendelser/xsd", "XSD for hendelse: ikke tilbudt (JSON only)."),
    _schema("hendelser/feedxsd", "XSD for feed: ikke tilbudt (JSON only)."),
    MirroredResource(
        "POST",
        "personer/bulkoppslag/arkiv",
        SOK_OG_FLYT,
        True,
        Oppslag(),
        lambda up, pakke, r: up.bulkoppslag_arkiv(pakke, r.body, r.parts),
        "Henter arkiverte versjoner for et sett med dokumenter.",
        takes_body=True,
        body_fields=("dokumentidentifikator",),
    ),
    MirroredResource(
        "POST",
        "personer/bulkoppslag",
        SOK_OG_FLYT,
        True,
        Oppslag(),
        lambda up, pakke, r: up.bulkoppslag(pakke, r.body, r.parts, r.flag("somBestilt")),
        "Henter persondata for et sett med personer.",
        takes_body=True,
        body_fields=("foedselsEllerDNummer",),
        query_parameters=("somBestilt",),
        call_each=lambda up, pakke, r, finish: bulkoppslag_each(
            up, pakke, r.body, r.parts, r.flag("somBestilt"), finish
        ),
    ),
    MirroredResource(
        "GET",
        "personer/arkiv/{dokumentidentifikator}",
        SOK_OG_FLYT,
        True,
        PersonDocument(),
        lambda up, pakke, r: up.arkivperson(pakke, r.path["dokumentidentifikator"], r.parts),
        "Henter en arkivert versjon av en person.",
        on_event_loop=True,
    ),
    MirroredResource(
        "GET",
        "personer/soek",
        SOK,
        False,
        Identifikatorer(),
        lambda up, pakke, r: up.soek(pakke, r.query),
        "Søk etter personer; gir fødsels- eller d-nummer.",
        query_parameters=SOEK_PARAMETERS,
        criteria=SearchCriteria(entydig=False),
    ),
    MirroredResource(
        "GET",
        "personer/entydigsoek",
        SOK,
        True,
        PersonDocument(),
        lambda up, pakke, r: up.entydigsoek(pakke, r.query, r.parts),
        "Entydig søk: den ene personen som svarer til kriteriene.",
        query_parameters=ENTYDIGSOEK_PARAMETERS,
        criteria=SearchCriteria(entydig=True),
    ),
    MirroredResource(
        "GET",
        "personer/{personidentifikator}",
        SOK,
        True,
        PersonDocument(),
        lambda up, pakke, r: up.person(pakke, r.path["personidentifikator"], r.parts),
        "Henter oppdaterte data om en person.",
        on_event_loop=True,
    ),
    MirroredResource(
        "GET",
        "hendelser/feed",
        FLYT,
        False,
        Feed(),
        feed_for_role,
        "Henter lagrede hendelser (1000 per side) fra sekvensnummer seq, som JSON eller Atom.",
        query_parameters=("seq",),
        representations=((JSON, feed_json), (ATOM, feed_atom)),
        conditional=True,
    ),
    MirroredResource(
        "GET",
        "hendelser/siste/sekvensnummer",
        FLYT,
        False,
        Sekvensnummer(),
        latest_for_role,
        "Henter siste sekvensnummer i feeden.",
    ),
    MirroredResource(
        "POST",
        "hendelser/bulkoppslag",
        FLYT,
        False,
        EventDocuments(),
        lambda up, pakke, r: up.hendelser_bulkoppslag(pakke, r.body),
        "Henter et sett med hendelser.",
        takes_body=True,
        body_fields=("dokumentidentifikator",),
    ),
    MirroredResource(
        "GET",
        "hendelser/{hendelsesidentifikator}",
        FLYT,
        False,
        EventDocument(),
        lambda up, pakke, r: up.hendelse(pakke, r.path["hendelsesidentifikator"]),
        "Henter en hendelse.",
    ),
    MirroredResource(
        "POST",
        "uttrekk/tilpasset",
        UTTREKK,
        False,
        Passthrough("jobbId"),
        lambda up, pakke, r: up.uttrekk_tilpasset(pakke, r.body),
        "Lager en asynkron tilpasset uttrekksjobb.",
        takes_body=True,
        body_fields=tuple(sorted(UTTREKK_FIELDS)),
        criteria=ExtractCriteria(),
    ),
    MirroredResource(
        "GET",
        "uttrekk/komplett",
        UTTREKK,
        False,
        Passthrough("jobbId"),
        lambda up, pakke, r: up.uttrekk_komplett(pakke, (r.query.get("feedsekvensnr") or [None])[-1]),
        "Lager en asynkron uttrekksjobb for alle persondokumenter gyldige ved et sekvensnummer.",
        query_parameters=("feedsekvensnr",),
    ),
    MirroredResource(
        "GET",
        "uttrekk/{jobbid}/batch/{batchnr}",
        UTTREKK,
        False,
        ExtractBatch(),
        lambda up, pakke, r: up.uttrekk_batch(pakke, r.path["jobbid"], r.path["batchnr"]),
        "Henter en batch av resultatet av en uttrekksjobb.",
    ),
)
