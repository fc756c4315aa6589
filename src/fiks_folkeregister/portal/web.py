"""The page foundation every portal page is built on (see docs/portal.md, "For developers").

``PortalContext`` holds what a page needs: ``render`` (a template with the security headers), the
``current_session`` and ``current_role`` dependencies (the browser is sent to log in when there is none), and
``check_csrf`` for every state-changing request. Refusals a user can cause are ``PageError``s, shown as a page
in bokmål with the right status.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from fiks_folkeregister.portal.headers import apply_page_headers, content_security_policy
from fiks_folkeregister.portal.i18n import LOCALE_DIR, load_translations
from fiks_folkeregister.portal.login import Login, OidcLogin
from fiks_folkeregister.portal.sessions import Session, SessionExpired, SessionStore

PREFIX = "/portal"
STATIC_PATH = f"{PREFIX}/static"
TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")
#: The hidden form field every state-changing form carries.
CSRF_FIELD = "csrf_token"

LOGIN_PATH = f"{PREFIX}/innlogging"
EXPIRED_PATH = f"{PREFIX}/utloept"
CHOOSE_ROLE_PATH = f"{PREFIX}/velg-rolle"

#: What another room (the administration pages) does with a login it began: the shared callback hands it
#: the request and the completed login, and answers with what it returns.
LoginRoom = Callable[[Request, Login], Awaitable[Response]]
#: How another room shows a ``PageError`` raised under its path prefix (its own layout).
ErrorPage = Callable[[Request, "PageError", Session | None], Response]


class PageError(Exception):
    """A refusal shown as a page: ``title`` and ``message`` are message ids (translated when shown);
    ``headers`` go on the answer (e.g. ``Retry-After``)."""

    def __init__(
        self,
        status_code: int,
        title: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        **values: Any,
    ) -> None:
        super().__init__(title)
        self.status_code = status_code
        self.title = title
        self.message = message
        self.headers = dict(headers or {})
        self.values = values


class Redirect(Exception):
    """Send the browser elsewhere (303), e.g. to log in when there is no session."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


@dataclass(frozen=True)
class CookiePolicy:
    """The session cookie: HttpOnly and SameSite=Lax always; Secure (and the ``__Host-`` prefix) behind https."""

    secure: bool

    @property
    def name(self) -> str:
        return "__Host-fiksreg-portal" if self.secure else "fiksreg-portal"

    def set(self, response: Response, token: str) -> None:
        response.set_cookie(self.name, token, httponly=True, samesite="lax", secure=self.secure, path="/")

    def clear(self, response: Response) -> None:
        response.delete_cookie(self.name, httponly=True, samesite="lax", secure=self.secure, path="/")


@dataclass(frozen=True)
class ChosenRole:
    """The role a person uses now (kept in the session)."""

    rolle_id: str
    navn: str
    orgnr: str
    organisasjon: str


