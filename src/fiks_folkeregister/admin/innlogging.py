"""Who calls the Konfigurasjon API: an administrator's API key (`Authorization: Bearer …`), or a logged-in
administrator's browser session (the portal's session cookie, `portal/sessions.py`), whose state-changing
requests must carry the session's CSRF token in `X-CSRF-Token`.

A session authenticates when its person (`pid` in the session's data) is an active person administrator
(`Administrators.person_actors`). A person administering several organisations acts, on a path naming an
organisation, as that organisation's administrator; a platform operator acts as the operator everywhere.
"""

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Protocol
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.routing import api_key_actor, api_key_bearer
from fiks_folkeregister.portal.sessions import SessionExpired, SessionStore

CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    """The actor a request acts as, and the logged-in person's identity number when it came by session."""

    actor: Actor
    foedselsnummer: str | None = None


class AdministratorDirectory(Protocol):
    def authenticate(self, api_key: str) -> Actor | None: ...

    def person_actors(self, foedselsnummer: str) -> list[Actor]: ...

    def orgnr_of(self, fiks_org_id: UUID) -> str | None: ...


@dataclass(frozen=True, slots=True)
class SessionLogin:
    """The portal's sessions and the name of their cookie."""

    sessions: SessionStore
    cookie_name: str


def principal_dependency(
    service: AdministratorDirectory, login: SessionLogin | None
) -> Callable[..., Principal]:
    """A FastAPI dependency: the API key's administrator, else the session's (401/403 otherwise)."""
    bearer = api_key_bearer()

    def authenticated(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        token = request.cookies.get(login.cookie_name) if login is not None else None
        if credentials is not None or login is None or not token:
            return Principal(api_key_actor(service, credentials))
        return _session_principal(service, login.sessions, token, request)

    return authenticated


def _session_principal(
    service: AdministratorDirectory, sessions: SessionStore, token: str, request: Request
) -> Principal:
    try:
        session = sessions.load(token)
    except SessionExpired:
        raise AdminError(401, "SESJON_UTLOEPT", "The session has expired; log in again") from None
    if session is None or not session.logged_in:
        raise AdminError(401, "MANGLER_AUTENTISERING", "Log in, or send 'Authorization: Bearer <API key>'")
    if request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode("utf-8"), session.csrf_token.encode("utf-8")):
            raise AdminError(
                403,
                "UGYLDIG_CSRF",
                f"A change by session must carry the session's CSRF token in {CSRF_HEADER}",
            )
    foedselsnummer = str(session.data["pid"])
    actors = service.person_actors(foedselsnummer)
    if not actors:
        raise AdminError(403, "IKKE_ADMINISTRATOR", "The logged-in person administers no organisation")
    return Principal(_chosen(service, actors, request), foedselsnummer)


def _chosen(service: AdministratorDirectory, actors: list[Actor], request: Request) -> Actor:
    """The operator if the person is one; else the administrator of the organisation the path names (or the
    first organisation, on paths naming none)."""
    for actor in actors:
        if actor.kind is ActorKind.OPERATOR:
            return actor
    named = request.path_params.get("fiksOrgId")
    if named is not None:
        try:
            orgnr = service.orgnr_of(UUID(str(named)))
        except ValueError:
            orgnr = None
        for actor in actors:
            if actor.orgnr == orgnr:
                return actor
    return actors[0]
