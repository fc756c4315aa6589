"""Oversikt: the organisation being worked on."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fiks_folkeregister.adminsider.web import PREFIX, AdminPages, Workplace


def build_router(pages: AdminPages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(PREFIX + "/{orgnr}/")
    async def overview(request: Request, workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        return pages.render(request, "admin/oversikt.html", workplace=workplace, current="")

    @router.get(PREFIX + "/{orgnr}")
    async def overview_without_slash(workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        return pages.redirect(workplace.path())

    return router