class PortalContext:
    """The portal's page machinery, built once in ``app.py``."""

    def __init__(
        self,
        sessions: SessionStore,
        cookie: CookiePolicy,
        *,
        form_targets: Iterable[str] = (),
        role_is_held: Callable[[str, str], bool] | None = None,
        extra_locale_dirs: Iterable[Path] = (),
    ) -> None:
        self.sessions = sessions
        self.cookie = cookie
        self.csp = content_security_policy(form_targets)
        self._role_is_held = role_is_held
        self.translations = load_translations(LOCALE_DIR)
        for directory in extra_locale_dirs:
            self.translations.merge(load_translations(directory))
        self.templates = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.install_gettext_translations(self.translations, newstyle=True)  # type: ignore[attr-defined]
        #: Rooms that begin logins of their own (``begin_login(..., room=name)``), by name.
        self.login_rooms: dict[str, LoginRoom] = {}
        self._error_pages: list[tuple[str, ErrorPage]] = []

    def add_error_page(self, prefix: str, show: ErrorPage) -> None:
        """``PageError``s raised under ``prefix`` are shown by ``show`` (another room's layout)."""
        self._error_pages.append((prefix, show))

    def add_templates(self, directory: Path) -> None:
        """Let another room's templates (e.g. the ID-porten stand-in's) be found beside the portal's."""
        loader = self.templates.loader
        assert isinstance(loader, FileSystemLoader)
        loader.searchpath.append(str(directory))

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    # ------------------------------------------------------------------ rendering

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
        session: Session | None = None,
    ) -> HTMLResponse:
        """The template as a page with the security headers. ``session`` (when logged in) fills the header
        (name, organisation, role, logout button) and the CSRF field of forms."""
        values: dict[str, Any] = {
            "request": request,
            "static": lambda name: f"{STATIC_PATH}/{name}",
            "session": session,
            "user": user_of(session),
            "role": chosen_role(session),
            "csrf_field": CSRF_FIELD,
            "csrf_token": session.csrf_token if session is not None else "",
        }
        values.update(context or {})
        html = self.templates.get_template(template).render(values)
        return self.secure(HTMLResponse(html, status_code=status_code))

    def secure(self, response: Response) -> Response:
        """The security headers on any response of the portal (pages, redirects, errors)."""
        return apply_page_headers(response, self.csp)

    def redirect(self, location: str) -> Response:
        return self.secure(RedirectResponse(location, status_code=303))

    # ------------------------------------------------------------------ dependencies

    async def current_session(self, request: Request) -> Session:
        """FastAPI dependency: the logged-in session; without one the browser goes to log in (a session
        that ran out: to a page saying so)."""
        return await self.logged_in_session(request, login_path=LOGIN_PATH, expired_path=EXPIRED_PATH)

    async def logged_in_session(self, request: Request, *, login_path: str, expired_path: str) -> Session:
        """The request's logged-in session; without one, ``Redirect`` to ``login_path`` (one that ran out:
        to ``expired_path``). Each room passes its own pages."""
        token = request.cookies.get(self.cookie.name)
        try:
            session = await run_in_threadpool(self.sessions.load, token)  # the database: off the event loop
        except SessionExpired:
            raise Redirect(expired_path) from None
        if session is None or not session.logged_in:
            raise Redirect(login_path)
        return session

    # ------------------------------------------------------------------ logging in

    async def begin_login(self, login: OidcLogin, room: str | None = None) -> Response:
        """Send the browser to the provider: a new pre-login session keeps state, nonce and the PKCE
        verifier (and ``room``: who finishes the login at the shared callback, see ``login_rooms``)."""
        await run_in_threadpool(self.sessions.prune)  # logins begun and never finished, sessions left idle
        started = await login.start()
        kept = {"state": started.state, "nonce": started.nonce, "verifier": started.code_verifier}
        if room is not None:
            kept["room"] = room
        pending = await run_in_threadpool(self.sessions.create, {"login": kept})
        response = self.redirect(started.url)
        self.cookie.set(response, pending.token)
        return response

    async def start_session(self, data: dict[str, Any], location: str) -> Response:
        """A logged-in session (always a new token) and the browser sent to ``location``. ``data`` holds
        at least ``pid`` (the person), ``navn`` and ``id_token`` (for logging out)."""
        session = await run_in_threadpool(self.sessions.create, data)
        response = self.redirect(location)
        self.cookie.set(response, session.token)
        return response

    async def current_role(self, request: Request) -> tuple[Session, ChosenRole]:
        """FastAPI dependency: the session and its chosen role, still held now (a revoked grant ends the
        role's use at once); without a chosen role, the browser goes to choose one."""
        session = await self.current_session(request)
        role = chosen_role(session)
        if role is None:
            raise Redirect(CHOOSE_ROLE_PATH)
        if self._role_is_held is not None and not await run_in_threadpool(
            self._role_is_held, session.data["pid"], role.rolle_id
        ):
            session.data.pop("rolle", None)
            await run_in_threadpool(self.sessions.save, session)
            raise PageError(
                403,
                "The role is no longer yours",
                "You no longer hold the role {role}. Choose another role, or ask your administrator.",
                role=role.navn,
                choose_role=True,
            )
        return session, role

    async def check_csrf(self, request: Request, session: Session) -> FormData:
        """Every state-changing request: the form's CSRF token must be the session's. Returns the form."""
        form = await request.form()
        sent = form.get(CSRF_FIELD)
        if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise PageError(
                403,
                "The form could not be accepted",
                "The form was not sent from this page in your session (the security token was missing or "
                "wrong), so nothing was done. Go back, reload the page and try again.",
            )
        return form

    # ------------------------------------------------------------------ installing

    def install(self, app: FastAPI) -> None:
        """Static files and the handlers that turn ``Redirect`` and ``PageError`` into answers."""
        app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="portal-static")

        @app.exception_handler(Redirect)
        async def redirect(request: Request, error: Redirect) -> Response:
            return self.redirect(error.location)

        @app.exception_handler(PageError)
        async def page_error(request: Request, error: PageError) -> Response:
            session = None
            try:
                session = await run_in_threadpool(self.sessions.load, request.cookies.get(self.cookie.name))
            except SessionExpired:
                session = None
            if session is not None and not session.logged_in:
                session = None
            for prefix, show in self._error_pages:
                if request.url.path.startswith(prefix):
                    shown = await run_in_threadpool(show, request, error, session)  # may read the database
                    shown.headers.update(error.headers)
                    return shown
            response = self.render(
                request,
                "feil.html",
                {"error": error},
                status_code=error.status_code,
                session=session,
            )
            response.headers.update(error.headers)
            return response


def user_of(session: Session | None) -> dict[str, str] | None:
    if session is None or not session.logged_in:
        return None
    return {
        "navn": session.data.get("navn", ""),
        "organisasjon": session.data.get("organisasjon", ""),
    }


def chosen_role(session: Session | None) -> ChosenRole | None:
    if session is None or not session.logged_in or "rolle" not in session.data:
        return None
    return ChosenRole(**session.data["rolle"])
