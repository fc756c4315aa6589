"""The one JSON body reader: the content type first (415), then an empty or malformed body (400)."""

from __future__ import annotations

import asyncio

import pytest
from starlette.requests import Request

from fiks_folkeregister.http.errors import HttpError
from fiks_folkeregister.http.json_body import BodyCodes, parse_json_body, read_json_body

CODES = BodyCodes(not_json="NOT_JSON", empty="EMPTY", malformed="MALFORMED")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", " application/json"],
)
def test_a_json_body_is_parsed(content_type: str) -> None:
    assert parse_json_body(content_type, b'{"a": [1, "\xc3\xa6"]}', CODES) == {"a": [1, "æ"]}


@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        (None, "missing"),
        ("", "missing"),
        ("text/plain", "text/plain"),
        ("application/jsonx", "application/jsonx"),
    ],
)
def test_another_content_type_is_415_naming_it(content_type: str | None, named: str) -> None:
    with pytest.raises(HttpError) as refused:
        parse_json_body(content_type, b"{}", CODES)

    assert (refused.value.status, refused.value.code) == (415, "NOT_JSON")
    assert refused.value.message == f"Content-Type must be application/json, not '{named}'"


def test_the_content_type_is_checked_before_the_body() -> None:
    with pytest.raises(HttpError) as refused:
        parse_json_body("text/plain", b"", CODES)
    assert refused.value.status == 415


def test_an_empty_body_is_400() -> None:
    with pytest.raises(HttpError) as refused:
        parse_json_body("application/json", b"", CODES)

    assert (refused.value.status, refused.value.code) == (400, "EMPTY")
    assert "empty" in refused.value.message


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b'{"a": 1', b"[1,]", b"NaN"])
def test_a_malformed_body_is_400_saying_why(body: bytes) -> None:
    with pytest.raises(HttpError) as refused:
        parse_json_body("application/json", body, CODES)

    assert (refused.value.status, refused.value.code) == (400, "MALFORMED")
    assert refused.value.message.startswith("The request body is not valid JSON: ")


def _request(content_type: str | None, body: bytes) -> Request:
    headers = [(b"content-type", content_type.encode())] if content_type is not None else []
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request({"type": "http", "method": "POST", "headers": headers, "path": "/"}, receive)


def test_a_request_is_read_the_same_way() -> None:
    assert asyncio.run(read_json_body(_request("application/json", b"[1, 2]"), CODES)) == [1, 2]
    with pytest.raises(HttpError) as refused:
        asyncio.run(read_json_body(_request(None, b"[1, 2]"), CODES))
    assert refused.value.status == 415
