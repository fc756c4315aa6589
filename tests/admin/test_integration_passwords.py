"""Integration passwords: argon2id at rest, and argon2 only on a cache miss."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from argon2 import PasswordHasher, extract_parameters, profiles

from fiks_folkeregister.app import build_admin
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.settings import Settings
from tests.admin.conftest import FAST_HASHER


class CountingHasher(PasswordHasher):
    """Counts argon2 verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verifications += 1
        return super().verify(hash, password)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(cache_seconds: float = 30, **kwargs: Any) -> tuple[IntegrationPasswords, CountingHasher, Clock]:
    hasher, clock = CountingHasher(), Clock()
    return IntegrationPasswords(cache_seconds, clock, hasher=hasher, **kwargs), hasher, clock


def test_passwords_are_long_random_and_stored_as_argon2id() -> None:
    passwords = IntegrationPasswords(60)
    first, second = passwords.new_password(), passwords.new_password()

    assert first != second
    assert len(first) >= 40
    assert first.replace("-", "").replace("_", "").isalnum()
    hashed = passwords.hash(first)
    assert hashed.startswith("$argon2id$")
    assert first not in hashed


def test_the_gateway_hashes_at_production_cost(tmp_path: Path) -> None:
    """The tests hash with cheap parameters (`FAST_HASHER`); what the product builds must not."""
    admin = build_admin(Settings(data_dir=tmp_path))
    try:
        parameters = extract_parameters(admin.passwords.hash(admin.passwords.new_password()))
    finally:
        admin.engine.dispose()
    assert parameters == profiles.RFC_9106_LOW_MEMORY  # argon2id, 64 MiB, 3 passes, 4 lanes
    assert extract_parameters(FAST_HASHER.hash("pw")).memory_cost < parameters.memory_cost


def test_a_success_is_remembered_for_cache_seconds() -> None:
    passwords, hasher, clock = make(cache_seconds=30)
    integration = uuid4()
    hashed = passwords.hash("secret")

    assert passwords.verify(integration, hashed, "secret")
    clock.now += 29
    assert passwords.verify(integration, hashed, "secret")
    assert hasher.verifications == 1

    clock.now += 2  # expired
    assert passwords.verify(integration, hashed, "secret")
    assert hasher.verifications == 2


def test_failures_are_never_cached() -> None:
    passwords, hasher, _ = make()
    integration = uuid4()
    hashed = passwords.hash("secret")

    assert passwords.verify(integration, hashed, "wrong") is False
    assert passwords.verify(integration, hashed, "wrong") is False
    assert hasher.verifications == 2
    assert passwords.verify(integration, "not a hash", "secret") is False


def test_a_cached_success_does_not_open_other_passwords_hashes_or_integrations() -> None:
    passwords, hasher, _ = make()
    integration = uuid4()
    hashed = passwords.hash("secret")
    rotated = passwords.hash("new secret")
    assert passwords.verify(integration, hashed, "secret")

    assert passwords.verify(integration, rotated, "secret") is False
    assert passwords.verify(uuid4(), hashed, "secret") is True  # a different key: argon2 runs again
    assert passwords.verify(integration, hashed, "secret2") is False
    assert hasher.verifications == 4


def test_no_cache_when_cache_seconds_is_zero() -> None:
    passwords, hasher, _ = make(cache_seconds=0)
    integration = uuid4()
    hashed = passwords.hash("secret")

    assert passwords.verify(integration, hashed, "secret")
    assert passwords.verify(integration, hashed, "secret")
    assert hasher.verifications == 2


def test_the_cache_is_bounded() -> None:
    passwords, hasher, _ = make(max_entries=2)
    hashed = passwords.hash("secret")
    first, second, third = uuid4(), uuid4(), uuid4()
    for integration in (first, second, third):
        passwords.verify(integration, hashed, "secret")
    assert hasher.verifications == 3

    passwords.verify(third, hashed, "secret")
    assert hasher.verifications == 3
    passwords.verify(first, hashed, "secret")  # the least recently used was forgotten
    assert hasher.verifications == 4


def test_hashes_made_elsewhere_verify() -> None:
    integration = uuid4()
    assert IntegrationPasswords(60).verify(integration, FAST_HASHER.hash("pw"), "pw")


