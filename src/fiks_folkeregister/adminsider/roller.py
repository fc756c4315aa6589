"""Roller: an organisation's roles. List (holders, active or not), create, edit, deactivate and activate.

The editor's element picker is grouped as the register groups the elements (`domain/rolleredigering.py`) and
marks what the chosen rights package can never give: live with `static/roller.js`, and without JavaScript
by the "Check the choice" button, which shows the server's same answer. Saving goes through the admin
service, whose one validation (`domain/rolle.py`) decides; its refusal is explained in words here.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.roles import StoredRole
from fiks_folkeregister.adminsider.web import PREFIX, AdminPages, Workplace
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.rolle import GYLDIGHETER, Bruksomraade
from fiks_folkeregister.domain.rolleredigering import (
    groups,
    history_never_given,
    never_given,
    package_of,
    parts_of_choice,
    picker,
)
from fiks_folkeregister.domain.tjenesteomrade import STANDARD_LOVHJEMLER, TJENESTEOMRADER
from fiks_folkeregister.portal.roles import USAGE
from fiks_folkeregister.portal.web import PageError

SLUG = "roller"
MAX_DESCRIPTION = 500
#: Where a role may be used, in words (message ids).
GYLDIGHET_ORD = {
    "api": "Business systems through the API",
    "soekWeb": "Case workers in the search portal",
    "uttrekkWeb": "Extracts in the browser",
    "asynkron": "Asynchronous jobs",
}
#: The picker's groups, in words (message ids).
GRUPPE_ORD = {
    "person-basis": "Person basis (person-basis)",
    "identitetsgrunnlag-utvidet": "Extended identity basis (identitetsgrunnlag-utvidet)",
    "relasjon-utvidet": "Extended relations (relasjon-utvidet)",
    "andre": "Other elements",
}
#: Refusals of a role's definition in words: code → (title, message); message ids.
AVSLAG: dict[str, tuple[str, str]] = {
    "ELEMENT_IKKE_TILLATT": (
        "The rights package cannot give these elements",
        "The rights package {pakke} never gives: {elementer}. Remove them, or choose the rights package "
        "offentlig-med-hjemmel if the organisation has a legal basis for them. Nothing was saved.",
    ),
    "MANGLER_ELEMENTER": (
        "The role gives no information",
        "Choose at least one information element. Nothing was saved.",
    ),
    "MANGLER_BRUKSOMRAADE": (
        "The role has no use",
        "Choose at least one thing the role may be used for. Nothing was saved.",
    ),
    "MANGLER_GYLDIGHET": (
        "The role is valid nowhere",
        "Choose at least one place the role may be used. Nothing was saved.",
    ),
    "UKJENT_LOVHJEMMEL": (
        "The legal basis does not fit the service area",
        "The legal basis {lovhjemmel} is not one of the service area's. Choose one listed for the service "
        "area, or none. Nothing was saved.",
    ),
    "UGYLDIG_TAGG": (
        "A tag is not valid",
        "A tag has 2 to 100 letters, digits and punctuation; separate tags with commas. Nothing was saved.",
    ),
    "MANGLER_RETTIGHETSPAKKE": (
        "The rights package is missing",
        "Choose a rights package. Nothing was saved.",
    ),
}
#: Any other refusal of the definition (a form changed by hand): named by its code.
AVSLAG_ELLERS = ("The role cannot be saved", "The choice is not valid (code {code}). Nothing was saved.")
MESSAGES = (
    *GYLDIGHET_ORD.values(),
    *GRUPPE_ORD.values(),
    *(text for pair in AVSLAG.values() for text in pair),
    *AVSLAG_ELLERS,
)
_DEFINITION_CODES = frozenset(AVSLAG) | {
    "UKJENT_RETTIGHETSPAKKE",
    "UKJENT_BRUKSOMRAADE",
    "UKJENT_GYLDIGHET",
    "UKJENT_PART",
    "UKJENT_TJENESTEOMRADE",
}


def build_router(pages: AdminPages) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    base = PREFIX + "/{orgnr}/" + SLUG

    def pgettext(context: str, message: str) -> str:
        return pages.portal.translations.pgettext(context, message)

    def label(element: str) -> str:
        return pgettext("element", element)

    def explain(error: AdminError) -> PageError:
        """A refusal of the role's definition in words; other refusals as the foundation explains them."""
        if error.code not in _DEFINITION_CODES:
            return pages.refused(error)
        title, message = AVSLAG.get(error.code, AVSLAG_ELLERS)
        details = dict(error.details)
        return PageError(
            error.status,
            title,
            message,
            code=error.code,
            pakke=str(details.get("rettighetspakke", "")),
            elementer=", ".join(label(e) for e in details.get("elementer", ())),
            lovhjemmel=str(details.get("lovhjemmel", "")),
        )

    def values_of(stored: StoredRole | None) -> dict[str, Any]:
        if stored is None:
            return {
                "navn": "",
                "beskrivelse": "",
                "rettighetspakke": "",
                "bruksomraader": [Bruksomraade.SOK_ETTER_PERSON.value],
                "gyldighet": ["soekWeb"],
                "tjeneste_omrade": "",
                "lovhjemmel": "",
                "tagger": "",
                "deler": [],
            }
        role = stored.rolle
        return {
            "navn": role.navn,
            "beskrivelse": role.beskrivelse,
            "rettighetspakke": role.rettighetspakke.value,
            "bruksomraader": [b.value for b in role.bruksomraader],
            "gyldighet": list(role.gyldighet),
            "tjeneste_omrade": stored.tjeneste_omrade.value,
            "lovhjemmel": stored.lovhjemmel.beskrivelse if stored.lovhjemmel else "",
            "tagger": ", ".join(stored.tagger),
            "deler": list(stored.deler),
        }

    def values_from(form: FormData) -> dict[str, Any]:
        elements = [str(value) for value in form.getlist("element")]
        return {
            "navn": str(form.get("navn", "")).strip(),
            "beskrivelse": str(form.get("beskrivelse", "")).strip(),
            "rettighetspakke": str(form.get("rettighetspakke", "")),
            "bruksomraader": [str(value) for value in form.getlist("bruksomraade")],
            "gyldighet": [str(value) for value in form.getlist("gyldighet")],
            "tjeneste_omrade": str(form.get("tjeneste_omrade", "")),
            "lovhjemmel": str(form.get("lovhjemmel", "")),
            "tagger": str(form.get("tagger", "")),
            "deler": list(parts_of_choice(elements, form.get("historikk") == "ja")),
        }

    def show_editor(
        request: Request,
        workplace: Workplace,
        values: dict[str, Any],
        *,
        stored: StoredRole | None = None,
        error: PageError | None = None,
        checked: bool = False,
        status_code: int = 200,
    ) -> Response:
        package = package_of(values["rettighetspakke"])
        view = picker(package, values["deler"])
        packages = list(Rettighetspakke)
        context = {
            "values": values,
            "stored": stored,
            "error": error,
            "checked": checked,
            "view": view,
            "packages": [p.value for p in packages],
            "never": {
                p.value: sorted((label(e) for e in never_given(p)), key=str.casefold) for p in packages
            },
            "never_history": {
                p.value: sorted((label(e) for e in history_never_given(p)), key=str.casefold)
                for p in packages
            },
            "never_for": {
                element: " ".join(p.value for p in packages if element in never_given(p))
                for _, elements in groups()
                for element in elements
            },
            "group_words": GRUPPE_ORD,
            "usages": [(area.value, USAGE[area]) for area in Bruksomraade],
            "validities": [(value, GYLDIGHET_ORD[value]) for value in GYLDIGHETER],
            "areas": TJENESTEOMRADER,
            "legal_bases": STANDARD_LOVHJEMLER,
            "label": label,
        }
        return pages.render(
            request,
            "admin/rolle.html",
            context,
            status_code=status_code,
            workplace=workplace,
            current=SLUG,
            once=stored is None,  # creating: the form may be sent once (a reload does not create it again)
        )

    def save(workplace: Workplace, values: dict[str, Any], rolle_id: UUID | None) -> StoredRole:
        if not values["navn"]:
            raise PageError(400, "The name is missing", "Give the role a name. Nothing was saved.")
        if len(values["beskrivelse"]) > MAX_DESCRIPTION:
            raise PageError(
                400,
                "The description is too long",
                "The description may have at most {max} characters. Nothing was saved.",
                max=MAX_DESCRIPTION,
            )
        if not values["rettighetspakke"]:
            title, message = AVSLAG["MANGLER_RETTIGHETSPAKKE"]
            raise PageError(400, title, message)
        fields: dict[str, Any] = {
            "beskrivelse": values["beskrivelse"],
            "tjeneste_omrade": values["tjeneste_omrade"] or None,
            "lovhjemmel": values["lovhjemmel"],
            "tagger": [tag for tag in values["tagger"].split(",") if tag.strip()],
        }
        try:
            if rolle_id is None:
                return pages.service.create_role(
                    workplace.actor,
                    workplace.orgnr,
                    values["navn"],
                    values["rettighetspakke"],
                    values["bruksomraader"],
                    values["deler"],
                    gyldighet=values["gyldighet"],
                    **fields,
                )
            return pages.service.update_role(
                workplace.actor,
                rolle_id,
                orgnr=workplace.orgnr,
                navn=values["navn"],
                rettighetspakke=values["rettighetspakke"],
                bruksomraader=values["bruksomraader"],
                deler=values["deler"],
                gyldighet=values["gyldighet"],
                **fields,
            )
        except AdminError as error:
            raise explain(error) from None

    @router.get(base)
    async def list_page(
        request: Request, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        return await pages.in_pool(show_list, request, workplace)

    def show_list(request: Request, workplace: Workplace) -> Response:
        roles = pages.service.list_roles(workplace.actor, workplace.orgnr)
        context = {"roles": roles, "done": request.query_params.get("utfoert", "")}
        return pages.render(request, "admin/roller.html", context, workplace=workplace, current=SLUG)

    @router.get(base + "/ny")
    async def new_role(request: Request, workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        return await pages.in_pool(show_editor, request, workplace, values_of(None))

    @router.post(base + "/ny")
    async def create(request: Request, workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        form = await pages.check_csrf(request, workplace)
        values = values_from(form)
        if form.get("handling") == "sjekk":
            return await pages.in_pool(show_editor, request, workplace, values, checked=True)
        await pages.use_once(form, workplace)
        try:
            await pages.in_pool(save, workplace, values, None)
        except PageError as error:
            return await pages.in_pool(
                show_editor, request, workplace, values, error=error, status_code=error.status_code
            )
        return pages.redirect(workplace.path(SLUG) + "?utfoert=opprettet")

    @router.get(base + "/{rolle_id}")
    async def edit(
        request: Request, rolle_id: str, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        ident = pages.object_id(rolle_id)
        stored = await pages.call(lambda: pages.service.get_role(workplace.actor, ident, workplace.orgnr))
        return await pages.in_pool(show_editor, request, workplace, values_of(stored), stored=stored)

    @router.post(base + "/{rolle_id}")
    async def update(
        request: Request, rolle_id: str, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        form = await pages.check_csrf(request, workplace)
        ident = pages.object_id(rolle_id)
        stored = await pages.call(lambda: pages.service.get_role(workplace.actor, ident, workplace.orgnr))
        values = values_from(form)
        if form.get("handling") == "sjekk":
            return await pages.in_pool(show_editor, request, workplace, values, stored=stored, checked=True)
        try:
            await pages.in_pool(save, workplace, values, ident)
        except PageError as error:
            if error.status_code == 404:
                raise
            return await pages.in_pool(
                show_editor,
                request,
                workplace,
                values,
                stored=stored,
                error=error,
                status_code=error.status_code,
            )
        return pages.redirect(workplace.path(SLUG) + "?utfoert=endret")

    @router.post(base + "/{rolle_id}/deaktiver")
    async def deactivate(
        request: Request, rolle_id: str, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        await pages.check_csrf(request, workplace)
        ident = pages.object_id(rolle_id)
        await pages.call(lambda: pages.service.deactivate_role(workplace.actor, ident, workplace.orgnr))
        return pages.redirect(workplace.path(SLUG) + "?utfoert=deaktivert")

    @router.post(base + "/{rolle_id}/aktiver")
    async def activate(
        request: Request, rolle_id: str, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        await pages.check_csrf(request, workplace)
        ident = pages.object_id(rolle_id)
        await pages.call(lambda: pages.service.activate_role(workplace.actor, ident, workplace.orgnr))
        return pages.redirect(workplace.path(SLUG) + "?utfoert=aktivert")

    return router
