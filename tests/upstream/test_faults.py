"""The register misbehaving over a real socket: what the HTTP adapter makes of each fault."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.upstream.delegation import on_behalf_of
from fiks_folkeregister.upstream.resilience import (
    REGISTERET_FEILET,
    REGISTERET_STRUPER,
    REGISTERET_SVARER_IKKE,
    REGISTERET_UTILGJENGELIG,
    BreakerState,
    CircuitBreaker,
    UpstreamUnavailableError,
)
from tests.upstream.conftest import MUNICIPALITY, FakeClock, Register

MED = Rettighetspakke.OFFENTLIG_MED_HJEMMEL


def test_a_slow_register_is_a_clear_504_after_one_attempt(register: Register) -> None:
    register.faults.set_plan(latency_seconds=1.5)
    upstream = register.upstream(read_seconds=0.3)

    with pytest.raises(UpstreamUnavailableError) as failed:
        upstream.person(MED, register.examples["ordinary-adult"][0], ["navn"])

    assert (failed.value.status, failed.value.code) == (504, REGISTERET_SVARER_IKKE)
    assert "did not answer in time" in failed.value.message
    assert register.faults.counts["latency"] == 1  # a slow register is not asked twice as hard


def test_500s_are_retried_then_a_clear_502(register: Register) -> None:
    register.faults.set_plan(error_rate=1.0)
    upstream = register.upstream(attempts=3)

    with pytest.raises(UpstreamUnavailableError) as failed:
        upstream.person(MED, register.examples["ordinary-adult"][0], ["navn"])

    assert (failed.value.status, failed.value.code) == (502, REGISTERET_FEILET)
    assert failed.value.details == {"registerStatus": 500}
    assert register.faults.counts["error"] == 3


def test_a_passing_500_is_not_noticed(register: Register, caplog: pytest.LogCaptureFixture) -> None:
    adult = register.examples["ordinary-adult"][0]
    register.faults.force("error", "error")

    with caplog.at_level(logging.WARNING, logger="fiks_folkeregister"):
        document = register.upstream(attempts=3).person(MED, adult, ["navn"])

    assert document["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == adult
    assert register.faults.counts["error"] == 2
    # Each retry waited its jittered backoff (the test upstream's backoff is capped at 0.05 s).
    assert len(register.sleeps) == 2 and all(0 < pause <= 0.05 for pause in register.sleeps)
    # The retry warnings name the resource, never the person it was about.
    warnings = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(warnings) == 2 and all("personer/{}" in w and adult not in w for w in warnings)


def test_429_with_a_short_retry_after_is_waited_out(register: Register) -> None:
    register.faults.set_plan(retry_after_seconds=1)
    register.faults.force("throttle", "throttle")
    adult = register.examples["ordinary-adult"][0]

    document = register.upstream(max_retry_after_seconds=2).person(MED, adult, ["navn"])

    assert document["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == adult
    assert register.sleeps == [1.0, 1.0]
    assert register.faults.counts["throttled"] == 2


def test_429_with_a_long_retry_after_is_passed_on_with_it(register: Register) -> None:
    register.faults.set_plan(retry_after_seconds=30)
    register.faults.force("throttle")

    with pytest.raises(UpstreamUnavailableError) as throttled:
        register.upstream(max_retry_after_seconds=2).person(MED, register.examples["ordinary-adult"][0], None)

    assert (throttled.value.status, throttled.value.code) == (429, REGISTERET_STRUPER)
    assert throttled.value.headers == {"Retry-After": "30"}
    assert register.sleeps == []


def test_a_connection_dropped_mid_body_gives_no_partial_data(register: Register) -> None:
    register.faults.set_plan(drop_rate=1.0)
    numbers = register.examples["ordinary-adult"][:3]

    with pytest.raises(UpstreamUnavailableError) as failed:
        register.upstream(attempts=2).bulkoppslag(MED, {"foedselsEllerDNummer": numbers}, None, False)

    assert (failed.value.status, failed.value.code) == (502, REGISTERET_FEILET)
    assert "broke off" in failed.value.message
    assert register.faults.counts["dropped"] == 2


def test_one_dropped_connection_is_retried_into_a_whole_answer(register: Register) -> None:
    numbers = register.examples["ordinary-adult"][:3]
    register.faults.force("drop")

    result = register.upstream().bulkoppslag(MED, {"foedselsEllerDNummer": numbers}, None, True)

    assert [entry["foedselsEllerDNummer"] for entry in result["oppslag"]] == numbers
    assert all("folkeregisterperson" in entry for entry in result["oppslag"])
    assert register.faults.counts["dropped"] == 1


def test_a_dead_register_opens_the_breaker_then_it_closes_when_the_register_is_back(
    own_register: Register,
) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(own_register.url, failure_threshold=3, reset_seconds=10, clock=clock)
    upstream = own_register.upstream(attempts=1, breaker=breaker)
    adult = own_register.examples["ordinary-adult"][0]
    upstream.person(MED, adult, None)  # a token is fetched and the register answers

    own_register.server.stop()
    unreachable = []
    for _ in range(3):
        with pytest.raises(UpstreamUnavailableError) as failed:
            upstream.person(MED, adult, None)
        unreachable.append((failed.value.status, failed.value.code, dict(failed.value.details)))
    with pytest.raises(UpstreamUnavailableError) as fast:
        upstream.person(MED, adult, None)

    assert unreachable == [(503, REGISTERET_UTILGJENGELIG, {})] * 3
    assert breaker.state is BreakerState.OPEN
    assert (fast.value.status, fast.value.details) == (503, {"circuitBreaker": "open"})
    assert fast.value.headers == {"Retry-After": "10"}

    own_register.server.start()
    clock.advance(5)
    with pytest.raises(UpstreamUnavailableError):
        upstream.person(MED, adult, None)  # still open: the register is not asked yet
    clock.advance(5)
    document = upstream.person(MED, adult, ["navn"])

    assert document["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == adult
    assert breaker.state is BreakerState.CLOSED
    assert own_register.faults.counts["requests"] == 2  # nothing reached it while the breaker was open


def test_an_expired_upstream_token_is_refreshed_once_for_every_waiting_call(register: Register) -> None:
    tokens = register.maskinporten()
    upstream = register.upstream(tokens)
    adults = register.examples["ordinary-adult"][:8]
    with on_behalf_of(MUNICIPALITY):
        upstream.person(MED, adults[0], None)
    assert tokens.fetches == 1

    register.faults.expire_seen_tokens()

    def lookup(number: str) -> str:
        with on_behalf_of(MUNICIPALITY):
            document = upstream.person(MED, number, ["navn"])
        return str(document["identifikasjonsnummer"][0]["foedselsEllerDNummer"])

    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lookup, adults))

    assert found == adults
    assert tokens.fetches == 2
    assert register.faults.counts["expired"] >= 1


def test_a_token_per_organisation_and_rights_package(register: Register) -> None:
    tokens = register.maskinporten()
    upstream = register.upstream(tokens)
    adult = register.examples["ordinary-adult"][0]

    for organisation in (MUNICIPALITY, "920000002", MUNICIPALITY):
        for pakke in (MED, Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL, MED):
            with on_behalf_of(organisation):
                upstream.person(pakke, adult, ["navn"])

    assert tokens.fetches == 4
