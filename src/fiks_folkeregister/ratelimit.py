"""Counting events per key against a rate (the `limits` library's moving window), in memory or in Redis.

One small component for every limit the gateway keeps: failed authentications (a moving window, exact) and
request rates (a sliding window counter: two counters per key, so a limit of 60 000 a minute costs no more
than one of 10). With a Redis URL every process sharing that Redis shares the counts; without one each
process counts alone.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

KEY_PREFIX = "fiksreg"
#: How events are counted: exactly (each event remembered) or approximately (the previous window's count,
#: weighted by how much of it still overlaps, plus the current one's).
STRATEGIES = {"moving-window": MovingWindowRateLimiter, "sliding-window": SlidingWindowCounterRateLimiter}


class LimiterUnavailableError(Exception):
    """The counts could not be read or written (Redis unreachable): refuse rather than count nothing."""


def parse_rate(rate: str) -> RateLimitItem:
    """``"10/minute"``, ``"50 per hour"`` … as a limit; raises ``ValueError`` naming the text."""
    try:
        return parse(rate)
    except ValueError as error:
        raise ValueError(f"{rate!r} is not a rate such as '10/minute'") from error


class LazilyExpiringMemory(MemoryStorage):
    """`limits`' in-memory storage, its expired counts and events dropped at most once a second by the
    thread that counts. (The library's own storage starts a timer thread 10 ms after every count while
    counting goes on: a hundred threads a second at a few hundred requests a second, more than the counting
    itself costs.) A count past its window is never read either way: `get` ignores expired counters and the
    moving window compares times; the sweep only bounds memory."""

    STORAGE_SCHEME: ClassVar[list[str]] = [
        "fiksreg-memory"
    ]  # its own scheme: `memory://` stays the library's
    SWEEP_SECONDS = 1.0

    def __init__(self, **options: Any) -> None:
        self._swept = time.monotonic()
        self._sweeping = threading.Lock()
        super().__init__(**options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # the library's private hook, called per count
        now = time.monotonic()
        if now - self._swept < self.SWEEP_SECONDS or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._swept = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._sweeping.release()


class RateLimiter:
    """How often something happened per key within a rate's window, and when it may happen again."""

    def __init__(
        self,
        redis_url: str | None = None,
        *,
        strategy: str = "moving-window",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if redis_url:
            storage = storage_from_string(redis_url, key_prefix=KEY_PREFIX, wrap_exceptions=True)
        else:
            storage = LazilyExpiringMemory(wrap_exceptions=True)
        self._strategy = STRATEGIES[strategy](storage)
        self._clock = clock

    def acquire(self, rate: RateLimitItem, *key: str) -> int | None:
        """Count one event for ``key`` if it fits in ``rate`` (None); otherwise count nothing and say how
        many whole seconds until one fits. One round trip to Redis when the event fits."""
        try:
            if self._strategy.hit(rate, *key):
                return None
            reset_at = self._strategy.get_window_stats(rate, *key).reset_time
        except StorageError as error:
            raise LimiterUnavailableError(str(error.storage_error)) from None
        return max(1, math.ceil(reset_at - self._clock()))

    def retry_after(self, rate: RateLimitItem, *key: str) -> int | None:
        """Whole seconds until one more event fits in ``rate`` for ``key``; None when one fits now."""
        try:
            if self._strategy.test(rate, *key):
                return None
            reset_at = self._strategy.get_window_stats(rate, *key).reset_time
        except StorageError as error:
            raise LimiterUnavailableError(str(error.storage_error)) from None
        return max(1, math.ceil(reset_at - self._clock()))

    def hit(self, rate: RateLimitItem, *key: str) -> None:
        """Count one event for ``key`` (beyond the rate it is still remembered as over the limit)."""
        try:
            self._strategy.hit(rate, *key)
        except StorageError as error:
            raise LimiterUnavailableError(str(error.storage_error)) from None

    def clear(self, rate: RateLimitItem, *key: str) -> None:
        """Forget ``key``'s events for ``rate``."""
        try:
            self._strategy.clear(rate, *key)
        except StorageError as error:
            raise LimiterUnavailableError(str(error.storage_error)) from None
