"""The event feed as an Atom feed (RFC 4287): one entry per event, with self/first/next links for paging."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

import orjson

from fiks_folkeregister.register.events import FeedEntry

ATOM = "application/atom+xml"


def render_atom(entries: Sequence[FeedEntry], seq: int, url_for: Callable[[int], str], feed_id: str) -> bytes:
    """The page as an Atom document. `url_for(n)` is the URL of the page starting at sequence number n.

    `next` always points past the last event on the page (or at the same page when it is empty), so a
    reader polls it until events arrive; `first` points at sequence number 1.
    """
    next_seq = entries[-1].sekvensnummer + 1 if entries else seq
    updated = entries[-1].ajourholdstidspunkt if entries else datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
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
    for entry in entries:
        content = escape(orjson.dumps(entry.as_json()).decode())
        parts.append(
            "<entry>"
            f"<id>urn:uuid:{escape(entry.hendelsesdokument)}</id>"
            f"<title>{escape(entry.hendelsetype)}</title>"
            f"<updated>{escape(entry.ajourholdstidspunkt)}</updated>"
            f"<category term={quoteattr(entry.hendelsetype)}/>"
            f'<content type="application/json">{content}</content>'
            "</entry>"
        )
    parts.append("</feed>")
    return "".join(parts).encode()
