"""The current request's id: set by the edge middleware, read by the pipeline (the audit record's
`request_id`, `X-Request-Id`, the platform body's `errorId`) and by every log line written meanwhile.

A context variable, so it follows the request into the worker thread that answers it.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar

_CURRENT: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _CURRENT.get()


def request_id() -> str:
    """The id of the request being answered, or a new one where no middleware gave one."""
    return _CURRENT.get() or str(uuid.uuid4())


def start_request() -> tuple[str, object]:
    """A new id for a request now starting, and the token that ends it (`end_request`)."""
    new = str(uuid.uuid4())
    return new, _CURRENT.set(new)


def end_request(token: object) -> None:
    _CURRENT.reset(token)  # type: ignore[arg-type]
