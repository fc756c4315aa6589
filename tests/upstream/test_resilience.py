"""The retry policy's arithmetic and the circuit breaker's states, without a network."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from fiks_folkeregister.http.errors import HttpError, platform_response
from fiks_folkeregister.upstream.port import UpstreamError
from fiks_folkeregister.upstream.resilience import (
    REGISTERET_FEILET,
    REGISTERET_STRUPER,
    REGISTERET_SVARER_IKKE,
    REGISTERET_UTILGJENGELIG,
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


# ---------------------------------------------------------------- the unavailable register as the apps' one error


@pytest.mark.parametrize(
    ("status", "code", "message", "retry_after", "details", "headers"),
    [
        (504, REGISTERET_SVARER_IKKE, "The register did not answer in time", None, None, {}),
        (502, REGISTERET_FEILET, "The register failed", None, {"registerStatus": 500}, {}),
        (503, REGISTERET_UTILGJENGELIG, "The register is unavailable", 9.6, None, {"Retry-After": "10"}),
        (429, REGISTERET_STRUPER, "The register throttles", 0.2, None, {"Retry-After": "1"}),
    ],
)
def test_an_unavailable_register_answers_exactly_as_the_error_it_used_to_be_copied_into(
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    code: str,
    message: str,
    retry_after: float | None,
    details: dict[str, Any] | None,
    headers: dict[str, str],
) -> None:
    # Before, the gateway copied the failure's fields into an HttpError; now the failure is one.
    monkeypatch.setattr(time, "time", lambda: 1_790_000_000.123)
    failure = UpstreamUnavailableError(status, code, message, retry_after=retry_after, details=details)
    copied = HttpError(status, code, message, details, headers)

    answer = platform_response(failure, "/folkeregister/api/v1/personer/x", error_id="id-1")
    before = platform_response(copied, "/folkeregister/api/v1/personer/x", error_id="id-1")

    assert isinstance(failure, HttpError) and isinstance(failure, UpstreamError)
    assert bytes(answer.body) == bytes(before.body)
    assert answer.headers.items() == before.headers.items()
    assert (failure.status, failure.code, failure.audit_code, dict(failure.headers)) == (
        status,
        code,
        code,
        headers,
    )
    # The register's error shape, for a caller that passes any UpstreamError on as is.
    assert failure.body == {
        "feilkode": code,
        "feilmelding": message,
        "httpStatus": status,
        "alvorlighetsgrad": "ERROR",
    }
    assert failure.feilkode == code


def test_an_unavailable_register_has_the_platform_body_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 1_790_000_000.123)
    failure = UpstreamUnavailableError(
        503, REGISTERET_UTILGJENGELIG, "The register is unavailable", retry_after=3
    )

    answer = platform_response(failure, "/p", error_id="id-1")

    assert bytes(answer.body) == (
        b'{"timestamp":1790000000123,"status":503,"error":"Service Unavailable","errorId":"id-1","path":"/p",'
        b'"message":"The register is unavailable","errorCode":"REGISTERET_UTILGJENGELIG","errorJson":null}'
    )
    assert (answer.headers["retry-after"], answer.headers["x-request-id"]) == ("3", "id-1")
