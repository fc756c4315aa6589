"""Oversikt: the organisation, its set-up check (``admin/verifisering.py``: OK / not done / failed per
subsystem), counts, and the latest changes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fiks_folkeregister.admin.verifisering import Status, verify
from fiks_folkeregister.adminsider.endringslogg import ACTIONS
from fiks_folkeregister.adminsider.web import PREFIX, AdminPages, Workplace

RECENT_CHANGES = 5
#: Each status of the set-up check: its words (message id) and style.
STATUSES: dict[Status, tuple[str, str]] = {
    Status.OK: ("Passed", "status-ok"),
    Status.IKKE_UTFORT: ("Not done", "status-not-done"),
    Status.FEILET: ("Failed", "status-failed"),
}


def build_router(pages: AdminPages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(PREFIX + "/{orgnr}/")
    async def overview(request: Request, workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        return await pages.in_pool(show, request, workplace)

    def show(request: Request, workplace: Workplace) -> Response:
        """The page, gathered in a worker thread (the database, and the set-up check's upstream call)."""
        actor, orgnr = workplace.actor, workplace.orgnr
        checks = [
            {
                "navn": subsystem.navn,
                "sjekk": subsystem.verifikasjon_beskrivelse,
                "status": STATUSES[subsystem.status][0],
                "klasse": STATUSES[subsystem.status][1],
                "beskrivelse": subsystem.beskrivelse,
            }
            for subsystem in verify(pages.service, actor, orgnr, None)
        ]
        users = pages.service.list_users(actor, orgnr)
        counts = {
            "roles": len(pages.service.list_roles(actor, orgnr)),
            "integrations": len(pages.service.list_integrations(actor, orgnr)),
            "users": sum(1 for user in users if user.aktiv),
            "grants": len(pages.service.list_grants(actor, orgnr)),
        }
        recent = [
            {
                "tidspunkt": change.tidspunkt,
                "utfoert_av": change.utfoert_av,
                "handling": pages.portal.gettext(ACTIONS[change.handling])
                if change.handling in ACTIONS
                else change.handling,
            }
            for change in pages.service.change_log(actor, orgnr, limit=RECENT_CHANGES)
        ]
        context = {"checks": checks, "counts": counts, "recent": recent}
        return pages.render(request, "admin/oversikt.html", context, workplace=workplace, current="")

    @router.get(PREFIX + "/{orgnr}")
    async def overview_without_slash(workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        return pages.redirect(workplace.path())

    return router
