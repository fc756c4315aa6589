"""TEST ONLY: the embedded register misbehaving on purpose (latency, 500s, 429 bursts, dropped connections).

Installed as ASGI middleware when ``FIKSREG_REGISTER_FAULTS=true``, so a client's fault handling is tested
over a real socket. Only the register API (`/folkeregisteret/…`) is affected; the token issuer and
`/health` behave. Never enable it in production.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import random
import threading
from collections import Counter, deque
from dataclasses import dataclass, replace
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fiks_folkeregister.http.errors import register_body
from fiks_folkeregister.register.api import PREFIX
from fiks_folkeregister.register.errors import RegisterError
from fiks_folkeregister.settings import Settings

log = logging.getLogger(__name__)

DECISIONS = frozenset({"error", "throttle", "drop", "pass"})
_COUNTED = {"error": "error", "throttle": "throttled", "drop": "dropped", "pass": "passed"}


@dataclass(frozen=True)
class FaultPlan:
    """What goes wrong, and how often (rates are chances per request, 0 to 1)."""

    latency_seconds: float = 0.0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    throttle_burst: int = 3
    retry_after_seconds: int = 1
    drop_rate: float = 0.0
    seed: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> FaultPlan:
        return cls(
            latency_seconds=settings.register_fault_latency_seconds,
            error_rate=settings.register_fault_error_rate,
            throttle_rate=settings.register_fault_throttle_rate,
            throttle_burst=settings.register_fault_throttle_burst,
            retry_after_seconds=settings.register_fault_retry_after_seconds,
            drop_rate=settings.register_fault_drop_rate,
            seed=settings.register_fault_seed,
        )


class Faults:
    """The live fault state shared by the middleware and (in tests) whoever changes the plan meanwhile.

    ``counts`` tells what was done: ``requests``, ``latency``, ``error``, ``throttled``, ``dropped``,
    ``expired``, ``passed`` (register API requests only).
    """

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self._plan = plan or FaultPlan()
        self._random = random.Random(self._plan.seed)
        self._burst_left = 0
        self._forced: deque[str] = deque()
        self._expired_tokens: set[str] = set()
        self._seen_tokens: set[str] = set()

    @property
    def plan(self) -> FaultPlan:
        return self._plan

    def set_plan(self, plan: FaultPlan | None = None, **changes: Any) -> None:
        """Replace the plan (or change some of its fields); a running 429 burst ends."""
        with self._lock:
            self._plan = replace(plan or self._plan, **changes)
            self._random = random.Random(self._plan.seed)
            self._burst_left = 0

    def force(self, *decisions: str) -> None:
        """The next register requests get these faults, in order, whatever the plan's rates say.

        Each is one of ``error`` (500), ``throttle`` (429 with the plan's Retry-After), ``drop`` (connection
        dropped mid-body) or ``pass``.
        """
        unknown = set(decisions) - DECISIONS
        if unknown:
            raise ValueError(f"unknown fault {sorted(unknown)[0]!r}; use one of {sorted(DECISIONS)}")
        with self._lock:
            self._forced.extend(decisions)

    def expire_seen_tokens(self) -> None:
        """Every access token used so far is answered 401 from now on, as if it had expired."""
        with self._lock:
            self._expired_tokens |= self._seen_tokens

    def decide(self, token_digest: str | None) -> str:
        """What happens to the request arriving now (``token_digest``: a hash of its Authorization)."""
        with self._lock:
            plan = self._plan
            self.counts["requests"] += 1
            if token_digest is not None:
                if token_digest in self._expired_tokens:
                    self.counts["expired"] += 1
                    return "expired"
                self._seen_tokens.add(token_digest)
            if self._forced:
                decision = self._forced.popleft()
                self.counts[_COUNTED[decision]] += 1
                return decision
            if self._burst_left == 0 and plan.throttle_rate and self._random.random() < plan.throttle_rate:
                self._burst_left = plan.throttle_burst
            if self._burst_left > 0:
                self._burst_left -= 1
                self.counts["throttled"] += 1
                return "throttle"
            if plan.error_rate and self._random.random() < plan.error_rate:
                self.counts["error"] += 1
                return "error"
            if plan.drop_rate and self._random.random() < plan.drop_rate:
                self.counts["dropped"] += 1
                return "drop"
            self.counts["passed"] += 1
            return "pass"


class FaultMiddleware:
    """ASGI middleware applying a ``Faults`` plan to the register API."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        plan = self.faults.plan
        decision = self.faults.decide(_token_digest(scope))  # on arrival, so a late request decides nothing
        if plan.latency_seconds:
            self.faults.counts["latency"] += 1
            await asyncio.sleep(plan.latency_seconds)
        if decision == "expired":
            error = RegisterError(401, "UGYLDIG_TOKEN", "The access token was refused: the token has expired")
            await _answer(send, error, {"www-authenticate": 'Bearer error="invalid_token"'})
        elif decision == "throttle":
            error = RegisterError(429, "FOR_MANGE_FORESPOERSLER", "Too many requests; slow down")
            await _answer(send, error, {"retry-after": str(plan.retry_after_seconds)})
        elif decision == "error":
            await _answer(send, RegisterError(500, "INTERN_FEIL", "Internal error (injected fault)"), {})
        elif decision == "drop":
            # The server sees an unfinished response and closes the connection.
            with contextlib.suppress(_Dropped):
                await self.app(scope, receive, _dropping(send))
        else:
            await self.app(scope, receive, send)


def install_faults(app: Any, faults: Faults) -> Faults:
    """Put the fault middleware in front of ``app`` (a Starlette/FastAPI app, before it starts)."""
    log.warning("the register's TEST-ONLY fault mode is on: %s", faults.plan)
    app.add_middleware(FaultMiddleware, faults=faults)
    return faults


def _token_digest(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return base64.b64encode(hashlib.sha256(value).digest()).decode("ascii")
    return None


async def _answer(send: Send, error: RegisterError, headers: dict[str, str]) -> None:
    body = orjson.dumps(register_body(error))
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.encode(), value.encode()) for name, value in headers.items()),
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def _dropping(send: Send) -> Send:
    """Passes the response start on, then only the first half of the body, then stops (connection drops)."""
    state: dict[str, Any] = {"dropped": False}

    async def dropping_send(message: Message) -> None:
        if state["dropped"]:
            return
        if message["type"] == "http.response.body":
            body = message.get("body", b"")
            state["dropped"] = True
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
            raise _Dropped
        await send(message)

    return dropping_send


class _Dropped(Exception):
    """Raised into the app to stop the response half-way; the server then closes the connection."""
