"""Server-side sessions in the gateway's database: the cookie holds a random token, the table its SHA-256.

A session is either a login in progress (``state``, ``nonce``, PKCE verifier) or a logged-in person. Logging in
always makes a new session (a new token), so a token known before login is worthless after it. A session
ends after ``idle`` without use or ``absolute`` after it began, whichever comes first; time comes from an
injectable clock.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import portal_sesjon

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class Session:
    """One session's data; change ``data`` and call ``SessionStore.save``."""

    token: str
    created: datetime
    last_used: datetime
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def csrf_token(self) -> str:
        return str(self.data["csrf"])

    @property
    def logged_in(self) -> bool:
        return "pid" in self.data


class SessionExpired(Exception):
    """The cookie named a session that has run out (idle or absolute): the user is told, then logs in again."""


class SessionStore:
    def __init__(
        self,
        engine: Engine,
        *,
        idle: timedelta = timedelta(minutes=30),
        absolute: timedelta = timedelta(hours=10),
        clock: Clock = utc_now,
    ) -> None:
        self._engine = engine
        self.idle = idle
        self.absolute = absolute
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    def create(self, data: dict[str, Any]) -> Session:
        """A new session with a fresh token and CSRF token."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        data = {**data, "csrf": secrets.token_urlsafe(32)}
        with self._engine.begin() as connection:
            connection.execute(
                insert(portal_sesjon).values(id=_key(token), data=data, opprettet=now, sist_brukt=now)
            )
        return Session(token=token, created=now, last_used=now, data=data)

    def load(self, token: str | None) -> Session | None:
        """The live session for a cookie's token (its last use now recorded); None when there is none.

        Raises ``SessionExpired`` (and removes the session) when it has run out.
        """
        if not token:
            return None
        key = _key(token)
        with self._engine.begin() as connection:
            row = connection.execute(select(portal_sesjon).where(portal_sesjon.c.id == key)).first()
            if row is None:
                return None
            now = self._clock()
            created, last_used = as_utc(row.opprettet), as_utc(row.sist_brukt)
            if now - last_used >= self.idle or now - created >= self.absolute:
                connection.execute(delete(portal_sesjon).where(portal_sesjon.c.id == key))
                raise SessionExpired
            connection.execute(update(portal_sesjon).where(portal_sesjon.c.id == key).values(sist_brukt=now))
        return Session(token=token, created=created, last_used=now, data=dict(row.data))

    def save(self, session: Session) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(portal_sesjon)
                .where(portal_sesjon.c.id == _key(session.token))
                .values(data=session.data)
            )

    def delete(self, token: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(portal_sesjon).where(portal_sesjon.c.id == _key(token)))

    def prune(self) -> int:
        """Remove sessions idle longer than the idle timeout; the number removed."""
        with self._engine.begin() as connection:
            result = connection.execute(
                delete(portal_sesjon).where(portal_sesjon.c.sist_brukt < self._clock() - self.idle)
            )
        return result.rowcount
