"""The portal's own routes: login and its return, logout, the start page, choosing a role, the case reference."""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from fiks_folkeregister.portal.directory import PersonDirectory, PortalRole
from fiks_folkeregister.portal.login import LoginFailed, OidcLogin
from fiks_folkeregister.portal.roles import describe_role
from fiks_folkeregister.portal.sessions import Session, SessionExpired
from fiks_folkeregister.portal.web import (
    CHOOSE_ROLE_PATH,
    EXPIRED_PATH,
    LOGIN_PATH,
    PREFIX,
    ChosenRole,
    PageError,
    PortalContext,
)

log = logging.getLogger(__name__)

CALLBACK_PATH = f"{PREFIX}/innlogging/ferdig"
LOGOUT_PATH = f"{PREFIX}/logg-ut"
LOGGED_OUT_PATH = f"{PREFIX}/utlogget"
#: The logout form's field naming the room logged out of (one of ``PortalContext.login_rooms``).
LOGOUT_ROOM_FIELD = "rom"
CASE_REFERENCE_PATH = f"{PREFIX}/saksreferanse"
MAX_CASE_NUMBER = 50
MAX_PURPOSE = 200

_LOGIN_FAILURES = {
    "cancelled": (
        400,
        "The login was cancelled",
        "You cancelled the login in ID-porten. Log in again to use the search.",
    ),
    "failed": (
        400,
        "The login could not be completed",
        "The answer from ID-porten could not be accepted (it may have been used before, have expired, or belong "
        "to another login). Nothing was saved. Log in again.",
    ),
    "acr": (
        403,
        "The level of assurance is too low",
        "The search needs a login at a higher level of assurance: in ID-porten substantial or high (for example "
        "BankID, Buypass or Commfides), in your organisation's own login with two-factor authentication. Log in "
        "again that way.",
    ),
    "identity": (
        403,
        "The login did not say who you are",
        "The login did not give a valid national identity number or d-number, so you cannot use the search. "
        "Nothing was saved. Ask your administrator to check how the login is set up.",
    ),
}


