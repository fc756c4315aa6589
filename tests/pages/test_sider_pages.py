"""The search, hit list, person card and document pages in a real browser (Debian's Chromium), through the
real portal service and pipeline over the seeded register; axe on every page, the main flow by keyboard, and
the screenshots of docs/portal.md (written when FIKSREG_SCREENSHOTS names a directory: tests/pages/conftest.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from fiks_folkeregister.domain.informasjonselementer import ELEMENTS
from fiks_folkeregister.domain.rolle import Rolle
from tests.pages.conftest import ServedPortal, screenshot
from tests.portal.conftest import ORGANISATION

pytestmark = pytest.mark.e2e

_numbers = iter(f"1791209{n:04d}" for n in range(10000))


def _case_worker_number() -> str:
    from fiks_folkeregister.domain.identitetsnummer import is_valid

    for number in _numbers:
        if is_valid(number) and number != "17912099997":
            return number
    raise AssertionError("no number left")


def _role(served: ServedPortal, fnr: str, navn: str, parts: tuple[str, ...], historikk: bool) -> Rolle:
    return served.users.add_role(fnr, navn, historikk=historikk, parts=parts)


@pytest.fixture
def case_worker(served_portal: ServedPortal, page: Any, log_in: Callable[..., None]) -> tuple[str, Rolle]:
    fnr = _case_worker_number()
    served_portal.users.add_user(fnr, "Kari Saksbehandler")
    rolle = _role(served_portal, fnr, "Barnevern (full)", tuple(ELEMENTS), historikk=True)
    log_in(page, fnr, rolle)
    return fnr, rolle


def _search_by_number(page: Any, number: str) -> None:
    page.goto("/portal/sok")
    page.get_by_label("Fødselsnummer eller d-nummer").fill(number)
    page.get_by_role("button", name="Søk", exact=True).click()


def test_lookup_card_history_related_person_and_document(
    page: Any, served_portal: ServedPortal, case_worker: tuple[str, Rolle], axe_check: Callable[[Any], None]
) -> None:
    page.get_by_role("link", name="Søk etter person").click()
    page.wait_for_url("**/portal/sok")
    axe_check(page)
    screenshot(page, "sok")
    parent = served_portal.examples["parent-with-foreldreansvar"][0]
    _search_by_number(page, parent)
    page.wait_for_url(re.compile(r".*/portal/person/[^/]+$"))
    assert parent not in page.url
    assert page.get_by_role("heading", name="Familie og ansvar").is_visible()
    assert page.get_by_text(parent).first.is_visible()
    axe_check(page)
    screenshot(page, "personkort")
    page.get_by_role("link", name="Vis historikk").click()
    page.wait_for_url("**historikk=1")
    assert page.get_by_role("link", name="Skjul historikk").is_visible()
    axe_check(page)
    page.get_by_role("link", name="Vis som dokument").click()
    page.wait_for_url("**/dokument**")
    assert page.get_by_role("heading", name=re.compile("Utskrift fra Folkeregisteret")).is_visible()
    for text in ("Kari Saksbehandler", "Barnevern (full)", ORGANISATION, "Loggreferanse"):
        assert page.get_by_text(text).first.is_visible()
    axe_check(page)
    screenshot(page, "dokument")
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Logg ut").is_visible()  # the print layout: the document only
    screenshot(page, "dokument-utskrift")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Tilbake til personkortet").click()
    related = page.get_by_role("link", name=re.compile("^Åpne personkortet til"))
    assert related.count() > 0
    # The relation in bokmål beside the number (names would be more lookups).
    assert re.fullmatch(
        r"(Barn|Mor|Far|Medmor|Søsken|Ektefelle eller partner|Ansvarlig) \d{11}", related.first.inner_text()
    )
    related.first.click()
    page.wait_for_url(re.compile(r".*/portal/person/[^/?]+$"))
    assert page.get_by_role("heading", level=1).inner_text() != ""
    axe_check(page)


def test_protected_address_is_shown_only_after_confirmation(
    page: Any, served_portal: ServedPortal, case_worker: tuple[str, Rolle], axe_check: Callable[[Any], None]
) -> None:
    protected = served_portal.examples["fortrolig"][0]
    _search_by_number(page, protected)
    page.wait_for_url(re.compile(r".*/portal/person/[^/]+$"))
    assert page.get_by_text("Skjermet adresse").first.is_visible()
    screenshot(page, "skjermet")
    page.get_by_role("button", name="Vis skjermet adresse").first.click()
    assert page.get_by_role("heading", name="Bekreft at du vil se den skjermede adressen").is_visible()
    axe_check(page)
    screenshot(page, "bekreft-skjermet")
    page.get_by_role("button", name="Ja, vis adressen").click()
    page.wait_for_url(re.compile(r".*/skjermet/vist$"))  # POST, then GET: a reload sends no form again
    assert page.get_by_text(re.compile("Vist etter ditt uttrykkelige valg")).first.is_visible()
    axe_check(page)
    screenshot(page, "skjermet-vist")
    page.reload()
    assert page.get_by_text(re.compile("Vist etter ditt uttrykkelige valg")).first.is_visible()


def test_hit_list_and_identify_one(
    page: Any, served_portal: ServedPortal, case_worker: tuple[str, Rolle], axe_check: Callable[[Any], None]
) -> None:
    page.goto("/portal/sok")
    form = page.locator("form", has=page.get_by_role("heading", name="Søk med treffliste"))
    form.get_by_label("Født fra og med år").fill("1900")
    form.get_by_label("Født til og med år").fill("2026")
    form.get_by_role("button", name="Søk i registeret").click()
    assert page.get_by_role("heading", name="Treffliste").is_visible()
    assert page.locator("table.hits tbody tr").count() == 25
    assert page.get_by_text(re.compile(r"personer passer\. Viser 1–25\.")).is_visible()
    axe_check(page)
    screenshot(page, "treffliste")
    assert "1900" not in page.url  # the criteria stay in the session
    page.get_by_role("link", name="Neste side").click()
    assert page.get_by_text(re.compile(r"Viser 26–50\.")).is_visible()
    first = page.locator("table.hits tbody tr").first
    name = first.locator("a").inner_text()
    birth = first.locator("td").first.inner_text()
    page.goto("/portal/sok")
    identify = page.locator("form", has=page.get_by_role("heading", name="Finn én bestemt person"))
    identify.get_by_label("Navn", exact=True).fill(name)
    identify.get_by_label("Fødselsdato").fill(birth)
    identify.get_by_role("button", name="Finn personen").click()
    page.wait_for_url(re.compile(r".*/portal/person/[^/?]+$"))  # the card's reference, by GET
    assert page.get_by_role("heading", level=1, name=name).is_visible()
    page.reload()
    assert page.get_by_role("heading", level=1, name=name).is_visible()


def test_errors_a_case_worker_can_cause(
    page: Any, served_portal: ServedPortal, case_worker: tuple[str, Rolle], axe_check: Callable[[Any], None]
) -> None:
    _search_by_number(page, "1234")
    assert page.get_by_text("Nummeret må ha 11 siffer. Du skrev 4 siffer.").first.is_visible()
    axe_check(page)
    screenshot(page, "feil-nummer")
    valid = served_portal.examples["married-couple"][0]
    _search_by_number(page, valid[:10] + str((int(valid[10]) + 1) % 10))
    assert page.get_by_text(re.compile("Kontrollsifrene stemmer ikke")).first.is_visible()
    identify = page.locator("form", has=page.get_by_role("heading", name="Finn én bestemt person"))
    identify.get_by_label("Navn", exact=True).fill("Kari Nordmann")
    identify.get_by_role("button", name="Finn personen").click()
    assert page.get_by_text(re.compile("Oppgi navnet sammen med fødselsdato")).first.is_visible()
    identify = page.locator("form", has=page.get_by_role("heading", name="Finn én bestemt person"))
    identify.get_by_label("Navn", exact=True).fill("Zyxwv Qwerty")
    identify.get_by_label("Fødselsdato").fill("01.01.1950")
    identify.get_by_role("button", name="Finn personen").click()
    assert page.get_by_text(re.compile("passer")).first.is_visible()
    axe_check(page)


def test_criteria_outside_the_role_are_disabled_with_the_reason(
    page: Any, served_portal: ServedPortal, log_in: Callable[..., None], axe_check: Callable[[Any], None]
) -> None:
    fnr = _case_worker_number()
    served_portal.users.add_user(fnr, "Per Skatt")
    rolle = _role(
        served_portal,
        fnr,
        "Skatt (navn og adresse)",
        ("identifikasjonsnummer", "navn", "foedsel", "bostedsadresse"),
        historikk=False,
    )
    log_in(page, fnr, rolle)
    page.goto("/portal/sok")
    assert page.locator("#soek-kjoenn").is_disabled()
    assert page.get_by_text("Ikke tilgjengelig for rollen din: rollen kan ikke se kjønn").is_visible()
    assert page.get_by_text("Ikke tilgjengelig for rollen din: rollen har ikke historikk").first.is_visible()
    assert page.locator("#soek-navn").is_enabled()
    axe_check(page)
    screenshot(page, "sok-begrenset")


def test_a_grant_revoked_mid_session_stops_the_next_lookup(
    page: Any, served_portal: ServedPortal, case_worker: tuple[str, Rolle], axe_check: Callable[[Any], None]
) -> None:
    fnr, rolle = case_worker
    person = served_portal.examples["married-couple"][0]
    _search_by_number(page, person)
    page.wait_for_url(re.compile(r".*/portal/person/[^/]+$"))
    card = page.url
    served_portal.users.revoke(fnr, rolle)
    page.goto(card)
    assert page.get_by_text(re.compile("Du har ikke lenger rollen Barnevern")).first.is_visible()
    assert page.get_by_text(person).count() == 0
    axe_check(page)


def test_the_main_flow_by_keyboard_alone(
    page: Any, served_portal: ServedPortal, case_worker: tuple[str, Rolle]
) -> None:
    person = served_portal.examples["married-couple"][0]
    page.goto("/portal/sok")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "identifikasjonsnummer":
            break
    else:
        raise AssertionError("the identity number field is not reachable by Tab")
    page.keyboard.type(person)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/portal/person/[^/]+$"))
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Vis som dokument":
            break
    else:
        raise AssertionError("'Vis som dokument' is not reachable by Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dokument**")
    assert page.get_by_text("Loggreferanse").is_visible()
