"""Weak entity tags and `If-None-Match` (RFC 9110 §8.8.3, §13.1.2): one way to tag and to match."""

from __future__ import annotations

import hashlib
import re

_ENTITY_TAG = re.compile(r'\s*(\*|(?:W/)?"[^"]*")\s*(?:,|$)')


def weak_etag(*parts: bytes | str) -> str:
    """A weak validator over what identifies the content (equal content, equal tag; the bytes may differ
    in what does not matter, e.g. an empty Atom page's `updated`). Parts are length-prefixed, so
    `("ab", "c")` and `("a", "bc")` differ."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return f'W/"{digest.hexdigest()[:32]}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """`If-None-Match` by weak comparison: `*`, or one of the listed tags (with or without `W/`)."""
    if not if_none_match:
        return False
    opaque = etag.removeprefix("W/")
    for match in _ENTITY_TAG.finditer(if_none_match):
        tag = match.group(1)
        if tag == "*" or tag.removeprefix("W/") == opaque:
            return True
    return False
