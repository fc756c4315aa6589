"""The foundation every administration page is built on (see docs/admin.md, "For developers").

``AdminPages`` reuses the portal's machinery (``portal/web.py``: server-side sessions, cookie, security
headers, CSRF, the Babel catalogue) and adds what the administration needs: who the logged-in person
administers (read afresh on every request, so a deactivated administrator is stopped at once), the
organisation being worked on (``/admin/{orgnr}/…``: another organisation's pages are 404), the page layout
with its navigation, and refusals of the admin service explained in bokmål.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from fiks_folkeregister.admin.administrators import Administrator
from fiks_folkeregister.admin.base import MAX_NAME, Actor, ActorKind
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.organisations import Organisasjon
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.adminsider.avvisninger import refusal
from fiks_folkeregister.adminsider.visning import maskert, tidspunkt, utfoert_av, uuid_or_none
from fiks_folkeregister.portal.login import Login
from fiks_folkeregister.portal.sessions import Session
from fiks_folkeregister.portal.web import STATIC_PATH as PORTAL_STATIC_PATH
from fiks_folkeregister.portal.web import PageError, PortalContext

PREFIX = "/admin"
STATIC_PATH = f"{PREFIX}/static"
TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")
LOCALE_DIR = Path(__file__).with_name("locale")
LOGIN_PATH = f"{PREFIX}/innlogging"
EXPIRED_PATH = f"{PREFIX}/utloept"
HOME_PATH = f"{PREFIX}/"
#: The name the shared callback knows this room's logins by (``PortalContext.login_rooms``).
LOGIN_ROOM = "admin"
#: The hidden field of a form that may be sent only once (``render(once=True)``, ``use_once``).
ONCE_FIELD = "engangskode"
_ONCE_KEY = "admin_engangskoder"
_ONCE_KEPT = 20


@dataclass(frozen=True)
class NavItem:
    """One entry of the navigation: ``/admin/{orgnr}/{slug}`` (the overview: empty slug), its label's
    message id, and whether a platform operator who does not administer the organisation sees it."""

    slug: str
    label: str
    for_operator: bool = True


#: The navigation of every organisation's pages, in order (each page module serves its slug).
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("", "Overview"),
    NavItem("roller", "Roles"),
    NavItem("integrasjoner", "Integrations"),
    NavItem("tilganger", "Access"),
    NavItem("brukere", "Users"),
    NavItem("endringslogg", "Change log"),
    NavItem("oppslagslogg", "Lookup log", for_operator=False),
    NavItem("innsyn", "Insight", for_operator=False),
)


@dataclass(frozen=True)
class SignedIn:
    """A logged-in person and what they administer now (active person administrators only)."""

    session: Session
    records: tuple[Administrator, ...]

    @property
    def navn(self) -> str:
        return self.records[0].navn

    @property
    def operator(self) -> Administrator | None:
        """The person's platform-operator record, if they are one (they may work on every organisation)."""
        return next((record for record in self.records if record.orgnr is None), None)

    @property
    def orgnrs(self) -> tuple[str, ...]:
        """The organisations the person administers as such (not counting the operator's reach)."""
        return tuple(record.orgnr for record in self.records if record.orgnr is not None)

    def actor(self, orgnr: str) -> Actor | None:
        """Who the admin service sees acting on ``orgnr`` (named in the change log by administrator id and
        name): the organisation's administrator; else the platform operator; None: neither."""
        for record in self.records:
            if record.orgnr == orgnr:
                return Actor(_actor_name(record), ActorKind.ADMINISTRATOR, orgnr)
        operator = self.operator
        if operator is not None:
            return Actor(_actor_name(operator), ActorKind.OPERATOR, None)
        return None


@dataclass(frozen=True)
class Workplace:
    """The administrator working on one organisation: every page of ``/admin/{orgnr}/`` gets one.

    Pass ``actor`` to the admin service and always ``orgnr`` with it (an operator's actor reaches every
    organisation; the pages must not), so an object of another organisation is not found (404).
    """

    administrator: SignedIn
    organisation: Organisasjon
    actor: Actor

    @property
    def session(self) -> Session:
        return self.administrator.session

    @property
    def orgnr(self) -> str:
        return self.organisation.orgnr

    @property
    def as_operator(self) -> bool:
        """Working as platform operator (not the organisation's own administrator)."""
        return self.actor.kind is ActorKind.OPERATOR

    def path(self, slug: str = "") -> str:
        return f"{PREFIX}/{self.orgnr}/{slug}"


