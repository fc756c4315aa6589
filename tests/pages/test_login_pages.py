"""The login, role choice and logout in a real browser (Debian's Chromium), with axe on every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.pages.conftest import ServedPortal

pytestmark = pytest.mark.e2e


def test_login_choose_role_and_log_out(
    page: Any, served_portal: ServedPortal, log_in: Callable[..., None], axe_check: Callable[[Any], None]
) -> None:
    fnr = "17912099997"
    served_portal.users.add_user(fnr, "Kari Nordmann")
    rolle = served_portal.users.add_role(fnr, "Barnevern", historikk=True, tjenesteomraade="Barnevern")
    page.goto("/portal/")
    assert "/idporten/authorize" in page.url
    axe_check(page)
    log_in(page, fnr)
    axe_check(page)
    page.get_by_label("Barnevern", exact=False).check()
    page.get_by_role("button", name="Bruk denne rollen").click()
    page.wait_for_url(f"{served_portal.url}/portal/")
    assert page.get_by_text("Kari Nordmann").is_visible()
    assert page.get_by_text(re.compile("Rolle: Barnevern")).is_visible()
    axe_check(page)
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/portal/utlogget**")
    assert page.get_by_role("heading", name="Du er logget ut").is_visible()
    axe_check(page)
    page.goto("/portal/")
    assert "/idporten/authorize" in page.url  # the session is gone
    assert rolle.navn == "Barnevern"
