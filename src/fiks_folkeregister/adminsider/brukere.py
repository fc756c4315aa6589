"""Brukere: an organisation's person users (case workers who log in to the search portal): create,
deactivate, activate again."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fiks_folkeregister.adminsider.web import PREFIX, AdminPages, Workplace
from fiks_folkeregister.portal.web import PageError

SLUG = "brukere"


def build_router(pages: AdminPages) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    base = PREFIX + "/{orgnr}/" + SLUG

    def show(
        request: Request,
        workplace: Workplace,
        *,
        status_code: int = 200,
        error: PageError | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        users = pages.service.list_users(workplace.actor, workplace.orgnr)
        roles = {
            stored.rolle.id: stored.rolle.navn
            for stored in pages.service.list_roles(workplace.actor, workplace.orgnr)
        }
        held: dict[Any, list[str]] = {}
        for grant in pages.service.list_grants(workplace.actor, workplace.orgnr):
            if grant.bruker_id is not None:
                held.setdefault(grant.bruker_id, []).append(roles.get(grant.rolle_id, str(grant.rolle_id)))
        context = {
            "users": users,
            "held": held,
            "error": error,
            "values": values or {},
            "done": request.query_params.get("utfoert", ""),
        }
        return pages.render(
            request, "admin/brukere.html", context, status_code=status_code, workplace=workplace, current=SLUG
        )

    @router.get(base)
    async def list_page(
        request: Request, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        return await pages.in_pool(show, request, workplace)

    @router.post(base)
    async def create(request: Request, workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        form = await pages.check_csrf(request, workplace)
        values = {name: str(form.get(name, "")).strip() for name in ("foedselsnummer", "navn")}
        try:
            if not values["foedselsnummer"] or not values["navn"]:
                raise PageError(
                    400,
                    "A field is missing",
                    "Fill in both the national identity number and the name. Nothing was saved.",
                )
            await pages.call(
                lambda: pages.service.create_user(
                    workplace.actor, workplace.orgnr, values["foedselsnummer"], values["navn"]
                )
            )
        except PageError as error:
            return await pages.in_pool(
                show, request, workplace, status_code=error.status_code, error=error, values=values
            )
        return pages.redirect(workplace.path(SLUG) + "?utfoert=opprettet")

    @router.post(base + "/{bruker_id}/deaktiver")
    async def deactivate(
        request: Request, bruker_id: str, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        await pages.check_csrf(request, workplace)
        ident = pages.object_id(bruker_id)
        await pages.call(lambda: pages.service.deactivate_user(workplace.actor, ident, workplace.orgnr))
        return pages.redirect(workplace.path(SLUG) + "?utfoert=deaktivert")

    @router.post(base + "/{bruker_id}/aktiver")
    async def activate(
        request: Request, bruker_id: str, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        await pages.check_csrf(request, workplace)
        ident = pages.object_id(bruker_id)
        await pages.call(lambda: pages.service.activate_user(workplace.actor, ident, workplace.orgnr))
        return pages.redirect(workplace.path(SLUG) + "?utfoert=aktivert")

    return router
