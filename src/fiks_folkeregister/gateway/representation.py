"""How an answer is represented: where it is served and how each media type renders it (negotiation and
ETags are the toolkit's: `http/negotiation.py`, `http/etag.py`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from fiks_folkeregister.http.errors import JSON


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
