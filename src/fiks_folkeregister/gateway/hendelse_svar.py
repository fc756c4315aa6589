"""How the gateway reads event and extract answers: cut event documents to the role, find persons for audit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from fiks_folkeregister.domain.atom import render_atom
from fiks_folkeregister.domain.heltall import InvalidNumber, parse_whole_number
from fiks_folkeregister.domain.hendelse import ENTITETER
from fiks_folkeregister.domain.informasjonselementer import ADDRESS_ELEMENTS, PartRequest, Rettighetspakke
from fiks_folkeregister.domain.minimering import VISIBLE_ADDRESS_GRADINGS
from fiks_folkeregister.domain.parametre import whole_number
from fiks_folkeregister.domain.rolle import Rolle
from fiks_folkeregister.domain.rollepolicy import ALWAYS_RETURNED, event_visible
from fiks_folkeregister.gateway import errors as codes
from fiks_folkeregister.gateway.errors import GatewayError
from fiks_folkeregister.gateway.representation import Address
from fiks_folkeregister.upstream.port import Upstream, UpstreamError

_PROPERTIES = {prop: element for element, (_entitet, prop) in ENTITETER.items()}


def filter_event_document(document: Mapping[str, Any], role: Rolle) -> dict[str, Any]:
    """An event document holding only entries of elements the role may fetch (and addresses it may see)."""
    hendelse = dict(document.get("hendelse") or {})
    allowed = role.elementer | ALWAYS_RETURNED
    gradings = VISIBLE_ADDRESS_GRADINGS[role.rettighetspakke]
    kept = []
    for entry in hendelse.get("egenskapshendelse") or ():
        props = [key for key in entry if key in _PROPERTIES]
        if not props or any(_PROPERTIES[p] not in allowed for p in props):
            continue
        if any(
            _PROPERTIES[p] in ADDRESS_ELEMENTS and (entry[p] or {}).get("adressegradering") not in gradings
            for p in props
        ):
            continue
        kept.append(entry)
    hendelse["egenskapshendelse"] = kept
    return {**document, "hendelse": hendelse}


#: A feed that is read on past pages the role sees nothing of stops after this many upstream pages; the
#: answer's `next` (Atom) still points past them, so a reader advances.
MAX_SCANNED_PAGES = 20
#: The register's page size: `siste/sekvensnummer` looks back for the role's newest event page by page.
PAGE_SIZE = 1000


def _visible(entries: Any, role: Rolle) -> list[dict[str, Any]]:
    """Feed entries of event types the role holds every element of (the type alone tells what happened)."""
    return [
        {"sekvensnummer": e["sekvensnummer"], "hendelse": dict(e["hendelse"])}
        for e in entries or ()
        if event_visible(role, e["hendelse"].get("hendelsetype"))
    ]


def feed_for_role(upstream: Upstream, pakke: Rettighetspakke, request: Any) -> dict[str, Any]:
    """`hendelser/feed?seq=N` cut to the role: `{"hendelser": [...], "neste": n}`.

    Events of types outside the role are dropped. A page the role sees nothing of is read past (up to
    `MAX_SCANNED_PAGES` pages), so a reader advancing by sequence numbers is not left on a page of nothing;
    `neste` is the number after the last event read, where the next page starts (Atom's `next` link).
    """
    role = request.rolle
    start = whole_number((request.query.get("seq") or [None])[-1], "seq")
    seq = start
    neste = start if start is not None else 0
    kept: list[dict[str, Any]] = []
    for _ in range(MAX_SCANNED_PAGES):
        page = upstream.hendelser_feed(pakke, None if seq is None else str(seq))
        kept = _visible(page, role)
        if not page:
            break
        neste = seq = int(page[-1]["sekvensnummer"]) + 1
        if kept:
            break
    return {"hendelser": kept, "neste": neste}


def latest_for_role(upstream: Upstream, pakke: Rettighetspakke, request: Any) -> int:
    """`hendelser/siste/sekvensnummer` for the role: the newest event it can see.

    Looked for page by page back from the register's newest (at most `MAX_SCANNED_PAGES` pages); when
    none of them holds one, the number before them (no event after it is for the role). Never more than
    the register's own answer, so a reader starting after it misses nothing it may read.
    """
    end = upstream.siste_sekvensnummer(pakke)
    for _ in range(MAX_SCANNED_PAGES):
        if end < 1:
            return 0
        start = max(1, end - PAGE_SIZE + 1)
        page = upstream.hendelser_feed(pakke, str(start))
        seen = _visible([e for e in page if int(e["sekvensnummer"]) <= end], request.rolle)
        if seen:
            return int(seen[-1]["sekvensnummer"])
        end = start - 1
    return max(end, 0)


class Feed:
    """A feed page for the role (`feed_for_role`): events (ids, types, document pointers), no person data."""

    def filter(self, result: Any, role: Rolle, request: PartRequest) -> Any:
        return {"hendelser": _visible(result["hendelser"], role), "neste": int(result["neste"])}

    def persons(self, result: Any) -> list[str]:
        return list(dict.fromkeys(e["hendelse"]["folkeregisteridentifikator"] for e in result["hendelser"]))


def feed_json(result: Any, address: Address) -> bytes:
    """A feed page as the register's JSON: the list of events."""
    return orjson.dumps(result["hendelser"])


def feed_atom(result: Any, address: Address) -> bytes:
    """A feed page (already cut to the role) as Atom, its links pointing at this gateway's feed for the role.

    The entries are exactly those of the JSON page, so the Atom shows nothing the JSON would not; `next`
    points past every event read, dropped ones too.
    """
    start = _start(address.query)
    feed_id = f"urn:fiks-folkeregister:rolle:{address.rolle_id}:hendelser"
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    url_for = lambda n: f"{address.url}?seq={n}"  # noqa: E731
    return render_atom(result["hendelser"], start, url_for, feed_id, now, next_seq=result["neste"])


def _start(query: Mapping[str, Any]) -> int:
    """The page's `seq` (the register has accepted it, so it is a whole number; the last one counts)."""
    values = query.get("seq") or ()
    try:
        return parse_whole_number(values[-1] if values else None, "seq")
    except InvalidNumber as error:
        raise GatewayError(400, codes.UGYLDIG_PARAMETER, error.message, {"parameter": "seq"}) from None


class Sekvensnummer:
    """`hendelser/siste/sekvensnummer`: a bare JSON number, no person data; anything else is not passed on."""

    def filter(self, result: Any, role: Rolle, request: PartRequest) -> Any:
        if isinstance(result, bool) or not isinstance(result, int):
            raise TypeError(f"the register's newest sequence number is not a number: {type(result).__name__}")
        return result

    def persons(self, result: Any) -> list[str]:
        return []


def _unknown_event(dokumentidentifikator: str) -> UpstreamError:
    """The register's answer for an event id it does not know (so a hidden event looks exactly unknown)."""
    return UpstreamError(
        404,
        {
            "feilkode": "HENDELSE_IKKE_FUNNET",
            "feilmelding": f"No event document with id {dokumentidentifikator}",
            "httpStatus": 404,
            "alvorlighetsgrad": "WARNING",
        },
    )


class EventDocument:
    """One `DokumentForHendelse`; one of a type outside the role is answered as unknown (404)."""

    def filter(self, result: Any, role: Rolle, request: PartRequest) -> Any:
        if not event_visible(role, result["hendelse"].get("hendelsestype")):
            raise _unknown_event(str(result.get("dokumentidentifikator", "")))
        return filter_event_document(result, role)

    def persons(self, result: Any) -> list[str]:
        return [str(result["hendelse"]["folkeregisteridentifikator"])]


class EventDocuments:
    """A list of `DokumentForHendelse`; those of types outside the role are left out, as unknown ids are."""

    def filter(self, result: Any, role: Rolle, request: PartRequest) -> Any:
        return [
            filter_event_document(document, role)
            for document in result or ()
            if event_visible(role, document["hendelse"].get("hendelsestype"))
        ]

    def persons(self, result: Any) -> list[str]:
        return list(dict.fromkeys(str(d["hendelse"]["folkeregisteridentifikator"]) for d in result or ()))


class Passthrough:
    """An answer without person data (`{"jobbId"}`)."""

    def __init__(self, *fields: str) -> None:
        self._fields = fields

    def filter(self, result: Any, role: Rolle, request: PartRequest) -> Any:
        return {name: result[name] for name in self._fields if name in result}

    def persons(self, result: Any) -> list[str]:
        return []


class ExtractBatch:
    """`{"foedselsEllerDNummer": [...]}` or `{"dokumentidentifikator": [...]}` or `{}` (the end)."""

    def filter(self, result: Any, role: Rolle, request: PartRequest) -> Any:
        return {
            k: list(v) for k, v in result.items() if k in ("foedselsEllerDNummer", "dokumentidentifikator")
        }

    def persons(self, result: Any) -> list[str]:
        return [str(number) for number in result.get("foedselsEllerDNummer") or ()]
