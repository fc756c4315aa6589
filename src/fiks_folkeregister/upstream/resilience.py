"""Fault tolerance for a remote register: jittered retries, Retry-After, a circuit breaker per upstream."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

from fiks_folkeregister.domain.heltall import is_ascii_digits
from fiks_folkeregister.http.errors import HttpError
from fiks_folkeregister.upstream.port import UpstreamError

log = logging.getLogger(__name__)

# Machine codes of failures the gateway detects on its way to the register (not the register's own answers).
REGISTERET_SVARER_IKKE = "REGISTERET_SVARER_IKKE"  # 504: no answer within the timeout
REGISTERET_FEILET = "REGISTERET_FEILET"  # 502: 5xx after retries, a broken or unreadable answer
REGISTERET_UTILGJENGELIG = "REGISTERET_UTILGJENGELIG"  # 503: unreachable, or the circuit breaker is open
REGISTERET_STRUPER = "REGISTERET_STRUPER"  # 429: the register throttles the platform longer than we wait
REGISTERET_AVVISTE_PLATTFORMEN = "REGISTERET_AVVISTE_PLATTFORMEN"  # 502: the platform's own token refused
MASKINPORTEN_UTILGJENGELIG = "MASKINPORTEN_UTILGJENGELIG"  # 503: no token could be fetched (transient)
MASKINPORTEN_AVVISTE = "MASKINPORTEN_AVVISTE"  # 502: the token endpoint refused the platform's grant


class UpstreamUnavailableError(UpstreamError, HttpError):
    """The gateway could not get an answer from the register; not an answer the register gave.

    An ``HttpError`` (the apps' one error type): ``code`` is one of this module's machine codes, ``message``
    says what happened in words a caller can act on, ``details`` go to the platform error body's
    ``errorJson``, ``headers`` carry ``Retry-After`` when a wait is known. Also an ``UpstreamError`` (what
    every ``Upstream`` call raises), so ``body`` has the register's error shape: a caller passing
    ``UpstreamError`` on as is still gives a clear answer.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        retry_after: float | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        headers = {"Retry-After": str(max(1, round(retry_after)))} if retry_after is not None else None
        # HttpError's fields; UpstreamError's own constructor would only set its `body` and `headers`.
        HttpError.__init__(self, status, code, message, details, headers)
        self.body = {
            "feilkode": code,
            "feilmelding": message,
            "httpStatus": status,
            "alvorlighetsgrad": "ERROR",
        }


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one call tries: attempts, jittered exponential backoff, the Retry-After bound, a deadline."""

    attempts: int = 3
    backoff_base_seconds: float = 0.05
    backoff_cap_seconds: float = 1.0
    max_retry_after_seconds: float = 2.0
    deadline_seconds: float = 20.0
    #: Answers worth another attempt for an idempotent call: the register or a proxy in front of it failed.
    retry_statuses: frozenset[int] = field(default=frozenset({500, 502, 503, 504}))

    def backoff(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, min(cap, base·2^n)], so retrying callers spread out."""
        ceiling = min(self.backoff_cap_seconds, self.backoff_base_seconds * 2 ** max(0, retry_number - 1))
        return (rng or random).uniform(0, ceiling)

    def acceptable_wait(self, retry_after: float | None) -> bool:
        """Whether a 429's Retry-After is short enough to wait out rather than pass the 429 on."""
        return retry_after is not None and retry_after <= self.max_retry_after_seconds


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent/invalid."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if is_ascii_digits(text):  # not str.isdigit(): '²' would pass it and then break float()
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - now())


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Per upstream: after ``failure_threshold`` consecutive failures, refuse calls for ``reset_seconds``.

    Then one trial call is let through (half-open): success closes the breaker, failure opens it again. While
    open or while the trial runs, every other call is refused at once, so a dead register gives fast 503s
    instead of a pile of waiting requests. Thread-safe; per process (each worker learns for itself).
    """

    def __init__(
        self,
        name: str,
        failure_threshold: int = 5,
        reset_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or reset_seconds <= 0:
            raise ValueError("a breaker needs a failure threshold ≥ 1 and a positive reset time")
        self.name = name
        self._threshold = failure_threshold
        self._reset = reset_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self._reset:
                return BreakerState.HALF_OPEN
            return self._state

    def before_call(self) -> None:
        """Let the call through, or raise a 503 ``UpstreamUnavailableError`` (circuit open)."""
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return
            waited = self._clock() - self._opened_at
            if self._state is BreakerState.OPEN and waited >= self._reset:
                self._state = BreakerState.HALF_OPEN
                self._trial_running = False
            if self._state is BreakerState.HALF_OPEN and not self._trial_running:
                self._trial_running = True
                log.info("circuit breaker %s: half-open, letting one trial call through", self.name)
                return
            remaining = max(0.0, self._reset - waited)
        raise UpstreamUnavailableError(
            503,
            REGISTERET_UTILGJENGELIG,
            "The population register is not reachable at the moment (the gateway has stopped calling it "
            "for a short while after repeated failures); try again later",
            retry_after=max(1.0, remaining),
            details={"circuitBreaker": "open"},
        )

    def record_success(self) -> None:
        with self._lock:
            if self._state is not BreakerState.CLOSED:
                log.warning("circuit breaker %s: closed again, the register answers", self.name)
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._trial_running = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state is BreakerState.HALF_OPEN or (
                self._state is BreakerState.CLOSED and self._failures >= self._threshold
            ):
                if self._state is BreakerState.CLOSED:
                    log.warning(
                        "circuit breaker %s: opened after %d consecutive failures", self.name, self._failures
                    )
                self._state = BreakerState.OPEN
                self._opened_at = self._clock()
                self._trial_running = False

    def release_trial(self) -> None:
        """A trial call ended without telling anything about the register's health (e.g. no token)."""
        with self._lock:
            self._trial_running = False
