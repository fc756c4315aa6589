"""The administration pages' foundation: logging in as an administrator, who may work on which organisation,
the page layout and headers, CSRF and sessions."""

from __future__ import annotations

import re

from tests.adminsider.conftest import (
    ADMINISTRATOR,
    ADMINISTRATOR_NAME,
    CONSOLE,
    NOBODY,
    OPERATOR,
    ORGANISATION,
    ORGNR,
    OTHER_ADMINISTRATOR,
    OTHER_ORGANISATION,
    OTHER_ORGNR,
    AdminSite,
)

SHORT_LIVED = "05858010006"
CASE_WORKER = "04848010060"
NAVIGATION = [
    "Oversikt",
    "Roller",
    "Integrasjoner",
    "Tilganger",
    "Brukere",
    "Endringslogg",
    "Oppslagslogg",
    "Innsyn",
]


def _nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="admin-nav"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, html
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1))


def test_an_administrator_of_one_organisation_logs_in_and_lands_on_its_overview(site: AdminSite) -> None:
    answer = site.log_in(ADMINISTRATOR)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/"
    home = site.client.get("/admin/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == f"/admin/{ORGNR}/"
    page = site.client.get(f"/admin/{ORGNR}/")
    assert page.status_code == 200
    assert ADMINISTRATOR_NAME in page.text and f"{ORGANISATION} ({ORGNR})" in page.text
    assert _nav_labels(page.text) == NAVIGATION
    assert 'aria-current="page">Oversikt</a>' in page.text
    assert "Bytt organisasjon" not in page.text  # nothing else to choose
    assert ADMINISTRATOR not in page.text  # the identity number is never shown
    headers = page.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store" and headers["x-frame-options"] == "DENY"


def test_another_organisation_and_unknown_ones_are_not_found(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    for path in (f"/admin/{OTHER_ORGNR}/", "/admin/999999999/", "/admin/abc/"):
        page = site.client.get(path)
        assert page.status_code == 404, path
        assert "Siden finnes ikke" in page.text and OTHER_ORGANISATION not in page.text
        assert page.headers["cache-control"] == "no-store"


def test_a_person_who_administers_nothing_is_refused_without_a_session(site: AdminSite) -> None:
    answer = site.log_in(NOBODY)
    assert answer.status_code == 403
    assert "Du er ikke administrator" in answer.text
    assert "Be plattformoperatøren" in answer.text
    follow = site.client.get("/admin/", follow_redirects=False)  # no session was made
    assert follow.status_code == 303 and follow.headers["location"] == "/admin/innlogging"


def test_a_case_worker_logged_in_to_the_portal_is_refused_on_the_admin_pages(site: AdminSite) -> None:
    site.service.create_user(CONSOLE, ORGNR, CASE_WORKER, "Kari Saksbehandler")
    answer = site.log_in(CASE_WORKER, start="/portal/innlogging")
    assert answer.headers["location"] == "/portal/velg-rolle"  # the portal's own login is unchanged
    for path in ("/admin/", f"/admin/{ORGNR}/"):
        page = site.client.get(path)
        assert page.status_code == 403 and "Du er ikke administrator" in page.text


def test_the_operator_chooses_among_every_organisation(site: AdminSite) -> None:
    site.log_in(OPERATOR)
    home = site.client.get("/admin/")
    assert home.status_code == 200
    assert "Velg organisasjon" in home.text and "plattformoperatør" in home.text
    assert f'href="/admin/{ORGNR}/"' in home.text and f'href="/admin/{OTHER_ORGNR}/"' in home.text
    page = site.client.get(f"/admin/{OTHER_ORGNR}/")
    assert page.status_code == 200 and "som plattformoperatør" in page.text
    # an operator manages configuration, not an organisation's lookup log or insight
    assert _nav_labels(page.text) == NAVIGATION[:6]
    assert "Bytt organisasjon" in page.text


def test_an_administrator_of_two_organisations_chooses_and_reaches_only_those(site: AdminSite) -> None:
    site.service.create_person_administrator(CONSOLE, OTHER_ADMINISTRATOR, "Nils Nabo", ORGNR)
    site.log_in(OTHER_ADMINISTRATOR)
    home = site.client.get("/admin/")
    assert home.status_code == 200
    assert f'href="/admin/{ORGNR}/"' in home.text and f'href="/admin/{OTHER_ORGNR}/"' in home.text
    assert "plattformoperatør" not in home.text
    assert site.client.get(f"/admin/{ORGNR}/").status_code == 200
    assert site.client.get("/admin/910000020/").status_code == 404


def test_a_deactivated_administrator_is_stopped_at_the_next_request(site: AdminSite) -> None:
    made = site.service.create_person_administrator(CONSOLE, SHORT_LIVED, "Kari Kortvarig", OTHER_ORGNR)
    site.log_in(SHORT_LIVED)
    assert site.client.get(f"/admin/{OTHER_ORGNR}/").status_code == 200
    site.service.deactivate_administrator(CONSOLE, made.id)
    page = site.client.get(f"/admin/{OTHER_ORGNR}/")
    assert page.status_code == 403 and "Du er ikke administrator" in page.text


def test_without_a_session_the_browser_is_sent_to_log_in_and_an_old_session_is_explained(
    site: AdminSite,
) -> None:
    answer = site.client.get(f"/admin/{ORGNR}/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/innlogging"
    site.log_in(ADMINISTRATOR)
    site.clock.advance(minutes=31)
    answer = site.client.get(f"/admin/{ORGNR}/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/utloept"
    expired = site.client.get("/admin/utloept")
    assert expired.status_code == 401 and "Økten din er avsluttet" in expired.text
    assert 'href="/admin/innlogging"' in expired.text


def test_logging_out_from_the_admin_pages_ends_the_session(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    token = site.csrf(f"/admin/{ORGNR}/")
    forged = site.client.post("/portal/logg-ut", data={"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    answer = site.client.post("/portal/logg-ut", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    site.client.cookies.clear()  # the browser drops the cleared cookie
    after = site.client.get(f"/admin/{ORGNR}/", follow_redirects=False)
    assert after.headers["location"] == "/admin/innlogging"


def _logged_out_page(site: AdminSite, form: dict[str, str]) -> str:
    """Log out with ``form`` (besides the CSRF token) and follow the provider back to the logged-out page."""
    answer = site.client.post("/portal/logg-ut", data=form, follow_redirects=False)
    assert answer.status_code == 303
    at_provider = answer.headers["location"]
    assert "/idporten/endsession?" in at_provider
    back = site.client.get(at_provider, follow_redirects=False)
    assert back.status_code in (302, 303, 307) and "/portal/utlogget?state=" in back.headers["location"]
    page = site.client.get(back.headers["location"])
    assert page.status_code == 200
    return page.text


def test_an_administrator_who_logs_out_is_told_so_and_offered_the_administration_first(
    site: AdminSite,
) -> None:
    site.log_in(ADMINISTRATOR)
    page = site.client.get(f"/admin/{ORGNR}/").text
    assert 'name="rom" value="admin"' in page  # the admin pages' logout form names its room
    token = site.csrf(f"/admin/{ORGNR}/")
    text = _logged_out_page(site, {"csrf_token": token, "rom": "admin"})
    assert "Du er logget ut av administrasjonen og av ID-porten" in text
    assert "av søket" not in text
    assert text.index('href="/admin/innlogging"') < text.index('href="/portal/innlogging"')
    site.client.cookies.clear()
    assert site.client.get(f"/admin/{ORGNR}/", follow_redirects=False).headers["location"] == (
        "/admin/innlogging"
    )


def test_a_case_worker_or_an_unknown_room_gets_the_searchs_logged_out_page(site: AdminSite) -> None:
    site.service.create_user(CONSOLE, ORGNR, "15818001778", "Sara Søker")
    for room in ({}, {"rom": "ukjent"}):
        site.client.cookies.clear()
        site.log_in("15818001778", start="/portal/innlogging")
        token = site.csrf("/portal/velg-rolle")
        text = _logged_out_page(site, {"csrf_token": token, **room})
        assert "Du er logget ut av søket og av ID-porten" in text and "administrasjonen og" not in text
        assert text.index('href="/portal/innlogging"') < text.index('href="/admin/innlogging"')
    forged_state = site.client.get("/portal/utlogget?state=admin")  # no dot: not a room's state
    assert "Du er logget ut av søket" in forged_state.text
