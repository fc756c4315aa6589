"""Integration passwords: generated, stored as argon2id hashes, verified without argon2 on every request."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: How many successful verifications are remembered at most (least recently used are forgotten first).
DEFAULT_MAX_ENTRIES = 10_000


class _Flight:
    """One argon2 verification under way, for the callers that asked for the same one meanwhile."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False


class IntegrationPasswords:
    """Makes, hashes and verifies integration passwords; remembers a success for `cache_seconds`.

    The cache key is an HMAC-SHA256, under a random per-process key, of (integration id, stored hash,
    password): the password itself is never kept, and a rotated password (a new hash) never matches an
    old entry. Failures are never cached, so a wrong password always costs an argon2 verification.
    Concurrent checks of the same key (a burst of first requests of one integration) share one argon2
    verification and its answer (single flight); nothing of it outlives the verification but a success.
    """

    def __init__(
        self,
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        hasher: PasswordHasher | None = None,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._hasher = hasher or PasswordHasher()
        self._max_entries = max_entries
        self._key = secrets.token_bytes(32)
        self._remembered: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()
        self._in_flight: dict[bytes, _Flight] = {}
        self._dummy_hash: str | None = None

    def new_password(self) -> str:
        """A high-entropy, URL-safe password (256 random bits), to be shown once."""
        return secrets.token_urlsafe(32)

    def hash(self, password: str) -> str:
        """The argon2id hash to store."""
        return self._hasher.hash(password)

    def remembered(self, integrasjon_id: UUID, passord_hash: str, password: str) -> bool:
        """Whether this password was verified against this hash within the last `cache_seconds` (no argon2)."""
        if self._cache_seconds <= 0:
            return False
        key = self._cache_key(integrasjon_id, passord_hash, password)
        with self._lock:
            expires = self._remembered.get(key)
            if expires is None:
                return False
            if self._clock() < expires:
                self._remembered.move_to_end(key)
                return True
            del self._remembered[key]
            return False

    def verify(self, integrasjon_id: UUID, passord_hash: str, password: str) -> bool:
        """Whether `password` matches `passord_hash`; argon2 runs only when no fresh success is remembered,
        and once for callers asking the same at the same time."""
        if self.remembered(integrasjon_id, passord_hash, password):
            return True
        key = self._cache_key(integrasjon_id, passord_hash, password)
        with self._lock:
            flight = self._in_flight.get(key)
            leading = flight is None
            if flight is None:
                flight = self._in_flight[key] = _Flight()
        if not leading:
            flight.done.wait()
            return flight.ok
        try:
            flight.ok = self._argon2(key, passord_hash, password)
        finally:
            with self._lock:
                del self._in_flight[key]
            flight.done.set()
        return flight.ok

    def _argon2(self, key: bytes, passord_hash: str, password: str) -> bool:
        now = self._clock()
        try:
            ok = self._hasher.verify(passord_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if ok and self._cache_seconds > 0:
            with self._lock:
                self._remembered[key] = now + self._cache_seconds
                self._remembered.move_to_end(key)
                while len(self._remembered) > self._max_entries:
                    self._remembered.popitem(last=False)
        return bool(ok)

    def waste(self, password: str) -> None:
        """Verify ``password`` against a hash of the same cost that nothing matches: an unknown integration,
        or one that may not be used, costs what a wrong password costs."""
        with self._lock:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(32))
            dummy = self._dummy_hash
        with contextlib.suppress(VerificationError, InvalidHashError):
            self._hasher.verify(dummy, password)

    def _cache_key(self, integrasjon_id: UUID, passord_hash: str, password: str) -> bytes:
        message = b"\x00".join(
            (integrasjon_id.bytes, passord_hash.encode("utf-8"), password.encode("utf-8", "surrogatepass"))
        )
        return hmac.new(self._key, message, hashlib.sha256).digest()
