"""The administration pages in a real browser (Debian's Chromium), with axe on every page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.pages.conftest import ServedPortal
from tests.portal.conftest import ORGANISATION, ORGNR

pytestmark = pytest.mark.e2e

Check = Callable[..., None]
OPERATOR = "06868010019"
ADMINISTRATOR = "07878010048"
NOT_AN_ADMINISTRATOR = "08888010077"


def test_the_way_in_the_layout_and_refusals(
    page: Any, served_portal: ServedPortal, log_in_admin: Callable[..., None], axe_check: Check
) -> None:
    served_portal.users.add_administrator(OPERATOR, "Ola Operatør", None)
    # Someone who administers nothing: refused, in bokmål.
    page.goto("/admin/")
    assert "/idporten/authorize" in page.url
    page.get_by_label("Fødselsnummer").fill(NOT_AN_ADMINISTRATOR)
    page.get_by_role("button", name="Logg inn").click()
    assert page.get_by_role("heading", name="Du er ikke administrator").is_visible()
    axe_check(page, "admin-ikke-administrator")
    # The platform operator chooses an organisation, then works on it.
    log_in_admin(page, OPERATOR)
    assert page.get_by_role("heading", name="Velg organisasjon").is_visible()
    axe_check(page, "admin-velg-organisasjon")
    page.get_by_role("link", name=ORGANISATION).click()
    page.wait_for_url(f"{served_portal.url}/admin/{ORGNR}/")
    navigation = page.get_by_role("navigation", name="Administrasjon")
    assert navigation.get_by_role("link").all_inner_texts() == [
        "Oversikt",
        "Roller",
        "Integrasjoner",
        "Tilganger",
        "Brukere",
        "Endringslogg",
    ]
    assert navigation.get_by_role("link", name="Oversikt").get_attribute("aria-current") == "page"
    assert page.get_by_text("som plattformoperatør").is_visible()
    axe_check(page, "admin-oversikt-operatoer")
    # Another organisation's address that does not exist: a page saying so.
    page.goto("/admin/999999999/")
    assert page.get_by_role("heading", name="Siden finnes ikke").is_visible()
    axe_check(page)


def test_an_administrator_uses_the_keyboard_alone(
    page: Any, served_portal: ServedPortal, log_in_admin: Callable[..., None], axe_check: Check
) -> None:
    served_portal.users.add_administrator(ADMINISTRATOR, "Ada Administrator")
    log_in_admin(page, ADMINISTRATOR)
    page.wait_for_url(f"{served_portal.url}/admin/{ORGNR}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hopp til hovedinnholdet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "innhold"
    page.keyboard.press("Shift+Tab")
    labels = []
    for _ in range(12):  # back through the navigation, to the logout button
        labels.append(page.evaluate("document.activeElement.textContent.trim()"))
        if labels[-1] == "Logg ut":
            break
        page.keyboard.press("Shift+Tab")
    assert labels[:2] == ["Innsyn", "Oppslagslogg"] and labels[-1] == "Logg ut"
    page.keyboard.press("Enter")  # log out with the keyboard
    page.wait_for_url("**/portal/utlogget**")
    page.goto("/admin/")
    assert "/idporten/authorize" in page.url  # the session is gone
    axe_check(page)
