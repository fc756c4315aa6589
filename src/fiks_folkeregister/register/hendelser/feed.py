"""The feed's pages: the `seq` parameter, the rendering (JSON or Atom) and the ETag naming the page's content."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from fiks_folkeregister.domain.atom import ATOM, render_atom
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.parametre import whole_number
from fiks_folkeregister.http.etag import weak_etag
from fiks_folkeregister.register.errors import bad_request, parsed
from fiks_folkeregister.register.hendelser.log import FeedEntry

FEED_ID = "urn:fiks-folkeregister:hendelser"


@dataclass(frozen=True, slots=True)
class FeedPage:
    """A page of the feed, rendered, with the ETag that identifies its content."""

    body: bytes
    etag: str
    media_type: str
    entries: tuple[FeedEntry, ...]


def parse_seq(value: str | None) -> int:
    """The feed's `seq` parameter: a whole number, 0 or more (0 and 1 both start at the beginning)."""
    number = parsed(lambda: whole_number(value, "seq"))
    if number is None:
        raise bad_request(
            "UGYLDIG_PARAMETER", "seq is required: the sequence number to read from (1 for the start)"
        )
    return number


def feed_etag(pakke: Rettighetspakke, seq: int, entries: Sequence[FeedEntry], representation: str) -> str:
    """Changes whenever the page would: a full page never changes, a partial one grows with new events."""
    last = entries[-1].sekvensnummer if entries else seq - 1
    return weak_etag(pakke.value, representation, str(seq), str(last), str(len(entries)))


def feed_page(
    entries: Sequence[FeedEntry],
    start: int,
    pakke: Rettighetspakke,
    atom_url_for: Callable[[int], str] | None,
) -> FeedPage:
    """The page from `start`: Atom when `atom_url_for` gives the page URLs, else JSON."""
    if atom_url_for is None:
        body = orjson.dumps([entry.as_json() for entry in entries])
        return FeedPage(body, feed_etag(pakke, start, entries, "j"), "application/json", tuple(entries))
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = render_atom([entry.as_json() for entry in entries], start, atom_url_for, FEED_ID, now)
    return FeedPage(body, feed_etag(pakke, start, entries, "a"), ATOM, tuple(entries))
