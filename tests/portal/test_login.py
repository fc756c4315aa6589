"""Logging in to the portal with OpenID Connect (the ID-porten stand-in), sessions, CSRF and headers."""

from __future__ import annotations

from tests.portal.conftest import CASE_WORKER, CASE_WORKER_NAME, ORGANISATION, Portal


def test_portal_without_a_session_sends_the_browser_to_log_in(portal: Portal) -> None:
    answer = portal.client.get("/portal/", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/portal/innlogging"


def test_login_choose_role_and_see_it_in_the_header(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    rolle = portal.directory.add_role(CASE_WORKER, "Barnevern", historikk=True, tjenesteomraade="Barnevern")
    portal.log_in()
    page = portal.client.get("/portal/velg-rolle")
    assert page.status_code == 200
    assert "Velg rolle" in page.text and "Barnevern" in page.text
    assert "Ja, også tidligere opplysninger" in page.text
    assert "Lar deg slå opp og søke etter personer." in page.text
    portal.choose(rolle)
    start = portal.client.get("/portal/")
    assert start.status_code == 200
    assert CASE_WORKER_NAME in start.text and ORGANISATION in start.text
    assert "Rolle: Barnevern" in start.text
    assert CASE_WORKER not in start.text  # the number is never shown in the frame
