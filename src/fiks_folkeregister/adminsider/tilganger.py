"""Tilganger: which integrations and which persons hold which of the organisation's roles; grant and
revoke (effective at the holder's next request)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fiks_folkeregister.adminsider.visning import uuid_or_none
from fiks_folkeregister.adminsider.web import PREFIX, AdminPages, Workplace
from fiks_folkeregister.portal.web import PageError

SLUG = "tilganger"
HOLDERS = ("integrasjon", "bruker")


def build_router(pages: AdminPages) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    base = PREFIX + "/{orgnr}/" + SLUG

    def show(
        request: Request, workplace: Workplace, *, status_code: int = 200, error: PageError | None = None
    ) -> Response:
        actor, orgnr = workplace.actor, workplace.orgnr
        roles = pages.service.list_roles(actor, orgnr)
        integrations = pages.service.list_integrations(actor, orgnr)
        users = pages.service.list_users(actor, orgnr)
        role_names = {stored.rolle.id: stored.rolle.navn for stored in roles}
        integration_names = {integration.id: integration.navn for integration in integrations}
        user_names = {user.id: user.navn for user in users}
        rows: dict[str, list[dict[str, Any]]] = {"integrasjon": [], "bruker": []}
        for grant in pages.service.list_grants(actor, orgnr):
            kind = "bruker" if grant.bruker_id is not None else "integrasjon"
            holder = grant.bruker_id if grant.bruker_id is not None else grant.integrasjon_id
            names = user_names if kind == "bruker" else integration_names
            rows[kind].append(
                {
                    "holder_id": holder,
                    "holder": names.get(holder, str(holder)),
                    "rolle_id": grant.rolle_id,
                    "rolle": role_names.get(grant.rolle_id, str(grant.rolle_id)),
                    "opprettet": grant.opprettet,
                    "opprettet_av": grant.opprettet_av,
                }
            )
        for kind in rows:
            rows[kind].sort(key=lambda row: (row["holder"], row["rolle"]))
        context = {
            "roles": sorted(roles, key=lambda stored: stored.rolle.navn),
            "integrations": integrations,
            "users": [user for user in users if user.aktiv],
            "rows": rows,
            "error": error,
            "done": request.query_params.get("utfoert", ""),
        }
        return pages.render(
            request,
            "admin/tilganger.html",
            context,
            status_code=status_code,
            workplace=workplace,
            current=SLUG,
        )

    def chosen(form: Any) -> tuple[str, UUID, UUID]:
        """The holder's kind and id and the role from a form, each one chosen (or a 400 saying which)."""
        kind = str(form.get("type", ""))
        if kind not in HOLDERS:
            raise PageError(
                400, "Choose who gets access", "Choose an integration or a user. Nothing was saved."
            )
        holder = uuid_or_none(form.get("innehaver"))
        if holder is None:
            raise PageError(
                400,
                "Choose who gets access",
                "Choose an integration or a user in the list. Nothing was saved.",
            )
        rolle_id = uuid_or_none(form.get("rolle_id"))
        if rolle_id is None:
            raise PageError(
                400, "Choose a role", "Choose one of the organisation's roles in the list. Nothing was saved."
            )
        return kind, holder, rolle_id

    @router.get(base)
    async def list_page(
        request: Request, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        return await pages.in_pool(show, request, workplace)

    @router.post(base)
    async def grant(request: Request, workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        form = await pages.check_csrf(request, workplace)
        try:
            kind, holder, rolle_id = chosen(form)
            if kind == "integrasjon":
                _, created = await pages.call(
                    lambda: pages.service.grant(workplace.actor, holder, rolle_id, workplace.orgnr)
                )
            else:
                _, created = await pages.call(
                    lambda: pages.service.grant_user(workplace.actor, holder, rolle_id, workplace.orgnr)
                )
        except PageError as error:
            return await pages.in_pool(show, request, workplace, status_code=error.status_code, error=error)
        return pages.redirect(workplace.path(SLUG) + ("?utfoert=gitt" if created else "?utfoert=hadde"))

    @router.post(base + "/tilbakekall")
    async def revoke(request: Request, workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        form = await pages.check_csrf(request, workplace)
        kind, holder, rolle_id = chosen(form)
        if kind == "integrasjon":
            await pages.call(lambda: pages.service.revoke(workplace.actor, holder, rolle_id, workplace.orgnr))
        else:
            await pages.call(
                lambda: pages.service.revoke_user(workplace.actor, holder, rolle_id, workplace.orgnr)
            )
        return pages.redirect(workplace.path(SLUG) + "?utfoert=tilbakekalt")

    return router
