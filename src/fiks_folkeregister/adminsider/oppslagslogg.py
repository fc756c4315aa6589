"""Oppslagslogg and Innsyn: the organisation's lookup log, filtered and paged, with a CSV of the page shown;
and every lookup of one person by the organisation.

Both read through the admin service's `lookup_page` (audit/oppslagssoek.py). Identity numbers never travel
in a URL: the person-looked-up filter is entered in a POST form and carried on as a reference bound to the
session (`portal/personreferanse.py`); insight is asked and answered by POST. Reading about a person is
itself recorded in the lookup log (admin/logs.py).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fiks_folkeregister.admin.logs import INSIGHT_FOR_PERSON, LOG_ABOUT_PERSON, Leser, Loggside
from fiks_folkeregister.adminsider.visning import NORWAY, uuid_or_none
from fiks_folkeregister.adminsider.web import PREFIX, AdminPages, Workplace
from fiks_folkeregister.audit.innsyn import HISTORY_LOOKUP
from fiks_folkeregister.audit.log import UTFALL
from fiks_folkeregister.audit.oppslagscsv import to_csv
from fiks_folkeregister.audit.oppslagssoek import InvalidFilterError, Oppslagsfilter, Sidemerke
from fiks_folkeregister.domain.identitetsnummer import is_valid
from fiks_folkeregister.gateway.resources import RESOURCES
from fiks_folkeregister.portal.personreferanse import Personreferanser
from fiks_folkeregister.portal.sessions import Session
from fiks_folkeregister.portal.web import PageError

SLUG = "oppslagslogg"
INSIGHT_SLUG = "innsyn"
PAGE_SIZE = 50
#: The GET form's fields (and the page links' parameters), besides the page marks.
FILTER_FIELDS = ("fra", "til", "rolle", "hvem", "utfall", "ressurs", "person")
#: The resources the filter offers: the mirrored API's, insight's register lookup and the log's own.
RESSURSER = (*(r.name for r in RESOURCES), HISTORY_LOOKUP, LOG_ABOUT_PERSON, INSIGHT_FOR_PERSON)
#: The outcomes in words (message ids).
UTFALL_ORD = {"ok": "Given", "avvist": "Refused", "feil": "Failed"}
#: Who asked, in words (message ids).
PRINSIPAL_ORD = {"integrasjon": "Integration", "person": "Logged-in person"}
_REFERENCE_KEY = "admin_personreferanse"
#: The messages of `_invalid` refusals (message ids, for the catalogue's test).
MESSAGES = (
    "'{value}' is not a date. Write dates as in 2026-11-29.",
    "Choose a role from the list.",
    "Choose who asked from the list.",
    "The person filter has run out (it is valid in the session it was made in). Enter the national identity "
    "number again.",
    "Choose an outcome from the list.",
    "Choose a resource from the list.",
    "The start date is after the end date.",
    *UTFALL_ORD.values(),
    *PRINSIPAL_ORD.values(),
)

INVALID_PERSON = PageError(
    400,
    "The national identity number is not valid",
    "A national identity number (or D number) has 11 digits and valid check digits. Check the number.",
)


def _invalid(message: str, **values: Any) -> PageError:
    return PageError(400, "The search is not valid", message, **values)


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid("'{value}' is not a date. Write dates as in 2026-11-29.", value=value) from None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=NORWAY)


def build_router(pages: AdminPages) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    base = PREFIX + "/{orgnr}/" + SLUG
    insight = PREFIX + "/{orgnr}/" + INSIGHT_SLUG

    def references(session: Session) -> Personreferanser:
        key = session.data.get(_REFERENCE_KEY)
        if not key:
            key = session.data[_REFERENCE_KEY] = secrets.token_urlsafe(32)
            pages.portal.sessions.save(session)
        return Personreferanser(key)

    def reader(workplace: Workplace) -> Leser:
        return Leser(workplace.session.data["pid"], workplace.administrator.navn)

    def choices(workplace: Workplace) -> dict[str, Any]:
        roles = pages.service.list_roles(workplace.actor, workplace.orgnr)
        integrations = pages.service.list_integrations(workplace.actor, workplace.orgnr)
        users = pages.service.list_users(workplace.actor, workplace.orgnr)
        return {
            "roles": [(str(s.rolle.id), s.rolle.navn) for s in roles],
            "principals": [(f"integrasjon:{i.id}", i.navn, "Integration") for i in integrations]
            + [(f"bruker:{u.id}", u.navn, "User") for u in users],
            "users": {u.id: u.foedselsnummer for u in users},
            "resources": RESSURSER,
            "outcomes": [(value, UTFALL_ORD[value]) for value in sorted(UTFALL)],
        }

    def read_filter(values: dict[str, str], workplace: Workplace, known: dict[str, Any]) -> Oppslagsfilter:
        """The form's values as a filter; a value a person can get wrong is explained (400)."""
        fra, til = _date(values["fra"]), _date(values["til"])
        rolle_id = None
        if values["rolle"]:
            rolle_id = uuid_or_none(values["rolle"])
            if rolle_id is None:
                raise _invalid("Choose a role from the list.")
        integrasjon_id: UUID | None = None
        person_fnr: str | None = None
        if values["hvem"]:
            kind, _, ident = values["hvem"].partition(":")
            chosen = uuid_or_none(ident)
            if kind == "integrasjon" and chosen is not None:
                integrasjon_id = chosen
            elif kind == "bruker" and chosen is not None and chosen in known["users"]:
                person_fnr = known["users"][chosen]
            else:
                raise _invalid("Choose who asked from the list.")
        oppslaatt = None
        if values["person"]:
            oppslaatt = references(workplace.session).les("", values["person"])
            if oppslaatt is None:
                raise _invalid(
                    "The person filter has run out (it is valid in the session it was made in). Enter the "
                    "national identity number again."
                )
        if values["utfall"] and values["utfall"] not in UTFALL:
            raise _invalid("Choose an outcome from the list.")
        if len(values["ressurs"]) > 200:
            raise _invalid("Choose a resource from the list.")
        if fra is not None and til is not None and fra > til:
            raise _invalid("The start date is after the end date.")
        try:
            return Oppslagsfilter(
                fra=_start_of(fra) if fra else None,
                til=_start_of(til + timedelta(days=1)) if til else None,
                rolle_id=rolle_id,
                integrasjon_id=integrasjon_id,
                person_foedselsnummer=person_fnr,
                oppslaatt=oppslaatt,
                utfall=values["utfall"] or None,
                ressurs=values["ressurs"] or None,
            )
        except InvalidFilterError as error:
            raise _invalid(error.message) from None

    def marks(request: Request) -> tuple[Sidemerke | None, Sidemerke | None]:
        try:
            foer = request.query_params.get("foer")
            etter = request.query_params.get("etter")
            return (
                Sidemerke.les(foer) if foer else None,
                Sidemerke.les(etter) if etter and not foer else None,
            )
        except InvalidFilterError:
            raise PageError(
                400, "The page number is not valid", "Go back to the first page of the log."
            ) from None

    def the_page(request: Request, workplace: Workplace) -> tuple[dict[str, str], dict[str, Any], Loggside]:
        values = {name: request.query_params.get(name, "").strip() for name in FILTER_FIELDS}
        known = choices(workplace)
        search = read_filter(values, workplace, known)
        foer, etter = marks(request)
        found = pages.attempt(
            lambda: pages.service.lookup_page(
                workplace.actor,
                workplace.orgnr,
                search,
                leser=reader(workplace),
                foer=foer,
                etter=etter,
                limit=PAGE_SIZE,
            )
        )
        return values, known, found

    def link(values: dict[str, str], **more: str) -> str:
        query = {name: value for name, value in values.items() if value} | more
        return "?" + urlencode(query) if query else ""

    def show_log(
        request: Request,
        workplace: Workplace,
        values: dict[str, str],
        known: dict[str, Any],
        found: Loggside | None,
        *,
        error: PageError | None = None,
        status_code: int = 200,
    ) -> Response:
        context: dict[str, Any] = {
            **known,
            "values": values,
            "error": error,
            "rows": found.rader if found else (),
            "newer": link(values, etter=found.side.nyere.tekst()) if found and found.side.nyere else None,
            "older": link(values, foer=found.side.eldre.tekst()) if found and found.side.eldre else None,
            "first": link(values),
            "csv": workplace.path(SLUG) + ".csv" + link(values, **_marks_of(request)),
            "outcome_words": UTFALL_ORD,
            "principal_words": PRINSIPAL_ORD,
            "hidden": {"person": values["person"]} if values["person"] else {},
        }
        return pages.render(
            request,
            "admin/oppslagslogg.html",
            context,
            status_code=status_code,
            workplace=workplace,
            current=SLUG,
        )

    @router.get(base)
    async def log_page(request: Request, workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        return await pages.in_pool(show_page, request, workplace)

    def show_page(request: Request, workplace: Workplace) -> Response:
        try:
            values, known, found = the_page(request, workplace)
        except PageError as error:
            if error.status_code != 400:
                raise
            values = {name: request.query_params.get(name, "").strip() for name in FILTER_FIELDS}
            return show_log(
                request, workplace, values, choices(workplace), None, error=error, status_code=400
            )
        return show_log(request, workplace, values, known, found)

    @router.get(base + ".csv")
    async def log_csv(request: Request, workplace: Workplace = Depends(pages.current_workplace)) -> Response:
        _, _, found = await pages.in_pool(the_page, request, workplace)
        response = Response(
            to_csv(found.rader).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="oppslagslogg-{workplace.orgnr}.csv"',
                "Cache-Control": "no-store",
            },
        )
        return pages.portal.secure(response)

    @router.post(base + "/person")
    async def filter_by_person(
        request: Request, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        """The person-looked-up filter: the number comes by POST and goes on as a session-bound reference."""
        form = await pages.check_csrf(request, workplace)
        values = {name: str(form.get(name, "")).strip() for name in FILTER_FIELDS}
        number = str(form.get("foedselsnummer", "")).replace(" ", "")
        if not is_valid(number):
            return await pages.in_pool(refuse_number, request, workplace, values)
        reference = await pages.in_pool(lambda: references(workplace.session).lag("", number))
        values["person"] = reference
        return pages.redirect(workplace.path(SLUG) + link(values))

    def refuse_number(request: Request, workplace: Workplace, values: dict[str, str]) -> Response:
        known = choices(workplace)
        return show_log(request, workplace, values, known, None, error=INVALID_PERSON, status_code=400)

    def show_insight(
        request: Request,
        workplace: Workplace,
        *,
        found: Loggside | None = None,
        number: str = "",
        error: PageError | None = None,
        status_code: int = 200,
    ) -> Response:
        context: dict[str, Any] = {
            "rows": found.rader if found else (),
            "searched": found is not None,
            "number": number,
            "older": found.side.eldre.tekst() if found and found.side.eldre else None,
            "error": error,
            "outcome_words": UTFALL_ORD,
            "principal_words": PRINSIPAL_ORD,
        }
        return pages.render(
            request,
            "admin/innsyn.html",
            context,
            status_code=status_code,
            workplace=workplace,
            current=INSIGHT_SLUG,
        )

    @router.get(insight)
    async def insight_form(
        request: Request, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        await pages.call(lambda: pages.service.require_lookup_log_reader(workplace.actor))
        return await pages.in_pool(show_insight, request, workplace)

    @router.post(insight)
    async def insight_answer(
        request: Request, workplace: Workplace = Depends(pages.current_workplace)
    ) -> Response:
        form = await pages.check_csrf(request, workplace)
        number = str(form.get("foedselsnummer", "")).replace(" ", "")
        if not is_valid(number):
            return await pages.in_pool(
                show_insight, request, workplace, number=number, error=INVALID_PERSON, status_code=400
            )
        foer = None
        if form.get("foer"):
            try:
                foer = Sidemerke.les(str(form.get("foer")))
            except InvalidFilterError:
                raise PageError(
                    400, "The page number is not valid", "Go back to the first page of the log."
                ) from None
        found = await pages.call(
            lambda: pages.service.person_insight(
                workplace.actor, workplace.orgnr, number, leser=reader(workplace), foer=foer, limit=PAGE_SIZE
            )
        )
        return await pages.in_pool(show_insight, request, workplace, found=found, number=number)

    return router


def _marks_of(request: Request) -> dict[str, str]:
    return {name: request.query_params[name] for name in ("foer", "etter") if request.query_params.get(name)}