def _actor_name(record: Administrator) -> str:
    return f"administrator:{record.id}:{record.navn}"[:MAX_NAME]


class AdminPages:
    """The administration pages' machinery, built once in ``app.py`` (``app.state.admin_pages``)."""

    def __init__(self, portal: PortalContext, service: AdminService) -> None:
        self.portal = portal
        self.service = service
        portal.add_templates(TEMPLATES_DIR)
        filters = portal.templates.filters
        filters["tidspunkt"] = tidspunkt
        filters["maskert"] = maskert
        filters["utfoert_av"] = lambda navn: utfoert_av(navn, portal.gettext)

    # ------------------------------------------------------------------ rendering

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
        workplace: Workplace | None = None,
        administrator: SignedIn | None = None,
        current: str | None = None,
        once: bool = False,
    ) -> HTMLResponse:
        """The template (``admin/….html``, extending ``admin/base.html``) with the security headers. With a
        ``workplace`` the layout shows the organisation and the navigation (``current``: the slug of the
        page shown), and forms get ``csrf_token``; ``administrator`` alone: the header only. ``once``: the
        page's forms may each be sent once (``once_field``/``once_code``; the handler calls ``use_once``),
        so reloading the answer to a POST does not do it again."""
        if workplace is not None:
            administrator = workplace.administrator
        values: dict[str, Any] = {
            "admin_static": lambda name: f"{STATIC_PATH}/{name}",
            "portal_static": lambda name: f"{PORTAL_STATIC_PATH}/{name}",
            "administrator": administrator,
            "workplace": workplace,
            "navigation": self.navigation(workplace, current),
            "may_switch": administrator is not None
            and (administrator.operator is not None or len(administrator.orgnrs) > 1),
            "once_field": ONCE_FIELD,
            "logout_room": LOGIN_ROOM,  # the logged-out page then speaks of the administration
            "once_code": self._issue_once(administrator.session) if once and administrator else "",
        }
        values.update(context or {})
        session = administrator.session if administrator is not None else None
        return self.portal.render(request, template, values, status_code=status_code, session=session)

    def navigation(self, workplace: Workplace | None, current: str | None) -> list[dict[str, Any]]:
        if workplace is None:
            return []
        return [
            {"href": workplace.path(item.slug), "label": item.label, "current": item.slug == current}
            for item in NAVIGATION
            if item.for_operator or not workplace.as_operator
        ]

    def redirect(self, location: str) -> Response:
        return self.portal.redirect(location)

    # ------------------------------------------------------------------ dependencies

    def signed_in(self, session: Session) -> SignedIn | None:
        """What the session's person administers now; None: nothing (not an administrator)."""
        records = self.service.person_administrations(session.data["pid"])
        return SignedIn(session, tuple(records)) if records else None

    async def current_administrator(self, request: Request) -> SignedIn:
        """FastAPI dependency: the logged-in administrator. No session: to ``/admin/innlogging``; one that
        ran out: to ``/admin/utloept``; a person who administers nothing: a 403 page."""
        session = await self.portal.logged_in_session(
            request, login_path=LOGIN_PATH, expired_path=EXPIRED_PATH
        )
        administrator = await run_in_threadpool(self.signed_in, session)  # the database: off the event loop
        if administrator is None:
            raise not_an_administrator()
        return administrator

    async def current_workplace(self, request: Request, orgnr: str) -> Workplace:
        """FastAPI dependency for pages under ``/admin/{orgnr}/``: the administrator and the organisation,
        which they must administer (or be a platform operator): otherwise 404, as the admin API answers."""
        administrator = await self.current_administrator(request)
        actor = administrator.actor(orgnr)
        if actor is None:
            raise organisation_not_found()
        try:
            organisation = await run_in_threadpool(self.service.get_organisation, actor, orgnr)
        except AdminError:
            raise organisation_not_found() from None
        return Workplace(administrator, organisation, actor)

    async def check_csrf(self, request: Request, workplace: Workplace | SignedIn) -> FormData:
        """Call first in every POST handler: the form's CSRF token must be the session's (else a 403 page,
        nothing done). Returns the form."""
        return await self.portal.check_csrf(request, workplace.session)

    def _issue_once(self, session: Session) -> str:
        code = secrets.token_urlsafe(16)
        kept = [*session.data.get(_ONCE_KEY, []), code][-_ONCE_KEPT:]
        session.data[_ONCE_KEY] = kept
        self.portal.sessions.save(session)
        return code

    async def use_once(self, form: FormData, workplace: Workplace) -> None:
        """After ``check_csrf`` in a handler whose form was rendered with ``once=True``: the form's one-time
        code is used up now; sent again (a reload, a double click), it is a 409 page and nothing is done."""
        session = workplace.session
        code = form.get(ONCE_FIELD)
        kept = list(session.data.get(_ONCE_KEY, []))
        if not isinstance(code, str) or code not in kept:
            raise PageError(
                409,
                "The form was already sent",
                "This form was already sent once, so nothing more was done (reloading the page sends it "
                "again). Open the page anew to make another change.",
            )
        kept.remove(code)
        session.data[_ONCE_KEY] = kept
        await run_in_threadpool(self.portal.sessions.save, session)

    @staticmethod
    def refused(error: AdminError, **values: Any) -> PageError:
        """The admin service's refusal as a page in bokmål (``adminsider/avvisninger.py``), same status."""
        return refusal(error, **values)

    def attempt(self, action: Callable[[], Any], **values: Any) -> Any:
        """Run an admin-service call here (in a worker thread: inside a function the handler runs with
        ``in_pool``); its refusal becomes a ``PageError`` (nothing was written: each use case is one
        transaction)."""
        try:
            return action()
        except AdminError as error:
            raise self.refused(error, **values) from None

    async def call(self, action: Callable[[], Any], **values: Any) -> Any:
        """``attempt`` in the thread pool: the database never blocks the event loop."""
        return await run_in_threadpool(self.attempt, action, **values)

    @staticmethod
    async def in_pool(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A page's blocking work (reading the admin service, saving the session, rendering) run in the
        thread pool: every handler gathers its page in one such function."""
        return await run_in_threadpool(function, *args, **kwargs)

    @staticmethod
    def object_id(value: object) -> UUID:
        """An id from a path or a form; not one: the 404 page (no such object here)."""
        found = uuid_or_none(value)
        if found is None:
            raise PageError(
                404, "The page was not found", "The address does not name anything here. Nothing was saved."
            )
        return found

    # ------------------------------------------------------------------ installing

    def install(self, app: FastAPI) -> None:
        """Static files, this room's error page and its logins at the shared callback."""
        app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="admin-static")
        self.portal.add_error_page(f"{PREFIX}/", self.show_error)
        self.portal.login_rooms[LOGIN_ROOM] = self.logged_in

    def show_error(self, request: Request, error: PageError, session: Session | None) -> Response:
        administrator = self.signed_in(session) if session is not None else None
        return self.render(
            request,
            "admin/feil.html",
            {"error": error},
            status_code=error.status_code,
            administrator=administrator,
        )

    async def logged_in(self, request: Request, done: Login) -> Response:
        """The shared callback's answer for a login begun at ``/admin/innlogging``: a person who
        administers something gets a new session and goes to ``/admin/``; anyone else a 403 page (and no
        session)."""
        records = await run_in_threadpool(self.service.person_administrations, done.pid)
        if not records:
            return self.show_error(request, not_an_administrator(), None)
        return await self.portal.start_session(
            {"pid": done.pid, "navn": records[0].navn, "id_token": done.id_token}, HOME_PATH
        )


def not_an_administrator() -> PageError:
    return PageError(
        403,
        "You are not an administrator",
        "You are not registered as an administrator of any organisation. Ask the platform operator or an "
        "administrator in your organisation to make you one.",
    )


def organisation_not_found() -> PageError:
    return PageError(
        404,
        "The page was not found",
        "There is no such organisation among those you administer, or no such page. Choose an organisation "
        "on the start page.",
    )


def organisations_of(pages: AdminPages, administrator: SignedIn) -> Sequence[Organisasjon]:
    """The organisations the person may work on: every one for a platform operator, else their own."""
    operator = administrator.operator
    if operator is not None:
        return pages.service.list_organisations(Actor(_actor_name(operator), ActorKind.OPERATOR))
    found = []
    for orgnr in administrator.orgnrs:
        actor = administrator.actor(orgnr)
        assert actor is not None
        try:
            found.append(pages.service.get_organisation(actor, orgnr))
        except AdminError:
            continue  # removed meanwhile
    return found
