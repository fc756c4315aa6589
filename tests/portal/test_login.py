"""Logging in to the portal with OpenID Connect (the ID-porten stand-in), sessions, CSRF and headers."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

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


def _callback_params(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def _is_logged_out(portal: Portal) -> bool:
    answer = portal.client.get("/portal/velg-rolle", follow_redirects=False)
    return answer.status_code == 303 and answer.headers["location"] == "/portal/innlogging"


def test_a_new_session_id_at_login_and_the_old_one_is_worthless(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    params = portal.start_login()
    before = portal.client.cookies.get("fiksreg-portal")
    callback = portal.authorize(params)
    portal.client.get(callback, follow_redirects=False)
    after = portal.client.cookies.get("fiksreg-portal")
    assert before and after and before != after
    portal.client.cookies.set("fiksreg-portal", before)
    assert _is_logged_out(portal)


def test_the_cookie_is_httponly_and_samesite_lax(portal: Portal) -> None:
    answer = portal.client.get("/portal/innlogging", follow_redirects=False)
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # served over http here; behind https it is Secure (test_cookie_policy)


def test_a_replayed_authorization_code_logs_nobody_in(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    callback = portal.authorize(portal.start_login())
    assert portal.client.get(callback, follow_redirects=False).status_code == 303  # the first use logs in
    portal.client.cookies.clear()
    # An attacker starts their own login and presents the used code with their own state.
    own = portal.start_login()
    replayed = {**_callback_params(callback), "state": own["state"]}
    answer = portal.client.get("/portal/innlogging/ferdig", params=replayed, follow_redirects=False)
    assert answer.status_code == 400
    assert "Innloggingen kunne ikke fullføres" in answer.text
    assert _is_logged_out(portal)


def test_the_stand_in_redeems_a_code_once(portal: Portal) -> None:
    from fiks_folkeregister.app import portal_client_secret
    from fiks_folkeregister.idporten.provider import pkce_s256
    from fiks_folkeregister.settings import Settings

    verifier = "v" * 50
    params = {
        "client_id": "fiks-folkeregister-portal",
        "redirect_uri": "http://testserver/portal/innlogging/ferdig",
        "response_type": "code",
        "scope": "openid",
        "state": "s",
        "nonce": "n",
        "code_challenge": pkce_s256(verifier),
        "code_challenge_method": "S256",
    }
    code = _callback_params(portal.authorize(params))["code"]
    secret = portal_client_secret(Settings(data_dir=portal.data_dir))
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": params["redirect_uri"],
        "code_verifier": verifier,
    }
    auth = ("fiks-folkeregister-portal", secret)
    wrong_secret = portal.client.post("/idporten/token", data=form, auth=("fiks-folkeregister-portal", "x"))
    assert wrong_secret.status_code == 401
    first = portal.client.post("/idporten/token", data=form, auth=auth)
    assert first.status_code == 200 and "id_token" in first.json()
    second = portal.client.post("/idporten/token", data=form, auth=auth)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"


def test_the_stand_in_requires_pkce_and_a_matching_verifier(portal: Portal) -> None:
    params = portal.start_login()
    without = {key: value for key, value in params.items() if not key.startswith("code_challenge")}
    answer = portal.client.get("/idporten/authorize", params=without, follow_redirects=False)
    assert answer.status_code == 303
    assert _callback_params(answer.headers["location"])["error"] == "invalid_request"
    # A code obtained for one challenge cannot be redeemed with another verifier.
    from fiks_folkeregister.app import portal_client_secret
    from fiks_folkeregister.settings import Settings

    code = _callback_params(portal.authorize(params))["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": params["redirect_uri"],
        "code_verifier": "w" * 50,
    }
    secret = portal_client_secret(Settings(data_dir=portal.data_dir))
    refused = portal.client.post("/idporten/token", data=form, auth=("fiks-folkeregister-portal", secret))
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


def test_a_wrong_state_logs_nobody_in(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    callback = portal.authorize(portal.start_login())
    forged = {**_callback_params(callback), "state": "not-the-state"}
    answer = portal.client.get("/portal/innlogging/ferdig", params=forged, follow_redirects=False)
    assert answer.status_code == 400
    assert "Innloggingen kunne ikke fullføres" in answer.text
    assert _is_logged_out(portal)
    # The code was not redeemed, but the login in progress is spent: the right state no longer helps either.
    assert portal.client.get(callback, follow_redirects=False).status_code == 400


def test_a_too_low_level_of_assurance_is_refused(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    callback = portal.authorize(portal.start_login(), level="idporten-loa-low")
    answer = portal.client.get(callback, follow_redirects=False)
    assert answer.status_code == 403
    assert "For lavt sikkerhetsnivå" in answer.text
    assert _is_logged_out(portal)


def test_a_high_level_of_assurance_is_enough(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    callback = portal.authorize(portal.start_login(), level="idporten-loa-high")
    assert portal.client.get(callback, follow_redirects=False).headers["location"] == "/portal/velg-rolle"


def test_a_cancelled_login_says_so(portal: Portal) -> None:
    params = portal.start_login()
    answer = portal.client.post("/idporten/authorize", data={**params, "avbryt": "1"}, follow_redirects=False)
    page = portal.client.get(answer.headers["location"])
    assert page.status_code == 400 and "Innloggingen ble avbrutt" in page.text


def test_the_stand_in_explains_an_invalid_number(portal: Portal) -> None:
    params = portal.start_login()
    for typed, explanation in (
        ("1234", "Fødselsnummeret har 11 siffer; du skrev 4."),
        ("1791209999x", "Fødselsnummeret kan bare inneholde siffer."),
        ("17912099998", "Kontrollsifrene (de to siste sifrene) stemmer ikke"),
        ("", "Skriv inn fødselsnummeret ditt (11 siffer)."),
    ):
        answer = portal.client.post(
            "/idporten/authorize", data={**params, "foedselsnummer": typed}, follow_redirects=False
        )
        assert answer.status_code == 400, typed
        assert explanation in answer.text, typed
        assert 'aria-invalid="true"' in answer.text


def test_an_unknown_person_gets_no_session(portal: Portal) -> None:
    callback = portal.authorize(portal.start_login(), "17912099997")
    answer = portal.client.get(callback, follow_redirects=False)
    assert answer.status_code == 403
    assert "Du har ikke tilgang til søket" in answer.text
    assert _is_logged_out(portal)


def test_a_user_without_a_search_role_is_told_why(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    portal.log_in()
    page = portal.client.get("/portal/velg-rolle")
    assert "Du har ingen rolle for søk i folkeregisteret" in page.text
    assert "Bruk denne rollen" not in page.text
    start = portal.client.get("/portal/", follow_redirects=False)
    assert start.headers["location"] == "/portal/velg-rolle"


def test_forged_or_missing_csrf_token_changes_nothing(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    rolle = portal.directory.add_role(CASE_WORKER, "Skole")
    portal.log_in()
    for data in ({"rolle_id": str(rolle.id)}, {"rolle_id": str(rolle.id), "csrf_token": "forged"}):
        answer = portal.client.post("/portal/velg-rolle", data=data, follow_redirects=False)
        assert answer.status_code == 403
        assert "Skjemaet kunne ikke tas imot" in answer.text
        assert (
            portal.client.get("/portal/", follow_redirects=False).headers["location"] == "/portal/velg-rolle"
        )
    logout = portal.client.post("/portal/logg-ut", data={"csrf_token": "forged"}, follow_redirects=False)
    assert logout.status_code == 403
    assert not _is_logged_out(portal)


def test_a_role_not_held_cannot_be_chosen(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    portal.directory.add_role(CASE_WORKER, "Skole")
    other = portal.directory.add_role("01010012356", "Barnevern")
    portal.log_in()
    answer = portal.client.post(
        "/portal/velg-rolle",
        data={"csrf_token": portal.csrf(), "rolle_id": str(other.id)},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert "Du har ikke den rollen" in answer.text


def test_a_revoked_role_ends_its_use_at_the_next_request(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    rolle = portal.directory.add_role(CASE_WORKER, "Skole")
    portal.log_in()
    portal.choose(rolle)
    portal.directory.roles[CASE_WORKER] = []
    answer = portal.client.get("/portal/", follow_redirects=False)
    assert answer.status_code == 403
    assert "Du har ikke lenger rollen Skole" in answer.text
    assert portal.client.get("/portal/", follow_redirects=False).headers["location"] == "/portal/velg-rolle"


def test_idle_sessions_end_after_30_minutes(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    rolle = portal.directory.add_role(CASE_WORKER, "Skole")
    portal.log_in()
    portal.choose(rolle)
    portal.clock.advance(minutes=29)
    assert portal.client.get("/portal/").status_code == 200  # used: the idle time starts again
    portal.clock.advance(minutes=29)
    assert portal.client.get("/portal/").status_code == 200
    portal.clock.advance(minutes=30)
    answer = portal.client.get("/portal/", follow_redirects=False)
    assert answer.headers["location"] == "/portal/utloept"
    page = portal.client.get("/portal/utloept")
    assert page.status_code == 401 and "Økten din er avsluttet" in page.text and "30 minutter" in page.text
    assert _is_logged_out(portal)


def test_sessions_end_10_hours_after_login_however_busy(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    rolle = portal.directory.add_role(CASE_WORKER, "Skole")
    portal.log_in()
    portal.choose(rolle)
    for _ in range(29):  # 29 × 20 min = 9 h 40 min, in use all along
        portal.clock.advance(minutes=20)
        assert portal.client.get("/portal/", follow_redirects=False).status_code == 200
    portal.clock.advance(minutes=20)
    assert portal.client.get("/portal/", follow_redirects=False).headers["location"] == "/portal/utloept"


def test_logout_ends_the_session_here_and_at_the_provider(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    portal.log_in()
    cookie = portal.client.cookies.get("fiksreg-portal")
    answer = portal.client.post("/portal/logg-ut", data={"csrf_token": portal.csrf()}, follow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("http://testserver/idporten/endsession?")
    query = _callback_params(location)
    assert query["post_logout_redirect_uri"] == "http://testserver/portal/utlogget" and query["id_token_hint"]
    back = portal.client.get(location, follow_redirects=False)
    assert back.headers["location"].startswith("http://testserver/portal/utlogget?state=")
    assert "Du er logget ut" in portal.client.get(back.headers["location"]).text
    portal.client.cookies.set("fiksreg-portal", cookie)
    assert _is_logged_out(portal)


def test_case_reference_is_kept_for_the_session(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    rolle = portal.directory.add_role(CASE_WORKER, "Skole")
    portal.log_in()
    portal.choose(rolle)
    token = portal.csrf("/portal/")
    saved = portal.client.post(
        "/portal/saksreferanse",
        data={"csrf_token": token, "saksnummer": " 2026/123 ", "formaal": "Skoleplass"},
    )
    assert "Saksreferansen er lagret." in saved.text
    assert 'value="2026/123"' in saved.text and 'value="Skoleplass"' in saved.text
    too_long = portal.client.post(
        "/portal/saksreferanse", data={"csrf_token": token, "saksnummer": "x" * 51, "formaal": ""}
    )
    assert too_long.status_code == 400 and "Saksreferansen er for lang" in too_long.text
    assert 'value="2026/123"' in portal.client.get("/portal/").text  # nothing half-written


def test_every_page_carries_the_security_headers(portal: Portal) -> None:
    portal.directory.add_user(CASE_WORKER)
    rolle = portal.directory.add_role(CASE_WORKER, "Skole")
    answers = [portal.client.get("/portal/", follow_redirects=False)]
    answers.append(portal.client.get("/portal/utlogget"))
    answers.append(portal.client.get("/idporten/authorize", params=portal.start_login()))  # the login page
    portal.log_in()
    answers.append(portal.client.get("/portal/velg-rolle"))
    portal.choose(rolle)
    answers.append(portal.client.get("/portal/"))
    forged = portal.client.post("/portal/velg-rolle", data={}, follow_redirects=False)
    assert forged.status_code == 403
    answers.append(forged)  # an error page
    answers.append(
        portal.client.get("/idporten/authorize", params={"client_id": "x"})
    )  # the stand-in's error page
    for answer in answers:
        csp = answer.headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
    for answer in answers:
        assert "<script" not in answer.text and "style=" not in answer.text


def test_without_a_provider_there_is_no_portal_and_no_stand_in(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from fiks_folkeregister.app import build_gateway_app
    from fiks_folkeregister.settings import Settings

    app = build_gateway_app(Settings(data_dir=tmp_path, extract_worker=False))
    with TestClient(app) as client:
        assert client.get("/portal/", follow_redirects=False).status_code == 404
        assert client.get("/idporten/.well-known/openid-configuration").status_code == 404