def test_wasting_a_password_costs_one_argon2_verification_of_the_hashers_cost_every_time() -> None:
    passwords, hasher, _ = make(cache_seconds=30)

    passwords.waste("guess")
    passwords.waste("guess")  # never remembered: each call costs what a wrong password costs

    assert hasher.verifications == 2
    assert passwords._dummy_hash is not None and hasher.check_needs_rehash(passwords._dummy_hash) is False


def test_remembered_only_for_the_right_password_against_the_same_hash_while_fresh() -> None:
    passwords, hasher, clock = make(cache_seconds=30)
    integration = uuid4()
    password = passwords.new_password()
    stored = passwords.hash(password)

    assert not passwords.remembered(integration, stored, password)  # never verified yet
    assert passwords.verify(integration, stored, password)
    assert passwords.remembered(integration, stored, password)
    assert not passwords.remembered(integration, stored, password + "x")
    assert not passwords.remembered(uuid4(), stored, password)
    rotated = passwords.hash(password)  # a new hash (a rotation) never matches the old success
    assert not passwords.remembered(integration, rotated, password)
    clock.now += 31
    assert not passwords.remembered(integration, stored, password)
    assert hasher.verifications == 1  # `remembered` never runs argon2


def test_nothing_is_remembered_when_the_cache_is_off() -> None:
    passwords, _hasher, _clock = make(cache_seconds=0)
    integration = uuid4()
    password = passwords.new_password()
    stored = passwords.hash(password)

    assert passwords.verify(integration, stored, password)
    assert not passwords.remembered(integration, stored, password)


class HeldHasher(CountingHasher):
    """Counts argon2 verifications, each held until the test releases it (so the callers overlap)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verifications += 1
        assert self.release.wait(timeout=30), "never released"
        return PasswordHasher.verify(self, hash, password)


def _waiting_for_a_flight(threads: list[threading.Thread]) -> int:
    """How many of `threads` wait for another caller's verification: blocked in an `Event.wait` called
    straight from `IntegrationPasswords.verify` (not in the hasher, which the test holds)."""
    frames = sys._current_frames()
    waiting = 0
    for thread in threads:
        frame = frames.get(thread.ident or -1)
        while frame is not None and not (
            frame.f_code.co_name == "wait"
            and frame.f_code.co_filename.endswith("threading.py")
            and frame.f_back is not None
            and frame.f_back.f_code.co_filename.endswith("integrasjonspassord.py")
        ):
            frame = frame.f_back
        waiting += frame is not None
    return waiting


def _overlapping(
    passwords: IntegrationPasswords, hasher: HeldHasher, calls: list[tuple[Any, str, str]]
) -> list[bool]:
    """Run `calls` to `verify` at once; release argon2 only when all but the first caller wait for it."""
    results: list[bool | None] = [None] * len(calls)

    def run(index: int) -> None:
        results[index] = passwords.verify(*calls[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    threads[0].start()
    while hasher.verifications == 0:
        time.sleep(0.001)
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 30
    while (
        hasher.verifications + _waiting_for_a_flight(threads[1:]) < len(calls) and time.monotonic() < deadline
    ):
        time.sleep(0.005)
    hasher.release.set()
    for thread in threads:
        thread.join(timeout=30)
    return [bool(result) for result in results]


def test_concurrent_first_checks_of_the_same_password_run_argon2_once() -> None:
    hasher = HeldHasher()
    passwords = IntegrationPasswords(30, hasher=hasher)
    integration, password = uuid4(), "riktig-passord"
    stored = hasher.hash(password)

    results = _overlapping(passwords, hasher, [(integration, stored, password)] * 8)

    assert results == [True] * 8
    assert hasher.verifications == 1
    assert passwords.remembered(integration, stored, password)


def test_a_different_password_meanwhile_gets_its_own_check_and_its_own_answer() -> None:
    hasher = HeldHasher()
    passwords = IntegrationPasswords(0, hasher=hasher)  # nothing remembered: only the flight is shared
    integration, password = uuid4(), "riktig-passord"
    stored = hasher.hash(password)

    results = _overlapping(
        passwords,
        hasher,
        [
            (integration, stored, password),
            (integration, stored, "feil-passord"),
            (integration, stored, password),
        ],
    )

    assert results == [True, False, True]
    assert hasher.verifications == 2  # the right password once, the wrong one once
    # Nothing is kept after the flight: the next check runs argon2 again.
    hasher.release.set()
    assert passwords.verify(integration, stored, "feil-passord") is False
    assert hasher.verifications == 3
