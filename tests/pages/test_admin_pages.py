"""The administration pages in a real browser (Debian's Chromium), with axe on every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.pages.conftest import ServedPortal
from tests.portal.conftest import ORGANISATION, ORGNR

pytestmark = pytest.mark.e2e

Check = Callable[..., None]
OPERATOR = "06868010019"
ADMINISTRATOR = "07878010048"
NOT_AN_ADMINISTRATOR = "08888010077"


OTHER_ORGNR = "910000012"


def _other_organisations_role(served_portal: ServedPortal) -> str:
    """Nabokommunen (another organisation) with a role of its own: its id, for addresses that must 404."""
    service, actor = served_portal.users.service, served_portal.users.actor
    if all(organisation.orgnr != OTHER_ORGNR for organisation in service.list_organisations(actor)):
        service.create_organisation(actor, OTHER_ORGNR, "Nabokommunen", "0301")
    for stored in service.list_roles(actor, OTHER_ORGNR):
        if stored.rolle.navn == "Nabokommunens rolle":
            return str(stored.rolle.id)
    created = service.create_role(
        actor,
        OTHER_ORGNR,
        "Nabokommunens rolle",
        "offentlig-med-hjemmel",
        ["sok-etter-person"],
        ["person-basis"],
    )
    return str(created.rolle.id)


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
    # The operator works on the organisation: the change log names them.
    navigation.get_by_role("link", name="Integrasjoner").click()
    page.get_by_label("Navn", exact=True).fill("Driftsovervåking")
    page.get_by_role("button", name="Opprett integrasjon").click()
    expect(page.get_by_role("heading", name="Integrasjonen er opprettet")).to_be_visible()
    navigation.get_by_role("link", name="Endringslogg").click()
    first = page.get_by_role("row").nth(1).inner_text()
    assert "Integrasjon opprettet" in first and "Ola Operatør" in first
    # The lookup log is the organisation's own: the operator is refused with a page saying why.
    response = page.goto(f"/admin/{ORGNR}/oppslagslogg")
    assert response is not None and response.status == 403
    expect(
        page.get_by_role("heading", name="Bare organisasjonens egne administratorer kan se dette")
    ).to_be_visible()
    assert page.get_by_text("plattformoperatøren forvalter bare oppsettet").is_visible()
    assert page.get_by_role("table").count() == 0  # nothing of the log shown
    axe_check(page, "admin-oppslagslogg-operatoer")
    # Another organisation's address that does not exist: a page saying so.
    page.goto("/admin/999999999/")
    assert page.get_by_role("heading", name="Siden finnes ikke").is_visible()
    axe_check(page)
    # Half an hour without use: the next page says the session ended and offers to log in again.
    served_portal.clock.advance(minutes=31)
    try:
        page.goto(f"/admin/{ORGNR}/")
        page.wait_for_url("**/admin/utloept")
        expect(page.get_by_role("heading", name="Økten din er avsluttet")).to_be_visible()
        expect(page.get_by_role("link", name="Logg inn på nytt")).to_have_attribute(
            "href", "/admin/innlogging"
        )
        axe_check(page, "admin-utloept")
    finally:
        served_portal.clock.advance(minutes=-31)  # other tests' sessions are as before


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
    assert "Du er logget ut av administrasjonen" in page.inner_text("main")
    axe_check(page, "admin-utlogget")  # the logged-out page, as an administrator sees it
    page.goto("/admin/")
    assert "/idporten/authorize" in page.url  # the session is gone
    axe_check(page)


def test_an_administrator_sets_up_integrations_users_and_access(
    page: Any, served_portal: ServedPortal, log_in_admin: Callable[..., None], axe_check: Check
) -> None:
    users = served_portal.users
    users.add_administrator(ADMINISTRATOR, "Ada Administrator")
    rolle = users.service.create_role(
        users.actor,
        ORGNR,
        "Fagsystem – folkeregister",
        "offentlig-med-hjemmel",
        ["sok-etter-person"],
        ["person-basis"],
    ).rolle
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served_portal.url)
    log_in_admin(page, ADMINISTRATOR)
    page.wait_for_url(f"{served_portal.url}/admin/{ORGNR}/")
    expect(page.get_by_role("heading", name="Kontroll av oppsettet")).to_be_visible()
    axe_check(page, "admin-oversikt")
    navigation = page.get_by_role("navigation", name="Administrasjon")
    # Another organisation's pages and objects: 404, as if they did not exist.
    other_role = _other_organisations_role(served_portal)
    for address, heading, name in (
        (f"/admin/{OTHER_ORGNR}/", "Siden finnes ikke", "admin-fremmed-organisasjon"),
        (f"/admin/{OTHER_ORGNR}/roller", "Siden finnes ikke", None),
        (f"/admin/{ORGNR}/roller/{other_role}", "Rollen finnes ikke", "admin-fremmed-rolle"),
    ):
        response = page.goto(address)
        assert response is not None and response.status == 404, address
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert "Nabokommunen" not in page.content()  # neither the organisation nor its role named
        axe_check(page, name)
    page.goto(f"/admin/{ORGNR}/")

    # Integrasjoner: create (the password once, copied with the button), then a refusal explained.
    navigation.get_by_role("link", name="Integrasjoner").click()
    page.get_by_label("Navn", exact=True).fill("Elevregister")
    page.get_by_label("Autorisert organisasjon (valgfritt)").fill("910000012")
    page.get_by_role("button", name="Opprett integrasjon").click()
    expect(page.get_by_role("heading", name="Integrasjonen er opprettet")).to_be_visible()
    password = page.locator("#nytt-passord").inner_text()
    page.get_by_role("button", name="Kopier passordet").click()
    expect(page.get_by_role("status").filter(has_text="Passordet er kopiert.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == password
    axe_check(page, "admin-integrasjon-opprettet")
    page.reload()  # sends the form again: refused, nothing made twice
    expect(page.get_by_role("heading", name="Skjemaet er allerede sendt")).to_be_visible()
    axe_check(page, "admin-skjema-sendt")
    page.goto(f"/admin/{ORGNR}/integrasjoner")  # the list again: the password is not there
    assert password not in page.content()
    expect(page.get_by_role("row", name=re.compile("Elevregister"))).to_have_count(1)  # made once
    # A new password: shown once, then gone from the page.
    page.get_by_role("button", name="Nytt passord – Elevregister").click()
    expect(page.get_by_role("heading", name="Integrasjonen har fått nytt passord")).to_be_visible()
    rotated = page.locator("#nytt-passord").inner_text()
    assert rotated and rotated != password
    axe_check(page, "admin-integrasjon-nytt-passord")
    page.goto(f"/admin/{ORGNR}/integrasjoner")
    assert rotated not in page.content()
    page.get_by_label("Navn", exact=True).fill("Feil leverandør")
    page.get_by_label("Autorisert organisasjon (valgfritt)").fill("123456789")
    page.get_by_role("button", name="Opprett integrasjon").click()
    expect(page.get_by_role("alert").filter(has_text="Organisasjonsnummeret er ikke gyldig")).to_be_visible()
    axe_check(page, "admin-integrasjoner-feil")

    # Brukere: create a case worker with the keyboard alone.
    navigation.get_by_role("link", name="Brukere").click()
    page.get_by_label("Fødselsnummer").focus()
    page.keyboard.type("09898010004")
    page.keyboard.press("Tab")
    page.keyboard.type("Siri Saksbehandler")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Opprett bruker"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Brukeren er opprettet")).to_be_visible()
    expect(page.get_by_role("cell", name="098980*****")).to_be_visible()
    axe_check(page, "admin-brukere")
    page.get_by_role("button", name="Deaktiver Siri Saksbehandler").click()
    expect(page.get_by_role("status").filter(has_text="Brukeren er deaktivert")).to_be_visible()
    page.get_by_role("button", name="Aktiver Siri Saksbehandler").click()  # and back again
    expect(page.get_by_role("status").filter(has_text="Brukeren er aktiv igjen")).to_be_visible()
    expect(page.get_by_role("button", name="Deaktiver Siri Saksbehandler")).to_be_visible()
    axe_check(page)

    # Tilganger: grant the role to the integration and to the user.
    navigation.get_by_role("link", name="Tilganger").click()
    page.get_by_label("Integrasjon", exact=True).select_option(label="Elevregister")
    page.locator("#rolle-integrasjon").select_option(label=rolle.navn)
    page.get_by_role("button", name="Gi rollen").first.click()
    expect(page.get_by_role("status").filter(has_text="Rollen er gitt.")).to_be_visible()
    page.get_by_label("Bruker", exact=True).select_option(label="Siri Saksbehandler")
    page.locator("#rolle-bruker").select_option(label=rolle.navn)
    page.get_by_role("button", name="Gi rollen").last.click()
    expect(page.get_by_role("row", name=re.compile("Siri Saksbehandler"))).to_be_visible()
    axe_check(page, "admin-tilganger")

    # A revoke form whose CSRF token was altered in the page: 403, and the access is still there.
    user_row = page.get_by_role("row", name=re.compile("Siri Saksbehandler"))
    user_row.locator("input[name=csrf_token]").evaluate("input => { input.value = 'forfalsket'; }")
    with page.expect_response(lambda answer: answer.request.method == "POST") as answer:
        user_row.get_by_role("button", name="Trekk tilbake").click()
    assert answer.value.status == 403
    expect(page.get_by_role("heading", name="Skjemaet kunne ikke tas imot")).to_be_visible()
    axe_check(page, "admin-skjema-avvist")
    page.goto(f"/admin/{ORGNR}/tilganger")
    expect(page.get_by_role("row", name=re.compile("Siri Saksbehandler"))).to_be_visible()
    # Revoke the person's grant, then the integration's.
    page.get_by_role("button", name=f"Trekk tilbake {rolle.navn} fra Siri Saksbehandler").click()
    expect(page.get_by_role("status").filter(has_text="Tilgangen er trukket tilbake.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Siri Saksbehandler"))).to_have_count(0)
    page.get_by_role("button", name=f"Trekk tilbake {rolle.navn} fra Elevregister").click()
    expect(page.get_by_role("status").filter(has_text="Tilgangen er trukket tilbake.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Elevregister"))).to_have_count(0)
    axe_check(page, "admin-tilgang-trukket")

    # Integrasjoner: delete after the confirmation.
    navigation.get_by_role("link", name="Integrasjoner").click()
    page.get_by_role("link", name="Slett Elevregister").click()
    expect(page.get_by_role("heading", name="Slett integrasjon")).to_be_visible()
    axe_check(page, "admin-integrasjon-slett")
    page.get_by_role("button", name="Slett integrasjonen").click()
    expect(page.get_by_role("status").filter(has_text="Integrasjonen er slettet")).to_be_visible()

    # Endringslogg: who did what, before and after.
    navigation.get_by_role("link", name="Endringslogg").click()
    first = page.get_by_role("row").nth(1)
    assert "Integrasjon slettet" in first.inner_text() and "Ada Administrator" in first.inner_text()
    first.get_by_text("Før og etter").click()
    expect(first.get_by_role("cell", name="Elevregister").first).to_be_visible()
    axe_check(page, "admin-endringslogg")
