"""A feed page as an Atom feed (RFC 4287): one entry per event, with self/first/next links for paging.

Pure: the register and the gateway both render their pages with it, each with its own page URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson

ATOM = "application/atom+xml"


def render_atom(
    entries: Sequence[Mapping[str, Any]],
    seq: int,
    url_for: Callable[[int], str],
    feed_id: str,
    updated_if_empty: str,
    next_seq: int | None = None,
) -> bytes:
    """The page as an Atom document; `entries` are the feed's JSON entries (`LagretHendelse…`).

    `url_for(n)` is the URL of the page starting at sequence number n. `next` always points past the last
    event on the page (or at the same page when it is empty), so a reader polls it until events arrive;
    `first` points at sequence number 1. `next_seq` overrides where `next` points (a page cut to a role
    points past the events it left out). Each entry's content is exactly its JSON entry, nothing more.
    """
    hendelser = [entry["hendelse"] for entry in entries]
    if next_seq is None:
        next_seq = int(entries[-1]["sekvensnummer"]) + 1 if entries else seq
    updated = hendelser[-1]["ajourholdstidspunkt"] if entries else updated_if_empty
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<id>{escape(feed_id)}</id>",
        "<title>Folkeregisteret hendelser</title>",
        f"<updated>{escape(updated)}</updated>",
        "<author><name>Folkeregisteret</name></author>",
        f'<link rel="self" href={quoteattr(url_for(seq))}/>',
        f'<link rel="first" href={quoteattr(url_for(1))}/>',
        f'<link rel="next" href={quoteattr(url_for(next_seq))}/>',
    ]
    for entry, hendelse in zip(entries, hendelser, strict=True):
        content = escape(orjson.dumps(entry).decode())
        parts.append(
            "<entry>"
            f"<id>urn:uuid:{escape(hendelse['hendelsesdokument'])}</id>"
            f"<title>{escape(hendelse['hendelsetype'])}</title>"
            f"<updated>{escape(hendelse['ajourholdstidspunkt'])}</updated>"
            f"<category term={quoteattr(hendelse['hendelsetype'])}/>"
            f'<content type="application/json">{content}</content>'
            "</entry>"
        )
    parts.append("</feed>")
    return "".join(parts).encode()
