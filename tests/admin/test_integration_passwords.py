"""Integration passwords: argon2id at rest, and argon2 only on a cache miss."""

from __future__ import annotations

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
