"""The retry policy's arithmetic and the circuit breaker's states, without a network."""

from __future__ import annotations

import random

import pytest

from fiks_folkeregister.upstream.resilience import (
    BreakerState,
    CircuitBreaker,
    RetryPolicy,
    UpstreamUnavailableError,
    parse_retry_after,
)
from tests.upstream.conftest import FakeClock


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    now = 784_111_777.0  # Sun, 06 Nov 1994 08:49:37 GMT

    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now=lambda: now) == 10.0
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now=lambda: now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    assert parse_retry_after("²") is None and parse_retry_after("١٢") is None  # not ASCII digits


def test_backoff_is_jittered_below_a_growing_capped_ceiling() -> None:
    policy = RetryPolicy(backoff_base_seconds=0.1, backoff_cap_seconds=0.5)
    rng = random.Random(4)

    pauses = {n: [policy.backoff(n, rng) for _ in range(200)] for n in (1, 2, 5)}

    assert max(pauses[1]) <= 0.1 and max(pauses[2]) <= 0.2 and max(pauses[5]) <= 0.5
    assert len(set(pauses[1])) == 200  # spread out, not in lock-step
    assert max(pauses[5]) > 0.2


def test_a_half_open_breaker_lets_exactly_one_trial_through() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("register", failure_threshold=2, reset_seconds=5, clock=clock)
    breaker.before_call()
    breaker.record_failure()
    breaker.before_call()
    breaker.record_failure()

    assert breaker.state is BreakerState.OPEN
    clock.advance(5)
    breaker.before_call()  # the trial
    with pytest.raises(UpstreamUnavailableError):
        breaker.before_call()  # everyone else waits for its outcome
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    clock.advance(5)
    breaker.before_call()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    breaker.before_call()
    breaker.before_call()
