"""Endringslogg: who changed what in the organisation's configuration, before and after; newest first,
paged."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fiks_folkeregister.admin.logs import Endring
from fiks_folkeregister.adminsider.visning import endrede_felt
from fiks_folkeregister.adminsider.web import PREFIX, AdminPages, Workplace
from fiks_folkeregister.portal.web import PageError

SLUG = "endringslogg"
PAGE_SIZE = 25
#: The change log's actions in words (message ids); an action not listed is shown as recorded.
ACTIONS: dict[str, str] = {
    "organisasjon.opprettet": "Organisation registered",
    "organisasjon.forespoerselsgrense": "Request rate changed",
    "rolle.opprettet": "Role created",
    "rolle.endret": "Role changed",
    "rolle.slettet": "Role deleted",
    "integrasjon.opprettet": "Integration created",
    "integrasjon.passord_byttet": "Integration password changed",
    "integrasjon.slettet": "Integration deleted",
    "bruker.opprettet": "User created",
    "bruker.deaktivert": "User deactivated",
    "bruker.aktivert": "User activated",
    "tildeling.opprettet": "Role granted",
    "tildeling.tilbakekalt": "Access revoked",
    "administrator.opprettet": "Administrator created",
    "administrator.deaktivert": "Administrator deactivated",
}


def page_number(value: str | None) -> int:
    """``?side=`` (from 1); anything else is a 400 page."""
    if value is None or value == "":
        return 1
    if not value.isdigit() or int(value) < 1 or int(value) > 1_000_000:
        raise PageError(400, "The page number is not valid", "A page number is a whole number from 1.")
    return int(value)


def build_router(pages: AdminPages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def entry(change: Endring) -> dict[str, Any]:
        return {
            "tidspunkt": change.tidspunkt,
            "utfoert_av": change.utfoert_av,
            "handling": pages.portal.gettext(ACTIONS[change.handling])
            if change.handling in ACTIONS
            else change.handling,
            "objekttype": change.objekttype,
            "objekt_id": change.objekt_id,
            "felt": endrede_felt(change.foer, change.etter, pages.portal.gettext),
        }

    @router.get(PREFIX + "/{orgnr}/" + SLUG)
    async def change_log(
        request: Request, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        side = page_number(request.query_params.get("side"))
        return await pages.in_pool(show, request, workplace, side)

    def show(request: Request, workplace: Workplace, side: int) -> Response:
        found = pages.service.change_log(
            workplace.actor, workplace.orgnr, limit=PAGE_SIZE + 1, offset=(side - 1) * PAGE_SIZE
        )
        context = {
            "entries": [entry(change) for change in found[:PAGE_SIZE]],
            "side": side,
            "has_next": len(found) > PAGE_SIZE,
        }
        return pages.render(request, "admin/endringslogg.html", context, workplace=workplace, current=SLUG)

    return router
