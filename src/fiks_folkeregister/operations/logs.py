"""Structured logs: one JSON object per line (structlog), with the request id, never personal data or secrets.

Every logger in the process (ours, uvicorn's, SQLAlchemy's) goes through the same processors. The code logs
no identity numbers, tokens or passwords to begin with (resource names and machine codes, never paths or
values); as a second line of defence every line is scrubbed of what looks like one: eleven-digit numbers
(fødselsnummer, d-nummer), JSON Web Tokens and bearer credentials, in the message, its fields and any
traceback.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson
import structlog
from structlog.typing import EventDict, WrappedLogger

from fiks_folkeregister.http.request_id import current_request_id

#: What is scrubbed, in one pass (each string of every line goes through it): an eleven-digit number, a
#: JSON Web Token, or the credential after `Bearer`/`Basic` (a token there goes with it).
_SECRET = re.compile(
    r"(?P<nummer>(?<!\d)\d{11}(?!\d))"
    r"|(?P<token>eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)"
    r"|(?i:\b(?P<scheme>bearer|basic)\s+[^\s\"',]+)"
)


def _replacement(found: re.Match[str]) -> str:
    if found["nummer"]:
        return "[identitetsnummer]"
    if found["token"]:
        return "[token]"
    return f"{found['scheme']} [skjult]"


def scrub(text: str) -> str:
    """``text`` with identity numbers, tokens and bearer credentials replaced."""
    return _SECRET.sub(_replacement, text)


def _scrub_all(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    return {key: _scrubbed(value) for key, value in event.items()}


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def _json_line(event: EventDict, **_: Any) -> str:
    """One line of JSON (orjson: a tenth of the standard library's time); what it cannot encode as text."""
    return orjson.dumps(event, default=str).decode()


def _request_id(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    found = current_request_id()
    if found is not None:
        event.setdefault("request_id", found)
    return event


def configure_logging(level: str = "INFO", json: bool = True, stream: TextIO | None = None) -> None:
    """Route every logger of the process to one handler on ``stream`` (stderr), as JSON lines or readable
    text (development). Called once per served process, by the app factories."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _request_id,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=_json_line)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _scrub_all,
            renderer,
        ],
    )
    handler = (JsonLines if json else logging.StreamHandler)(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    # uvicorn's access line names the path and query (identity numbers): the apps log each request
    # themselves (`operations.observe`). Kept off here too, as `serve` asks: with a handler to propagate to,
    # uvicorn would write the line for every request.
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    for name in (
        "httpx",
        "httpcore",
    ):  # their INFO lines name every URL, and register URLs hold identity numbers
        logging.getLogger(name).setLevel(logging.WARNING)


class JsonLines(logging.StreamHandler):  # type: ignore[type-arg]
    """The process's one handler when its lines are JSON (`configure_logging`); `RequestLines` writes to it."""


class RequestLines:
    """The one line per answered request (`operations.observe`): method, resource name, status, time and
    request id, never the path (it holds identity numbers).

    Where the process logs JSON lines, the line is written straight to that handler, as the processor chain
    would render it (the same keys, a UTC timestamp): its fields are the gateway's own names and numbers,
    so the chain (a `LogRecord`, contextvars, the scrub of every string) has nothing to add, and it cost a
    tenth of a lookup. Otherwise (readable text, a level above INFO, another handler) through structlog
    like every other line."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger = logging.getLogger(name)
        self._structured = structlog.get_logger(name)

    def answered(self, method: str, resource: str, status: int, duration_ms: float, request_id: str) -> None:
        if not self._logger.isEnabledFor(logging.INFO):
            return
        handlers = logging.getLogger().handlers
        handler = handlers[0] if len(handlers) == 1 and not self._logger.handlers else None
        if not isinstance(handler, JsonLines) or not self._logger.propagate:
            self._structured.info(
                "answered",
                method=method,
                resource=resource,
                status=status,
                duration_ms=duration_ms,
                request_id=request_id,
            )
            return
        line = _json_line(
            {
                "method": method,
                "resource": resource,
                "status": status,
                "duration_ms": duration_ms,
                "request_id": request_id,
                "event": "answered",
                "level": "info",
                "logger": self._name,
                "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            }
        )
        handler.acquire()
        try:
            handler.stream.write(line + handler.terminator)
            handler.flush()
        finally:
            handler.release()
