"""The edge of every request: its id (for the pipeline, the audit record and every log line), its metrics
and one log line naming the resource, status and time, never the path (it holds identity numbers)."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fiks_folkeregister.gateway.router import KONFIGURASJON_PREFIX, TARGET_SCOPE_KEY, Target, pipeline_target
from fiks_folkeregister.http.request_id import end_request, start_request
from fiks_folkeregister.operations.logs import RequestLines
from fiks_folkeregister.operations.metrics import Metrics

#: Probes and scrapes are neither counted nor logged.
UNOBSERVED = frozenset({"/health", "/ready", "/metrics"})
_AREAS = (
    (KONFIGURASJON_PREFIX, "konfigurasjon"),
    ("/admin/", "admin"),
    ("/maskinporten/", "maskinporten"),
    ("/portal", "portal"),
)


def resource_label(method: str, path: str, target: Target | None = None) -> str:
    """The name a request is counted and logged under: a mirrored resource's name (`ukjent` for a path no
    resource serves), else the area (`konfigurasjon`, `admin`, `maskinporten`, `portal`, `annet`): a
    short, fixed set.
    `target`: the pipeline's match of the path if already made (`MirroredEndpoints` leaves it)."""
    target = target or pipeline_target(method, path)
    if target is not None:
        return target.resource.name if target.resource is not None else "ukjent"
    for prefix, name in _AREAS:
        if path.startswith(prefix):
            return name
    return "annet"


class RequestObserver:
    """ASGI middleware: gives each request its id, and counts, times and logs it once answered."""

    def __init__(self, app: ASGIApp, metrics: Metrics, access_log: bool = True) -> None:
        self.app = app
        self._metrics = metrics
        self._lines = RequestLines("fiks_folkeregister.requests") if access_log else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNOBSERVED:
            await self.app(scope, receive, send)
            return
        request_id, token = start_request()
        started = time.perf_counter()
        status = 500  # unless an answer starts

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.setdefault("headers", [])
                if not any(name.lower() == b"x-request-id" for name, _ in headers):
                    headers.append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            seconds = time.perf_counter() - started
            resource = resource_label(scope["method"], scope["path"], scope.get(TARGET_SCOPE_KEY))
            self._metrics.request(resource, status, seconds)
            if self._lines is not None:
                self._lines.answered(
                    method=scope["method"],
                    resource=resource,
                    status=status,
                    duration_ms=round(seconds * 1000, 2),
                    request_id=request_id,
                )
            end_request(token)
