"""The rate limiter: counts per key within a moving window, in memory or in Redis, and says when to retry."""

from __future__ import annotations

import time
import uuid

import pytest
import redis
from pydantic import ValidationError

from fiks_folkeregister.ratelimit import (
    LazilyExpiringMemory,
    LimiterUnavailableError,
    RateLimiter,
    parse_rate,
)
from fiks_folkeregister.settings import Settings

REDIS_URL = "redis://localhost:6379/0"


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis answers at {REDIS_URL}")


@pytest.mark.parametrize("redis_url", [None, REDIS_URL], ids=["memory", "redis"])
def test_a_key_may_happen_rate_times_then_must_wait_and_other_keys_are_apart(redis_url: str | None) -> None:
    if redis_url:
        _redis_or_skip()
    limiter = RateLimiter(redis_url)
    rate, key, other = parse_rate("3/minute"), str(uuid.uuid4()), str(uuid.uuid4())
    waits = []
    for _ in range(3):
        waits.append(limiter.retry_after(rate, "test", key))
        limiter.hit(rate, "test", key)

    assert waits == [None, None, None]
    wait = limiter.retry_after(rate, "test", key)
    assert wait is not None and 0 < wait <= 60
    assert limiter.retry_after(rate, "test", other) is None
    limiter.clear(rate, "test", key)
    assert limiter.retry_after(rate, "test", key) is None


def test_two_limiters_on_one_redis_share_their_counts() -> None:
    _redis_or_skip()
    first, second = RateLimiter(REDIS_URL), RateLimiter(REDIS_URL)
    rate, key = parse_rate("2/minute"), str(uuid.uuid4())

    first.hit(rate, "test", key)
    second.hit(rate, "test", key)

    assert first.retry_after(rate, "test", key) is not None
    assert second.retry_after(rate, "test", key) is not None


def test_an_unreachable_redis_is_reported_not_ignored() -> None:
    limiter = RateLimiter("redis://127.0.0.1:9/0")

    with pytest.raises(LimiterUnavailableError):
        limiter.retry_after(parse_rate("1/minute"), "test", "key")


def test_a_rate_that_is_not_one_is_refused_by_the_settings() -> None:
    with pytest.raises(ValidationError, match="10/minute"):
        Settings(failed_authentications_per_integration="often")


def test_in_memory_counting_starts_no_thread_per_count_and_still_forgets_what_expired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import limits.storage.memory

    limiter = RateLimiter(None)
    storage = limiter._strategy.storage  # what the limiter counts in
    timers: list[object] = []
    monkeypatch.setattr(limits.storage.memory.threading, "Timer", lambda *a, **k: timers.append(a))
    monkeypatch.setattr(LazilyExpiringMemory, "SWEEP_SECONDS", 0.0)  # sweep on every count
    rate = parse_rate("3/second")

    assert [limiter.acquire(rate, "k", "a") for _ in range(3)] == [None, None, None]
    assert limiter.acquire(rate, "k", "a") == 1
    assert limiter.acquire(rate, "k", "b") is None
    assert isinstance(storage, LazilyExpiringMemory)
    assert {key: len(events) for key, events in storage.events.items()} == {_key("a"): 3, _key("b"): 1}

    time.sleep(1.2)  # the window passes (waiting, not a timing assertion)
    limiter.acquire(rate, "k", "c")  # any count sweeps

    assert timers == []
    assert {key: len(events) for key, events in storage.events.items() if events} == {_key("c"): 1}
    assert limiter.acquire(rate, "k", "a") is None  # its window passed: it may go again


def _key(name: str) -> str:
    """The storage key `limits` uses for ("k", name) at 3 a second."""
    return parse_rate("3/second").key_for("k", name)
