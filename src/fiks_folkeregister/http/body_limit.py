"""Refuse a request body over the limit while it streams in: 413 before the app parses or authenticates.

A declared `Content-Length` over the limit is refused at once, without reading. Any other body (chunked,
or declared small and then longer) is read here, counting bytes, until it ends or passes the limit; so at
most `limit` bytes of a request are ever held, and the app sees the body only once it is known to fit.
The refusal is the app's own: `refuse(request, limit)` renders it in the app's error format (and may
audit it), with a request whose body reads as empty.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fiks_folkeregister.domain.heltall import is_ascii_digits

#: Renders (and may record) the 413 for a request whose body is over `limit` bytes.
Refusal = Callable[[Request, int], Awaitable[Response]]


class BodyLimit:
    """ASGI middleware: bodies over `limit` bytes are answered by `refuse` and never reach the app."""

    def __init__(self, app: ASGIApp, limit: int, refuse: Refusal) -> None:
        self.app = app
        self.limit = limit
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(scope, send)
            return
        received: list[Message] = []
        size = 0
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break  # the client went away; the app learns it as usual
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._refuse(scope, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        async def empty() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        response = await self.refuse(Request(scope, empty), self.limit)
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(scope, empty, send)


def _content_length(scope: Scope) -> int | None:
    """The declared length, if any; a malformed one counts as unknown (the server rejects it anyway)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # Only the digit count matters for "over the limit": no huge int is made of a long header.
            if is_ascii_digits(text):
                return int(text) if len(text) <= 18 else 10**18
            return None
    return None


def too_large_message(limit: int) -> str:
    """The words every app uses for the refusal."""
    return f"The request body is larger than {limit} bytes"
