"""Every administration page, put together: the way in first, then one router per page group."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from fiks_folkeregister.adminsider import (
    brukere,
    endringslogg,
    innlogging,
    integrasjoner,
    oppslagslogg,
    oversikt,
    roller,
    tilganger,
)
from fiks_folkeregister.adminsider.web import PREFIX, AdminPages, Workplace, organisation_not_found
from fiks_folkeregister.portal.login import OidcLogin


def build_admin_pages_router(pages: AdminPages, login: OidcLogin) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.include_router(innlogging.build_router(pages, login))
    for group in (oversikt, roller, integrasjoner, tilganger, brukere, endringslogg, oppslagslogg):
        router.include_router(group.build_router(pages))
    router.include_router(unknown_pages(pages))  # last: only what no page group serves
    return router


def unknown_pages(pages: AdminPages) -> APIRouter:
    """A path under an organisation that no page serves: the 404 page in bokmål (after the organisation is
    checked, so it says no more than any other 404)."""
    router = APIRouter(include_in_schema=False)

    @router.get(PREFIX + "/{orgnr}/{rest:path}")
    async def unknown(workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        raise organisation_not_found()

    return router
