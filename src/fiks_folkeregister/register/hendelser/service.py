"""The register's event use cases: feed pages, the newest number, event documents (`hendelser/*`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fiks_folkeregister.domain.informasjonselementer import ADDRESS_ELEMENTS, Rettighetspakke
from fiks_folkeregister.domain.minimering import VISIBLE_ADDRESS_GRADINGS
from fiks_folkeregister.register.errors import RegisterError, bad_request, not_found
from fiks_folkeregister.register.hendelser.feed import FeedPage, feed_page, parse_seq
from fiks_folkeregister.register.hendelser.log import EventLog

MAX_BULK = 1000


def _only_med_hjemmel(pakke: Rettighetspakke, resource: str) -> None:
    if pakke is not Rettighetspakke.OFFENTLIG_MED_HJEMMEL:
        raise RegisterError(
            403, "MANGLER_TILGANG", f"{resource} is only for {Rettighetspakke.OFFENTLIG_MED_HJEMMEL.value}"
        )


class Hendelser:
    """`hendelser/*` as the national register answers them, for one rights package at a time."""

    def __init__(self, log: EventLog) -> None:
        self._log = log

    @property
    def log(self) -> EventLog:
        return self._log

    def feed(
        self,
        seq: str | None,
        pakke: Rettighetspakke,
        atom_url_for: Callable[[int], str] | None = None,
    ) -> FeedPage:
        """Events from `seq` on (1000 at most); Atom when `atom_url_for` gives the page URLs, else JSON.

        offentlig-uten-hjemmel gets only the events open to it (domain.hendelse.open_to_uten_hjemmel); a
        `seq` beyond the newest event gives an empty page.
        """
        start = parse_seq(seq)
        entries = self._log.page(start, open_only=pakke is Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL)
        return feed_page(entries, start, pakke, atom_url_for)

    def siste(self, pakke: Rettighetspakke) -> int:
        """`hendelser/siste/sekvensnummer`: the newest sequence number this package can read.

        A bare JSON number, as the spec declares for JSON (consumers asked the register to keep it so).
        """
        return self._log.latest(open_only=pakke is Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL)

    def dokument(self, hendelsesidentifikator: str, pakke: Rettighetspakke) -> Mapping[str, Any]:
        """`hendelser/{id}`: one event document (offentlig-med-hjemmel only)."""
        _only_med_hjemmel(pakke, "hendelser/{hendelsesidentifikator}")
        found = self._log.documents([hendelsesidentifikator]).get(hendelsesidentifikator)
        if found is None:
            raise not_found("HENDELSE_IKKE_FUNNET", f"No event document with id {hendelsesidentifikator}")
        return _without_hidden_addresses(found)

    def bulkoppslag(self, body: Any, pakke: Rettighetspakke) -> list[Mapping[str, Any]]:
        """`hendelser/bulkoppslag`: the event documents found, in the order asked (unknown ids left out)."""
        _only_med_hjemmel(pakke, "hendelser/bulkoppslag")
        if not isinstance(body, dict) or not isinstance(body.get("dokumentidentifikator"), list):
            raise bad_request(
                "UGYLDIG_FORESPOERSEL",
                'The body must be {"dokumentidentifikator": [...]} (a list of event ids)',
            )
        ids = body["dokumentidentifikator"]
        if not ids or not all(isinstance(value, str) for value in ids):
            raise bad_request(
                "UGYLDIG_FORESPOERSEL", "'dokumentidentifikator' must be a non-empty list of strings"
            )
        if len(ids) > MAX_BULK:
            raise bad_request(
                "FOR_MANGE_IDENTIFIKATORER", f"At most {MAX_BULK} ids per request; got {len(ids)}"
            )
        found = self._log.documents(ids)
        return [_without_hidden_addresses(found[dokid]) for dokid in dict.fromkeys(ids) if dokid in found]


def _without_hidden_addresses(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """strengtFortrolig addresses are never given out, in event documents neither."""
    visible = VISIBLE_ADDRESS_GRADINGS[Rettighetspakke.OFFENTLIG_MED_HJEMMEL]
    entries = document["hendelse"]["egenskapshendelse"]
    kept = [
        entry
        for entry in entries
        if not any(
            key in ADDRESS_ELEMENTS
            and isinstance(value, dict)
            and value.get("adressegradering") not in visible
            for key, value in entry.items()
        )
    ]
    if len(kept) == len(entries):
        return document
    return {**document, "hendelse": {**document["hendelse"], "egenskapshendelse": kept}}
