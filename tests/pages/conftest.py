"""Browser tests of the portal: one served gateway (embedded register, ID-porten stand-in) and one Chromium
per test session (per xdist worker), shared by every page test module.

Fixtures for page tests (names kept stable for other modules):
- ``served_portal``: the gateway served by uvicorn in a thread on a free port (``.url``), over a copy of the
  session's seeded register (``.examples``: example persons by kind), with ``.clock`` (the sessions' time,
  moved by tests: ``clock.advance(minutes=31)``) and ``.users`` (``add_user(fnr, navn)``,
  ``add_role(fnr, navn, historikk=, parts=, bruksomraader=)``, ``revoke(fnr, rolle)``: person users of the
  organisation 910000004 and their soekWeb roles, made through the admin service);
- ``browser``: Debian's Chromium (``/usr/bin/chromium``) driven by Playwright; ``page``: a fresh context and
  page per test (no cookies shared between tests);
- ``log_in(page, fnr, role=None)``: the whole login through the stand-in's page (and the role choice);
- ``served_portal.users.add_administrator(fnr, navn, orgnr=ORGNR)`` (``orgnr=None``: a platform operator),
  ``served_portal.users.service`` / ``.actor`` (the admin service, for seeding what a page shows), and
  ``log_in_admin(page, fnr)``: the administrator's login at /admin/innlogging (ends under /admin/);
- ``axe_check(page)``: axe-core with the WCAG 2.0/2.1 A and AA tags; fails the test listing every violation.
  With ``FIKSREG_SCREENSHOTS=<dir>`` set, ``axe_check(page, "name")`` also saves the page as
  ``<dir>/portal-<name>.png`` (``screenshot(page, name)`` does that alone; how docs/images is made: see
  docs/portal.md); a name beginning ``admin-`` is saved as ``<dir>/<name>.png`` (the administration pages,
  docs/admin.md). The one screenshot variable of the page tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fiks_folkeregister.domain.rolle import Rolle
from tests.conftest import Examples
from tests.portal.conftest import CASE_WORKER, ORGANISATION, ORGNR, MovableClock

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class AdminUsers:
    """Person users and their soekWeb roles, made through the admin service (as an administrator would)."""

    def __init__(self, service: Any) -> None:
        from fiks_folkeregister.admin.base import Actor, ActorKind

        self._service = service
        self._actor = Actor(navn="cli:page-tests", kind=ActorKind.CONSOLE)
        self.service = service
        self.actor = self._actor
        self._users: dict[str, Any] = {}
        self._roles: dict[str, Rolle] = {}
        service.create_organisation(self._actor, ORGNR, ORGANISATION, "0301")

    def add_user(self, fnr: str, navn: str) -> None:
        self._users[fnr] = self._service.create_user(self._actor, ORGNR, fnr, navn)

    def add_role(
        self,
        fnr: str,
        navn: str,
        *,
        historikk: bool = False,
        parts: tuple[str, ...] = ("person-basis", "relasjon-utvidet"),
        bruksomraader: tuple[str, ...] = ("sok-etter-person",),
    ) -> Rolle:
        """Grant ``fnr`` the role ``navn`` (made the first time it is named; soekWeb; offentlig-med-hjemmel)."""
        if navn not in self._roles:
            deler = [*parts, "historikk"] if historikk else list(parts)
            self._roles[navn] = self._service.create_role(
                self._actor,
                ORGNR,
                navn,
                "offentlig-med-hjemmel",
                list(bruksomraader),
                deler,
                gyldighet=["soekWeb"],
            ).rolle
        self._service.grant_user(self._actor, self._users[fnr].id, self._roles[navn].id)
        return self._roles[navn]

    def revoke(self, fnr: str, rolle: Rolle) -> None:
        self._service.revoke_user(self._actor, self._users[fnr].id, rolle.id)

    def add_administrator(self, fnr: str, navn: str, orgnr: str | None = ORGNR) -> Any:
        """A person administrator of ``orgnr`` (None: a platform operator), as `admin administrator create
        --foedselsnummer` makes one; the same person twice is the same administrator."""
        for record in self._service.person_administrations(fnr):
            if record.orgnr == orgnr:
                return record
        return self._service.create_person_administrator(self._actor, fnr, navn, orgnr)


@dataclass
class ServedPortal:
    url: str
    clock: MovableClock
    users: AdminUsers
    examples: Examples
    data_dir: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def served_portal(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedPortal]:
    import uvicorn

    from fiks_folkeregister.app import build_gateway_app
    from fiks_folkeregister.settings import Settings
    from tests.conftest import seeded_register_copy

    data_dir = tmp_path_factory.mktemp("served-portal")
    register_url, drop, examples = seeded_register_copy(request, "sqlite", data_dir)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        data_dir=data_dir,
        register_database_url=register_url,
        public_url=url,
        extract_worker=False,
        idporten_stand_in=True,
    )
    clock = MovableClock()
    app = build_gateway_app(settings, portal_clock=clock)
    users = AdminUsers(app.state.gateway.admin.service)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="served-portal", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the portal's server did not start")
        time.sleep(0.05)
    try:
        yield ServedPortal(url, clock, users, examples, data_dir)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        drop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM} (make system-packages installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, served_portal: ServedPortal) -> Iterator[Any]:
    context = browser.new_context(
        base_url=served_portal.url,
        locale="nb-NO",  # date inputs and dates as a Norwegian user sees them
        timezone_id="Europe/Oslo",
        viewport={"width": 1100, "height": 800},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def log_in(served_portal: ServedPortal) -> Callable[..., None]:
    """Log ``fnr`` in through the stand-in's page; with ``role``, choose it too (ends on the start page)."""

    def log_in(page: Any, fnr: str = CASE_WORKER, role: Rolle | None = None) -> None:
        page.goto("/portal/")
        page.get_by_label("Fødselsnummer").fill(fnr)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url("**/portal/velg-rolle")
        if role is not None:
            page.get_by_label(role.navn, exact=False).check()
            page.get_by_role("button", name="Bruk denne rollen").click()
            page.wait_for_url(f"{served_portal.url}/portal/")

    return log_in


@pytest.fixture
def log_in_admin(served_portal: ServedPortal) -> Callable[..., None]:
    """Log ``fnr`` in to the administration pages through the stand-in's page (ends under /admin/)."""

    def log_in_admin(page: Any, fnr: str) -> None:
        page.goto("/admin/innlogging")
        page.get_by_label("Fødselsnummer").fill(fnr)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{served_portal.url}/admin/**")

    return log_in_admin


@pytest.fixture(scope="session")
def axe_check() -> Callable[..., None]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page: Any, name: str | None = None) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
        assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"
        if name:
            screenshot(page, name)

    return check


#: Where the page tests save screenshots (`FIKSREG_SCREENSHOTS`, a directory); none when unset.
SCREENSHOTS = os.environ.get("FIKSREG_SCREENSHOTS")


def screenshot(page: Any, name: str, full_page: bool = True) -> None:
    """Save the page as `<FIKSREG_SCREENSHOTS>/portal-<name>.png` (a name beginning `admin-`: `<name>.png`)
    when the variable is set (docs/portal.md, docs/admin.md)."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        file_name = f"{name}.png" if name.startswith("admin-") else f"portal-{name}.png"
        page.screenshot(path=str(Path(SCREENSHOTS) / file_name), full_page=full_page)
