"""Integrasjoner: an organisation's machine clients. Create (the password shown once, with a copy button),
rotate the password (the new one shown once), delete (after a confirmation)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fiks_folkeregister.admin.integrations import IntegrationCredentials
from fiks_folkeregister.adminsider.web import PREFIX, AdminPages, Workplace
from fiks_folkeregister.portal.web import PageError

SLUG = "integrasjoner"
MAX_DESCRIPTION = 500


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
        created: IntegrationCredentials | None = None,
        rotated: IntegrationCredentials | None = None,
    ) -> Response:
        integrations = pages.service.list_integrations(workplace.actor, workplace.orgnr)
        context: dict[str, Any] = {
            "integrations": integrations,
            "error": error,
            "values": values or {},
            "created": created,
            "rotated": rotated,
            "deleted": request.query_params.get("slettet") == "1",
        }
        return pages.render(
            request,
            "admin/integrasjoner.html",
            context,
            status_code=status_code,
            workplace=workplace,
            current=SLUG,
            once=True,
        )

    @router.get(base)
    async def list_page(
        request: Request, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        return await pages.in_pool(show, request, workplace)

    @router.post(base)
    async def create(request: Request, workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        form = await pages.check_csrf(request, workplace)
        await pages.use_once(form, workplace)
        values = {
            name: str(form.get(name, "")).strip() for name in ("navn", "beskrivelse", "autorisert_orgnr")
        }
        try:
            if not values["navn"]:
                raise PageError(400, "The name is missing", "Give the integration a name. Nothing was saved.")
            if len(values["beskrivelse"]) > MAX_DESCRIPTION:
                raise PageError(
                    400,
                    "The description is too long",
                    "The description may have at most {max} characters. Nothing was saved.",
                    max=MAX_DESCRIPTION,
                )
            created = await pages.call(
                lambda: pages.service.create_integration(
                    workplace.actor,
                    workplace.orgnr,
                    values["navn"],
                    values["autorisert_orgnr"] or None,
                    values["beskrivelse"],
                )
            )
        except PageError as error:
            return await pages.in_pool(
                show, request, workplace, status_code=error.status_code, error=error, values=values
            )
        return await pages.in_pool(show, request, workplace, status_code=201, created=created)

    @router.post(base + "/{integrasjon_id}/nytt-passord")
    async def rotate(
        request: Request, integrasjon_id: str, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        await pages.use_once(await pages.check_csrf(request, workplace), workplace)
        ident = pages.object_id(integrasjon_id)
        rotated = await pages.call(
            lambda: pages.service.rotate_password(workplace.actor, ident, workplace.orgnr)
        )
        return await pages.in_pool(show, request, workplace, rotated=rotated)

    @router.get(base + "/{integrasjon_id}/slett")
    async def confirm_delete(
        request: Request, integrasjon_id: str, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        ident = pages.object_id(integrasjon_id)
        return await pages.in_pool(show_confirmation, request, workplace, ident)

    def show_confirmation(request: Request, workplace: Workplace, ident: Any) -> Response:
        integration = pages.attempt(
            lambda: pages.service.get_integration(workplace.actor, ident, workplace.orgnr)
        )
        grants = [
            grant
            for grant in pages.service.list_grants(workplace.actor, workplace.orgnr)
            if grant.integrasjon_id == ident
        ]
        return pages.render(
            request,
            "admin/integrasjon_slett.html",
            {"integration": integration, "grants": len(grants)},
            workplace=workplace,
            current=SLUG,
        )

    @router.post(base + "/{integrasjon_id}/slett")
    async def delete(
        request: Request, integrasjon_id: str, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        await pages.check_csrf(request, workplace)
        ident = pages.object_id(integrasjon_id)
        await pages.call(lambda: pages.service.delete_integration(workplace.actor, ident, workplace.orgnr))
        return pages.redirect(workplace.path(SLUG) + "?slettet=1")

    return router
