"""How the gateway reads event and extract answers: cut event documents to the role, find persons for audit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fiks_folkeregister.domain.atom import render_atom
from fiks_folkeregister.domain.heltall import InvalidNumber, parse_whole_number
from fiks_folkeregister.domain.hendelse import ENTITETER
from fiks_folkeregister.domain.informasjonselementer import ADDRESS_ELEMENTS, PartRequest
from fiks_folkeregister.domain.minimering import VISIBLE_ADDRESS_GRADINGS
from fiks_folkeregister.domain.rolle import Rolle
from fiks_folkeregister.domain.rollepolicy import ALWAYS_RETURNED
from fiks_folkeregister.gateway import errors as codes
from fiks_folkeregister.gateway.errors import GatewayError
from fiks_folkeregister.gateway.representation import Address

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


class Feed:
    """A feed page: a list of events (ids, types, document pointers; no person data to cut)."""

    def filter(self, result: Any, role: Rolle, request: PartRequest) -> Any:
        return [{"sekvensnummer": e["sekvensnummer"], "hendelse": dict(e["hendelse"])} for e in result or ()]

    def persons(self, result: Any) -> list[str]:
        return list(dict.fromkeys(e["hendelse"]["folkeregisteridentifikator"] for e in result or ()))


def feed_atom(entries: Any, address: Address) -> bytes:
    """A feed page (already cut to the role) as Atom, its links pointing at this gateway's feed for the role.

    The entries are exactly those of the JSON page, so the Atom shows nothing the JSON would not.
    """
    start = _start(address.query)
    feed_id = f"urn:fiks-folkeregister:rolle:{address.rolle_id}:hendelser"
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return render_atom(entries or (), start, lambda n: f"{address.url}?seq={n}", feed_id, now)


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


class EventDocument:
    """One `DokumentForHendelse`."""

    def filter(self, result: Any, role: Rolle, request: PartRequest) -> Any:
        return filter_event_document(result, role)

    def persons(self, result: Any) -> list[str]:
        return [str(result["hendelse"]["folkeregisteridentifikator"])]


class EventDocuments:
    """A list of `DokumentForHendelse`."""

    def filter(self, result: Any, role: Rolle, request: PartRequest) -> Any:
        return [filter_event_document(document, role) for document in result or ()]

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
