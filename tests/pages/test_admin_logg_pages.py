"""Roller, Oppslagslogg and Innsyn in a real browser (Debian's Chromium), axe on every page, and the
screenshots of docs/admin.md (`FIKSREG_SCREENSHOTS=<dir>`): the picker's live answer (roller.js), a
refusal, deactivation; a case worker's real lookup through the portal found in the log, its CSV, and insight."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from fiks_folkeregister.domain.identitetsnummer import is_valid
from tests.pages.conftest import ServedPortal
from tests.portal.conftest import ORGNR

pytestmark = pytest.mark.e2e

Check = Callable[..., None]
_numbers = (f"0484801{n:04d}" for n in range(10000))


def _number() -> str:
    return next(number for number in _numbers if is_valid(number))


def test_an_administrator_creates_a_role_the_picker_warns_and_a_refusal_is_explained(
    page: Any, served_portal: ServedPortal, log_in_admin: Callable[..., None], axe_check: Check
) -> None:
    administrator = _number()
    served_portal.users.add_administrator(administrator, "Ada Administrator")
    log_in_admin(page, administrator)
    page.goto(f"/admin/{ORGNR}/roller")
    axe_check(page)
    page.get_by_role("link", name="Ny rolle").click()
    page.wait_for_url("**/roller/ny")
    assert page.get_by_role("group", name="Personbasis (person-basis)").is_visible()
    never = page.locator("#element-familierelasjon + label .never")
    assert never.is_hidden()
    page.get_by_label("offentlig-uten-hjemmel").check()  # the live answer, before anything is sent
    assert never.is_visible()
    assert page.get_by_text("Rettighetspakken offentlig-uten-hjemmel gir aldri:").is_visible()
    page.get_by_label("Navn", exact=True).fill("Skolehelse")
    page.get_by_label("Familierelasjon").check()
    page.get_by_label("Navn (navn)").check()
    axe_check(page, "admin-roller-ny")
    page.get_by_role("button", name="Lagre rollen").click()
    assert page.get_by_role("heading", name="Rettighetspakken kan ikke gi disse elementene").is_visible()
    assert page.get_by_label("Familierelasjon").is_checked()  # the choice is kept to correct
    axe_check(page, "admin-roller-avvist")
    page.get_by_label("Familierelasjon").uncheck()
    page.get_by_role("button", name="Lagre rollen").click()
    page.wait_for_url("**/roller?utfoert=opprettet")
    row = page.get_by_role("row").filter(has_text="Skolehelse")
    assert "Aktiv" in row.inner_text()
    axe_check(page, "admin-roller")
    row.get_by_role("button", name="Deaktiver").press("Enter")  # by keyboard
    page.wait_for_url("**/roller?utfoert=deaktivert")
    assert "Deaktivert" in page.get_by_role("row").filter(has_text="Skolehelse").inner_text()
    axe_check(page)
    page.get_by_role("button", name="Aktiver Skolehelse").click()  # and back again
    page.wait_for_url("**/roller?utfoert=aktivert")
    expect(page.get_by_role("status").filter(has_text="Rollen er aktiv igjen")).to_be_visible()
    assert "Aktiv" in page.get_by_role("row").filter(has_text="Skolehelse").inner_text()

    # Edit: another service area, its legal basis, tags and one element more.
    page.get_by_role("link", name="Skolehelse").click()
    expect(page.get_by_role("heading", name="Endre rollen Skolehelse")).to_be_visible()
    assert page.get_by_label("Navn (navn)").is_checked()
    page.get_by_label("Tjenesteområde").select_option(label="Oppvekst og skole")
    page.get_by_label("Lovhjemmel (valgfritt)").select_option(value="Opplæringslova § 22-1")
    page.get_by_label("Tagger (valgfritt)").fill("skole, helse")
    page.locator("#element-bostedsadresse").check()
    axe_check(page, "admin-rolle-endre")
    page.get_by_role("button", name="Lagre rollen").click()
    page.wait_for_url("**/roller?utfoert=endret")
    row = page.get_by_role("row").filter(has_text="Skolehelse")
    assert "OPPVEKST" in row.inner_text() and "Aktiv" in row.inner_text()
    page.get_by_role("link", name="Skolehelse").click()  # what was saved is what the editor shows
    assert page.get_by_label("Tjenesteområde").input_value() == "OPPVEKST"
    assert page.get_by_label("Lovhjemmel (valgfritt)").input_value() == "Opplæringslova § 22-1"
    assert page.get_by_label("Tagger (valgfritt)").input_value() in ("skole, helse", "helse, skole")
    assert (
        page.locator("#element-bostedsadresse").is_checked() and page.get_by_label("Navn (navn)").is_checked()
    )
    assert not page.locator("#element-familierelasjon").is_checked()


def test_a_lookup_is_found_in_the_log_downloaded_and_shown_as_insight(
    page: Any,
    served_portal: ServedPortal,
    log_in: Callable[..., None],
    log_in_admin: Callable[..., None],
    axe_check: Check,
) -> None:
    case_worker = _number()
    served_portal.users.add_user(case_worker, "Kari Saksbehandler")
    role = served_portal.users.add_role(case_worker, "Barnevern (logg)")
    person = served_portal.examples["parent-with-foreldreansvar"][0]
    log_in(page, case_worker, role)
    page.goto("/portal/sok")
    page.get_by_label("Fødselsnummer eller d-nummer").fill(person)
    page.get_by_role("button", name="Søk", exact=True).click()
    page.wait_for_url(re.compile(r".*/portal/person/[^/]+$"))

    administrator = _number()
    served_portal.users.add_administrator(administrator, "Ada Administrator")
    log_in_admin(page, administrator)
    page.goto(f"/admin/{ORGNR}/oppslagslogg")
    page.get_by_label("Rolle").select_option(label="Barnevern (logg)")
    page.get_by_role("button", name="Vis", exact=True).click()
    rows = page.get_by_role("table", name="Oppslag").get_by_role("row")
    assert "Kari Saksbehandler" in rows.nth(1).inner_text()
    assert person[:6] + "*****" in rows.nth(1).inner_text()
    axe_check(page, "admin-oppslagslogg")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    table = list(csv.reader(io.StringIO(content, newline="")))
    assert table[0][0] == "tidspunkt" and len(table) - 1 == rows.count() - 1
    # the person filter, by POST: the number never in the address
    page.get_by_label("Fødselsnummeret til personen som er slått opp").fill(person)
    page.get_by_role("button", name="Filtrer på person").click()
    page.wait_for_url("**/oppslagslogg?**")
    assert person not in page.url and page.get_by_text("Viser bare oppslag på personen").is_visible()
    axe_check(page)

    page.get_by_role("navigation", name="Administrasjon").get_by_role("link", name="Innsyn").click()
    page.get_by_label("Fødselsnummer", exact=True).fill(person)
    page.get_by_role("button", name="Vis oppslag").click()
    assert page.get_by_role("heading", name=f"Oppslag på {person[:6]}*****").is_visible()
    insight = page.get_by_role("table", name="Oppslag på personen, nyeste først").inner_text()
    assert "Kari Saksbehandler" in insight and "Barnevern (logg)" in insight
    assert "Ada Administrator" in insight  # the filter above was itself recorded
    assert person not in page.url
    axe_check(page, "admin-innsyn")
