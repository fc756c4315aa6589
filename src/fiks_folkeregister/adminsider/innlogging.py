"""The way in: logging in (through the portal's OpenID Connect client and shared callback), a session that
ran out, and the start page choosing the organisation to work on."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fiks_folkeregister.adminsider.web import (
    EXPIRED_PATH,
    HOME_PATH,
    LOGIN_PATH,
    LOGIN_ROOM,
    PREFIX,
    AdminPages,
    SignedIn,
    organisations_of,
)
from fiks_folkeregister.portal.login import OidcLogin


def build_router(pages: AdminPages, login: OidcLogin) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(LOGIN_PATH)
    async def start_login() -> Response:
        """To ID-porten; the shared callback hands the login back to this room (``AdminPages.logged_in``)."""
        return await pages.portal.begin_login(login, room=LOGIN_ROOM)

    @router.get(EXPIRED_PATH)
    async def expired(request: Request) -> Response:
        sessions = pages.portal.sessions
        response = pages.render(
            request,
            "admin/utloept.html",
            {
                "idle_minutes": round(sessions.idle.total_seconds() / 60),
                "absolute_hours": round(sessions.absolute.total_seconds() / 3600),
            },
            status_code=401,
        )
        pages.portal.cookie.clear(response)
        return response

    @router.get(HOME_PATH)
    async def home(
        request: Request, administrator: SignedIn = Depends(pages.current_administrator)
    ) -> Response:
        """The organisations the person may work on; one only (and no operator): straight to its overview."""
        organisations = await pages.in_pool(organisations_of, pages, administrator)
        if len(organisations) == 1 and administrator.operator is None:
            return pages.redirect(f"{PREFIX}/{organisations[0].orgnr}/")
        return pages.render(
            request,
            "admin/velg_organisasjon.html",
            {"organisations": organisations},
            administrator=administrator,
        )

    @router.get(PREFIX)
    async def home_without_slash() -> Response:
        return pages.redirect(HOME_PATH)

    return router
