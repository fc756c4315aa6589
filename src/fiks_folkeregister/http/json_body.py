"""Reading a JSON request body: the content type checked (415), then the JSON parsed (400).

Every app reads JSON bodies here. The size is capped before this runs: `body_limit.BodyLimit` (on every
app) answers 413 while an oversized body streams in, so a body that reaches this reader fits the limit.
The machine codes are each API's own (its catalogue says which); the words are the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request

from fiks_folkeregister.http.errors import JSON, HttpError


@dataclass(frozen=True, slots=True)
class BodyCodes:
    """The machine codes an API answers a body it cannot read with."""

    #: 415: the body is not declared `application/json`.
    not_json: str
    #: 400: the body is empty.
    empty: str
    #: 400: the body is not valid JSON.
    malformed: str


def parse_json_body(content_type: str | None, body: bytes, codes: BodyCodes) -> Any:
    """The parsed body, or an `HttpError` saying what is wrong with it (415, then 400)."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != JSON:
        raise HttpError(
            415, codes.not_json, f"Content-Type must be application/json, not '{media_type or 'missing'}'"
        )
    if not body:
        raise HttpError(400, codes.empty, "The request body is empty; expected JSON")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise HttpError(400, codes.malformed, f"The request body is not valid JSON: {error}") from None


async def read_json_body(request: Request, codes: BodyCodes) -> Any:
    """The request's body, read and parsed (`parse_json_body`)."""
    return parse_json_body(request.headers.get("content-type"), await request.body(), codes)
