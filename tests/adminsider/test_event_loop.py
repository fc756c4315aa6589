"""No administration page blocks the event loop: the admin service, the sessions and the database itself are
called from worker threads only, through a visit to every page and every action (and the error pages)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.adminsider.conftest import ADMINISTRATOR, CONSOLE, OPERATOR, ORGNR, OTHER_ORGNR, AdminSite
from tests.portal.test_event_loop import _watch

PAGES = f"/admin/{ORGNR}"
SESSION_METHODS = ["load", "save", "create", "delete", "prune"]


def _public_methods(target: Any) -> list[str]:
    return [
        name
        for name in dir(type(target))
        if not name.startswith("_") and callable(getattr(type(target), name, None))
    ]


def _watch_everything(site: AdminSite, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """Watch the admin service's methods, the session store's and the database engine's ``connect`` and
    ``begin``; returns (blocking calls made on the event loop, admin-service methods called at all)."""
    app = site.client.app
    service = app.state.admin_pages.service
    on_loop: list[str] = []
    for target, names in (
        (app.state.portal.sessions, SESSION_METHODS),
        (service, _public_methods(service)),
        (app.state.gateway.engine, ["connect", "begin"]),
    ):
        for name in names:
            monkeypatch.setattr(target, name, getattr(target, name))  # restored after the test
        _watch(target, names, on_loop)
    called: list[str] = []
    for name in _public_methods(service):
        original = getattr(service, name)

        def noted(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            called.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(service, name, noted)
    return on_loop, called


def _id_after(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found, text
    return found.group(1)


def test_a_visit_to_every_admin_page_and_action_calls_nothing_blocking_on_the_event_loop(
    site: AdminSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_loop, called = _watch_everything(site, monkeypatch)
    get, post = site.client.get, site.post

    assert site.log_in(ADMINISTRATOR).status_code == 303
    assert get("/admin/").status_code == 200  # one organisation: its overview
    assert get(f"{PAGES}/").status_code == 200

    # Roller: list, editor, check, create, edit, save, deactivate, activate
    new = f"{PAGES}/roller/ny"
    role = {
        "navn": "Løkkerolle",
        "rettighetspakke": "offentlig-med-hjemmel",
        "bruksomraade": ["sok-etter-person"],
        "gyldighet": ["soekWeb"],
        "tjeneste_omrade": "BARNEVERN",
        "element": ["navn"],
    }
    assert post(new, {**role, "handling": "sjekk"}, csrf_from=new).status_code == 200
    assert post(new, {**role, "handling": "lagre"}, csrf_from=new).status_code == 303
    assert post(new, {**role, "navn": ""}, csrf_from=new).status_code == 400
    rolle_id = _id_after(r'href="/admin/\d+/roller/([0-9a-f-]{36})"', get(f"{PAGES}/roller").text)
    edit = f"{PAGES}/roller/{rolle_id}"
    assert post(edit, {**role, "handling": "lagre"}, csrf_from=edit).status_code == 303
    assert post(edit, {**role, "handling": "sjekk"}, csrf_from=edit).status_code == 200
    assert post(f"{edit}/deaktiver", csrf_from=edit).status_code == 303
    assert post(f"{edit}/aktiver", csrf_from=edit).status_code == 303

    # Integrasjoner: create (and a refusal), new password, confirm and delete
    integrations = f"{PAGES}/integrasjoner"
    created = post(integrations, {"navn": "Løkkesystem"})
    assert created.status_code == 201
    assert post(integrations, {"navn": ""}).status_code == 400
    integrasjon_id = _id_after(r"/integrasjoner/([0-9a-f-]{36})/nytt-passord", created.text)
    assert post(f"{integrations}/{integrasjon_id}/nytt-passord").status_code == 200

    # Brukere: create, deactivate, activate
    users = f"{PAGES}/brukere"
    assert post(users, {"foedselsnummer": "14818001720", "navn": "Løkke Bruker"}).status_code == 303
    assert post(users, {"foedselsnummer": "1", "navn": "Feil"}).status_code == 400
    bruker_id = _id_after(r"/brukere/([0-9a-f-]{36})/deaktiver", get(users).text)
    assert post(f"{users}/{bruker_id}/deaktiver").status_code == 303
    assert post(f"{users}/{bruker_id}/aktiver").status_code == 303

    # Tilganger: grant to the integration and the user, revoke, a refusal
    access = f"{PAGES}/tilganger"
    for kind, holder in (("integrasjon", integrasjon_id), ("bruker", bruker_id)):
        form = {"type": kind, "innehaver": holder, "rolle_id": rolle_id}
        assert post(access, form).status_code == 303
        assert post(f"{access}/tilbakekall", form).status_code == 303
    assert post(access, {"type": "noe"}).status_code == 400
    assert get(f"{integrations}/{integrasjon_id}/slett").status_code == 200
    assert post(f"{integrations}/{integrasjon_id}/slett").status_code == 303

    # Endringslogg, Oppslagslogg (a page, a refused filter, the CSV, the person filter), Innsyn
    assert get(f"{PAGES}/endringslogg?side=1").status_code == 200
    log = f"{PAGES}/oppslagslogg"
    assert get(log).status_code == 200
    assert get(f"{log}?fra=ikke-en-dato").status_code == 400
    assert get(f"{log}.csv").status_code == 200
    filtered = post(f"{log}/person", {"foedselsnummer": "14818001720"}, csrf_from=log)
    assert filtered.status_code == 303
    assert get(filtered.headers["location"]).status_code == 200
    assert post(f"{log}/person", {"foedselsnummer": "1"}, csrf_from=log).status_code == 400
    assert get(f"{PAGES}/innsyn").status_code == 200
    insight = f"{PAGES}/innsyn"
    assert post(insight, {"foedselsnummer": "14818001720"}, csrf_from=insight).status_code == 200
    assert post(insight, {"foedselsnummer": "1"}, csrf_from=insight).status_code == 400

    # error pages: an unknown page, another organisation's, a forged form, a form sent twice
    assert get(f"{PAGES}/finnes-ikke").status_code == 404
    assert get(f"/admin/{OTHER_ORGNR}/").status_code == 404
    assert get(f"{PAGES}/roller/{CONSOLE.navn}").status_code == 404
    forged = site.client.post(users, data={"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    tokens = site.form_tokens(integrations)
    site.client.post(integrations, data={**tokens, "navn": "Én gang"})
    assert site.client.post(integrations, data={**tokens, "navn": "Én gang"}).status_code == 409

    # the operator's start page (every organisation) and a page that ran out
    site.client.cookies.clear()
    assert site.log_in(OPERATOR).status_code == 303
    assert get("/admin/").status_code == 200
    assert get(f"/admin/{OTHER_ORGNR}/").status_code == 200
    assert get("/admin/utloept").status_code == 401

    expected = {
        "person_administrations",
        "get_organisation",
        "list_organisations",
        "create_role",
        "update_role",
        "activate_role",
        "deactivate_role",
        "create_integration",
        "rotate_password",
        "delete_integration",
        "create_user",
        "deactivate_user",
        "activate_user",
        "grant",
        "grant_user",
        "revoke",
        "revoke_user",
        "change_log",
        "lookup_page",
        "person_insight",
    }
    assert expected <= set(called), expected - set(called)
    assert on_loop == []