def build_portal_router(
    portal: PortalContext, login: OidcLogin, directory: PersonDirectory, public_url: str
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    base = public_url.rstrip("/")

    def roles_of(session: Session) -> list[dict[str, Any]]:
        return [role_view(portal, choice) for choice in directory.portal_roles(session.data["pid"])]

    # ------------------------------------------------------------------ login

    @router.get(LOGIN_PATH)
    async def start_login(request: Request) -> Response:
        """Begin a login: a new pre-login session holds state, nonce and the PKCE verifier."""
        return await portal.begin_login(login)

    @router.get(CALLBACK_PATH)
    async def finish_login(request: Request) -> Response:
        token = request.cookies.get(portal.cookie.name)
        try:
            pending = await run_in_threadpool(portal.sessions.load, token)
        except SessionExpired:
            pending = None
        if pending is None or "login" not in pending.data:
            raise PageError(*_LOGIN_FAILURES["failed"])
        await run_in_threadpool(portal.sessions.delete, pending.token)  # single use, whatever happens next
        kept = pending.data["login"]
        try:
            done = await login.finish(
                dict(request.query_params),
                state=kept["state"],
                nonce=kept["nonce"],
                code_verifier=kept["verifier"],
            )
        except LoginFailed as failure:
            log.info("portal login refused: %s", failure.reason)
            raise PageError(*_LOGIN_FAILURES[failure.kind]) from None
        room = portal.login_rooms.get(kept.get("room", ""))
        if room is not None:  # begun by another room (the administration pages): it decides
            return await room(request, done)
        user = await run_in_threadpool(directory.person_user, done.pid)
        if user is None:
            raise PageError(
                403,
                "You have no access to the search",
                "You are not registered as a user of the search in any organisation. Ask an administrator in "
                "your organisation to give you access.",
            )
        session = await run_in_threadpool(
            portal.sessions.create,  # a new session id at login
            {
                "pid": done.pid,
                "navn": user.navn,
                "orgnr": user.orgnr,
                "organisasjon": user.organisasjon,
                "id_token": done.id_token,
            },
        )
        response = portal.redirect(CHOOSE_ROLE_PATH)
        portal.cookie.set(response, session.token)
        return response

    @router.post(LOGOUT_PATH)
    async def logout(request: Request, session: Session = Depends(portal.current_session)) -> Response:
        """Ends the session here and at the provider. A room's logout form (the administration's) names
        itself in ``rom``; it travels in the ``state`` the provider hands back to the one registered
        logged-out page, which then speaks of that room."""
        form = await portal.check_csrf(request, session)
        await run_in_threadpool(portal.sessions.delete, session.token)
        state = secrets.token_urlsafe(16)
        room = form.get(LOGOUT_ROOM_FIELD)
        if isinstance(room, str) and room in portal.login_rooms:
            state = f"{room}.{state}"
        target = await login.logout_url(session.data["id_token"], base + LOGGED_OUT_PATH, state)
        response = portal.redirect(target or f"{LOGGED_OUT_PATH}?{urlencode({'state': state})}")
        portal.cookie.clear(response)
        return response

    @router.get(LOGGED_OUT_PATH)
    async def logged_out(request: Request) -> Response:
        room, dot, _ = request.query_params.get("state", "").partition(".")
        known = room if dot and room in portal.login_rooms else ""
        rooms = {"room": known, "rooms": tuple(portal.login_rooms)}  # where one may log in again
        return portal.render(request, "utlogget.html", rooms)

    @router.get(EXPIRED_PATH)
    async def expired(request: Request) -> Response:
        response = portal.render(
            request,
            "utloept.html",
            {
                "idle_minutes": round(portal.sessions.idle.total_seconds() / 60),
                "absolute_hours": round(portal.sessions.absolute.total_seconds() / 3600),
            },
            status_code=401,
        )
        portal.cookie.clear(response)
        return response

    # ------------------------------------------------------------------ role and case reference

    @router.get(CHOOSE_ROLE_PATH)
    async def choose_role_page(
        request: Request, session: Session = Depends(portal.current_session)
    ) -> Response:
        roles = await run_in_threadpool(roles_of, session)
        return portal.render(request, "velg_rolle.html", {"roles": roles}, session=session)

    @router.post(CHOOSE_ROLE_PATH)
    async def choose_role(request: Request, session: Session = Depends(portal.current_session)) -> Response:
        form = await portal.check_csrf(request, session)
        chosen = form.get("rolle_id")
        for choice in await run_in_threadpool(directory.portal_roles, session.data["pid"]):
            if str(choice.rolle.id) == chosen:
                session.data["rolle"] = {
                    "rolle_id": str(choice.rolle.id),
                    "navn": choice.rolle.navn,
                    "orgnr": choice.rolle.orgnr,
                    "organisasjon": choice.organisasjon,
                }
                await run_in_threadpool(portal.sessions.save, session)
                return portal.redirect(f"{PREFIX}/")
        raise PageError(
            400 if not chosen else 403,
            "Choose a role",
            "Choose one of your roles in the list."
            if not chosen
            else "You do not hold that role. Choose one of your roles in the list.",
            choose_role=True,
        )

    @router.get(f"{PREFIX}/")
    async def start(
        request: Request, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, _ = held
        context = {
            "saksreferanse": session.data.get("saksreferanse", {}),
            "saved": request.query_params.get("lagret") == "1",
        }
        return portal.render(request, "start.html", context, session=session)

    @router.get(PREFIX, include_in_schema=False)
    async def start_without_slash() -> Response:
        return portal.redirect(f"{PREFIX}/")

    @router.post(CASE_REFERENCE_PATH)
    async def case_reference(
        request: Request, held: tuple[Session, ChosenRole] = Depends(portal.current_role)
    ) -> Response:
        session, _ = held
        form = await portal.check_csrf(request, session)
        saksnummer = " ".join(str(form.get("saksnummer", "")).split())
        formaal = " ".join(str(form.get("formaal", "")).split())
        if len(saksnummer) > MAX_CASE_NUMBER or len(formaal) > MAX_PURPOSE:
            raise PageError(
                400,
                "The case reference is too long",
                "The case number may have at most {saksnummer} characters and the purpose at most {formaal}. Nothing was saved.",
                saksnummer=MAX_CASE_NUMBER,
                formaal=MAX_PURPOSE,
            )
        if saksnummer or formaal:
            session.data["saksreferanse"] = {"saksnummer": saksnummer, "formaal": formaal}
        else:
            session.data.pop("saksreferanse", None)
        await run_in_threadpool(portal.sessions.save, session)
        return portal.redirect(f"{PREFIX}/?lagret=1")

    return router


def role_view(portal: PortalContext, choice: PortalRole) -> dict[str, Any]:
    rolle = choice.rolle
    return {
        "rolle_id": str(rolle.id),
        "navn": rolle.navn,
        "organisasjon": choice.organisasjon,
        "tjenesteomraade": choice.tjenesteomraade,
        "historikk": rolle.historikk,
        "allows": describe_role(rolle, portal.translations.gettext, portal.translations.pgettext),
    }
