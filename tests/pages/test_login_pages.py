"""The login, role choice, case reference, logout and session expiry in a real browser (Debian's Chromium),
with axe on every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.pages.conftest import ServedPortal

pytestmark = pytest.mark.e2e

Check = Callable[..., None]


def test_login_choose_role_case_reference_and_log_out(
    page: Any, served_portal: ServedPortal, log_in: Callable[..., None], axe_check: Check
) -> None:
    fnr = "17912099997"
    served_portal.users.add_user(fnr, "Kari Nordmann")
    served_portal.users.add_role(fnr, "Barnevern", historikk=True)
    served_portal.users.add_role(fnr, "Skolekontor")
    page.goto("/portal/")
    assert "/idporten/authorize" in page.url
    axe_check(page, "innlogging")
    log_in(page, fnr)
    assert page.get_by_text("Ja, også tidligere opplysninger").is_visible()
    assert page.get_by_text("Nei, bare gjeldende opplysninger").is_visible()
    axe_check(page, "velg-rolle")
    page.get_by_label("Barnevern", exact=False).check()
    page.get_by_role("button", name="Bruk denne rollen").click()
    page.wait_for_url(f"{served_portal.url}/portal/")
    assert page.get_by_text("Kari Nordmann").is_visible()
    assert page.get_by_text(re.compile("Rolle: Barnevern")).is_visible()
    page.get_by_label("Saksnummer").fill("2026/4711")
    page.get_by_label("Formål").fill("Undersøkelse")
    page.get_by_role("button", name="Lagre saksreferanse").click()
    assert page.get_by_role("status").inner_text() == "Saksreferansen er lagret."
    assert page.get_by_label("Saksnummer").input_value() == "2026/4711"
    axe_check(page, "start")
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/portal/utlogget**")
    assert page.get_by_role("heading", name="Du er logget ut").is_visible()
    axe_check(page, "utlogget")
    page.goto("/portal/")
    assert "/idporten/authorize" in page.url  # the session is gone


def test_the_whole_flow_with_the_keyboard_alone(
    page: Any, served_portal: ServedPortal, axe_check: Check
) -> None:
    fnr = "01010012356"
    served_portal.users.add_user(fnr, "Ola Tastatur")
    served_portal.users.add_role(fnr, "Helse")
    page.goto("/portal/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Hopp til hovedinnholdet"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "foedselsnummer"
    page.keyboard.type(fnr)
    page.keyboard.press("Enter")  # submits the login form
    page.wait_for_url("**/portal/velg-rolle")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Bruk denne rollen"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{served_portal.url}/portal/")
    assert page.get_by_text(re.compile("Rolle: Helse")).is_visible()
    # The logout button is reachable from the top of the page.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Logg ut":
            break
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url("**/portal/utlogget**")


def test_an_invalid_number_is_explained_at_the_login(
    page: Any, served_portal: ServedPortal, axe_check: Check
) -> None:
    page.goto("/portal/")
    page.get_by_label("Fødselsnummer").fill("17912099998")
    page.get_by_role("button", name="Logg inn").click()
    alert = page.get_by_role("alert")
    assert "Kontrollsifrene (de to siste sifrene) stemmer ikke" in alert.inner_text()
    assert page.get_by_label("Fødselsnummer").get_attribute("aria-invalid") == "true"
    axe_check(page, "innlogging-feil")


def test_a_user_without_a_search_role_is_told_why(
    page: Any, served_portal: ServedPortal, log_in: Callable[..., None], axe_check: Check
) -> None:
    fnr = "02020012385"
    served_portal.users.add_user(fnr, "Per Uten Rolle")
    log_in(page, fnr)
    assert page.get_by_text("Du har ingen rolle for søk i folkeregisteret").is_visible()
    axe_check(page, "ingen-rolle")


def test_an_idle_session_ends_and_says_so(
    page: Any, served_portal: ServedPortal, log_in: Callable[..., None], axe_check: Check
) -> None:
    fnr = "03030012304"
    served_portal.users.add_user(fnr, "Siri Sovende")
    served_portal.users.add_role(fnr, "NAV")
    log_in(page, fnr)
    served_portal.clock.advance(minutes=31)
    try:
        page.reload()
    finally:
        served_portal.clock.advance(minutes=-31)  # other tests' sessions are as before
    assert page.get_by_role("heading", name="Økten din er avsluttet").is_visible()
    axe_check(page, "utloept")
    page.get_by_role("link", name="Logg inn på nytt").click()
    assert "/idporten/authorize" in page.url


def test_a_forged_csrf_token_is_refused_in_bokmaal(
    page: Any, served_portal: ServedPortal, log_in: Callable[..., None], axe_check: Check
) -> None:
    fnr = "04040012333"
    served_portal.users.add_user(fnr, "Frida Forfalsket")
    served_portal.users.add_role(fnr, "Kemner")
    log_in(page, fnr)
    page.locator("form[action='/portal/velg-rolle'] input[name=csrf_token]").evaluate(
        "field => { field.value = 'forged'; }"
    )
    page.get_by_role("button", name="Bruk denne rollen").click()
    assert page.get_by_role("heading", name="Skjemaet kunne ikke tas imot").is_visible()
    axe_check(page, "csrf-feil")
    page.goto("/portal/")
    assert page.url.endswith("/portal/velg-rolle")  # no role was chosen


def test_the_stand_in_refuses_a_bad_request_and_a_too_low_level_is_explained(
    page: Any, served_portal: ServedPortal, axe_check: Check
) -> None:
    page.goto("/idporten/authorize?client_id=unknown")
    assert page.get_by_role("heading", name="Innloggingen kan ikke starte").is_visible()
    axe_check(page)
    fnr = "05050012362"
    served_portal.users.add_user(fnr, "Lars Lavnivå")
    page.goto("/portal/")
    page.get_by_label("Fødselsnummer").fill(fnr)
    page.get_by_label("Sikkerhetsnivå").select_option("idporten-loa-low")
    page.get_by_role("button", name="Logg inn").click()
    assert page.get_by_role("heading", name="For lavt sikkerhetsnivå").is_visible()
    axe_check(page, "for-lavt-nivaa")
