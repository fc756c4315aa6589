"""Request rates: how many requests a client address, an integration and a portal user (a person) may make,
answered 429 beyond them.

The register allows 60 000 requests a minute per address; the gateway's defaults are anchored on that, so
one address cannot use more of the platform than the register would give it, and an organisation may set a
lower (or higher) rate for its own integrations. Counted per key in a sliding window (`ratelimit.py`),
shared by every process through Redis when one is configured.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from uuid import UUID

from limits import RateLimitItem, RateLimitItemPerMinute

from fiks_folkeregister.gateway import errors as codes
from fiks_folkeregister.gateway.errors import GatewayError
from fiks_folkeregister.ratelimit import LimiterUnavailableError, RateLimiter, parse_rate

#: The register's own rule per client address, and so the gateway's default for both limits.
REGISTER_RATE = "60000/minute"
#: A case worker's lookups in the portal: far above what a person does by hand, far below a scraper.
PERSON_RATE = "300/minute"

log = logging.getLogger(__name__)


class RequestLimits:
    """Admits a request from an address, and one by an authenticated integration, or refuses it with 429.

    Only requests that fit are counted, so a client that keeps knocking while refused is let in again as
    soon as the window has room. The integration is counted only once it has authenticated: nobody can
    use up another organisation's allowance by naming its integration id.
    """

    def __init__(
        self,
        limiter: RateLimiter,
        per_address: str = REGISTER_RATE,
        per_integration: str = REGISTER_RATE,
        on_refusal: Callable[[str], None] | None = None,
        per_person: str = PERSON_RATE,
    ) -> None:
        """``on_refusal`` is told which limit (`address`, `integration`, `person`) refused a request
        (metrics)."""
        self._limiter = limiter
        self._on_refusal = on_refusal
        self._per_address = parse_rate(per_address)
        self._per_integration = parse_rate(per_integration)
        self._per_person = parse_rate(per_person)
        self._per_minute: dict[int, RateLimitItem] = {}

    def admit_address(self, address: str | None) -> None:
        if address:
            self._admit(self._per_address, "address", address)

    def admit_integration(self, integrasjon_id: UUID, per_minute: int | None) -> None:
        """``per_minute`` is the integration's organisation's own rate; None: the default."""
        self._admit(self._rate(per_minute), "integration", str(integrasjon_id))

    def admit_person(self, foedselsnummer: str) -> None:
        """A portal user's lookup. Counted under a digest of the number: no identity number in Redis."""
        digest = hashlib.sha256(f"fiks-folkeregister portal person\x00{foedselsnummer}".encode()).hexdigest()
        self._admit(self._per_person, "person", digest)

    def _rate(self, per_minute: int | None) -> RateLimitItem:
        if per_minute is None:
            return self._per_integration
        rate = self._per_minute.get(per_minute)
        if rate is None:
            rate = self._per_minute.setdefault(per_minute, RateLimitItemPerMinute(per_minute))
        return rate

    def _admit(self, rate: RateLimitItem, limit: str, key: str) -> None:
        try:
            wait = self._limiter.acquire(rate, f"requests-{limit}", key)
        except LimiterUnavailableError:
            log.error("the request limits could not be read; refusing")
            raise GatewayError(
                503,
                codes.BEGRENSNING_UTILGJENGELIG,
                "The request limits cannot be checked; try again later",
                headers={"Retry-After": "5"},
            ) from None
        if wait is not None:
            if self._on_refusal is not None:
                self._on_refusal(limit)
            raise GatewayError(
                429,
                codes.FOR_MANGE_FORESPOERSLER,
                f"Too many requests; try again in {wait} seconds",
                {"retryAfterSeconds": wait},
                headers={"Retry-After": str(wait)},
            )
