"""Every administration page, put together: the way in first, then one router per page group."""

from __future__ import annotations

from fastapi import APIRouter

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
from fiks_folkeregister.adminsider.web import AdminPages
from fiks_folkeregister.portal.login import OidcLogin


def build_admin_pages_router(pages: AdminPages, login: OidcLogin) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.include_router(innlogging.build_router(pages, login))
    for group in (oversikt, roller, integrasjoner, tilganger, brukere, endringslogg, oppslagslogg):
        router.include_router(group.build_router(pages))
    return router
