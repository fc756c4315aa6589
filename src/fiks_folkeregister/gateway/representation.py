"""How an answer is represented: content negotiation (`Accept`), rendering, and validators (`ETag`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from fiks_folkeregister.gateway.errors import JSON


@dataclass(frozen=True)
class Address:
    """Where an answer is served: the request's absolute URL without its query, the query, the role's id."""

    url: str
    query: Mapping[str, Sequence[str]]
    rolle_id: str


#: Renders an answer already cut to the role into the bytes of one media type.
Render = Callable[[Any, Address], bytes]


def as_json(result: Any, address: Address) -> bytes:
    return orjson.dumps(result)


#: What most resources offer: JSON only.
JSON_ONLY: tuple[tuple[str, Render], ...] = ((JSON, as_json),)


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, or None when it accepts none of them (406).

    No `Accept` (or an empty one) takes the first offer. Each offer gets the quality of the most specific
    range that matches it (`type/sub` over `type/*` over `*/*`); the highest quality wins, a tie goes to
    the offer whose range the client listed first, then to the first offer. Quality 0 means "not this".
    """
    ranges = _ranges(accept or "")
    if not ranges:
        return offered[0] if offered else None
    best: tuple[float, int, int] | None = None
    chosen = None
    for rank, offer in enumerate(offered):
        found = _quality(offer.lower(), ranges)
        if found is None or found[0] <= 0:
            continue
        quality, position = found
        key = (-quality, position, rank)
        if best is None or key < best:
            best, chosen = key, offer
    return chosen


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for item in accept.split(","):
        media, *params = item.split(";")
        media = media.strip().lower()
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 1.0  # a malformed weight is ignored, as if absent
        ranges.append((media, quality))
    return ranges


def _quality(offer: str, ranges: Sequence[tuple[str, float]]) -> tuple[float, int] | None:
    """(quality, position in Accept) of the most specific range matching `offer`, or None."""
    kind = offer.split("/")[0]
    best: tuple[int, float, int] | None = None
    for position, (media, quality) in enumerate(ranges):
        if media == offer:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, quality, position)
    return None if best is None else (best[1], best[2])


def weak_etag(*parts: bytes | str) -> str:
    """A weak validator over what identifies the content (equal content, equal tag; the bytes may differ
    in what does not matter, e.g. an empty Atom page's `updated`)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return f'W/"{digest.hexdigest()[:32]}"'


_ENTITY_TAG = re.compile(r'\s*(\*|(?:W/)?"[^"]*")\s*(?:,|$)')


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """`If-None-Match` by weak comparison (RFC 9110 §13.1.2): `*`, or one of the listed tags."""
    if not if_none_match:
        return False
    opaque = etag.removeprefix("W/")
    for match in _ENTITY_TAG.finditer(if_none_match):
        tag = match.group(1)
        if tag == "*" or tag.removeprefix("W/") == opaque:
            return True
    return False
