"""Oversikt, Integrasjoner, Tilganger, Brukere and Endringslogg in process: every action, every refusal an
administrator can cause (in bokmål, with its status, nothing half-written), CSRF, and 404 across
organisations."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest

from tests.adminsider.conftest import (
    ADMINISTRATOR,
    CONSOLE,
    NOBODY,
    OPERATOR,
    ORGNR,
    OTHER_ORGNR,
    AdminSite,
)

PAGES = f"/admin/{ORGNR}"
PASSWORD = re.compile(r'<code id="nytt-passord">([^<]+)</code>')


def _text(answer: Any) -> str:
    return html.unescape(answer.text)


def _integrations(site: AdminSite, orgnr: str = ORGNR) -> list[Any]:
    return site.service.list_integrations(CONSOLE, orgnr)


def _role(site: AdminSite, navn: str, orgnr: str = ORGNR) -> Any:
    for stored in site.service.list_roles(CONSOLE, orgnr):
        if stored.rolle.navn == navn:
            return stored.rolle
    return site.service.create_role(
        CONSOLE, orgnr, navn, "offentlig-med-hjemmel", ["sok-etter-person"], ["person-basis"]
    ).rolle


def _integration(site: AdminSite, navn: str, orgnr: str = ORGNR) -> Any:
    return site.service.create_integration(CONSOLE, orgnr, navn).integrasjon


def test_creating_an_integration_shows_its_password_once_and_logs_the_person(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    answer = site.post(f"{PAGES}/integrasjoner", {"navn": "Skolesystem", "autorisert_orgnr": "910000012"})
    assert answer.status_code == 201
    text = _text(answer)
    assert "Integrasjonen er opprettet" in text and "vises bare denne ene gangen" in text
    password = PASSWORD.search(text)
    assert password
    created = next(i for i in _integrations(site) if i.navn == "Skolesystem")
    assert created.autorisert_orgnr == "910000012"
    assert str(created.id) in text and site.password_works(created.id, password.group(1))
    assert 'src="/admin/static/kopier.js"' in text and "Kopier passordet" in text
    # never again
    listing = site.client.get(f"{PAGES}/integrasjoner")
    assert password.group(1) not in listing.text and "Skolesystem" in listing.text
    assert "leverandør" in _text(listing)
    newest = site.changes()[0]
    assert newest.handling == "integrasjon.opprettet" and newest.utfoert_av.endswith(":Ada Administrator")
    assert password.group(1) not in str(newest.etter)


def test_sending_the_same_integration_form_again_does_nothing(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    tokens = site.form_tokens(f"{PAGES}/integrasjoner")
    first = site.client.post(f"{PAGES}/integrasjoner", data={**tokens, "navn": "Bare én"})
    assert first.status_code == 201
    assert (
        'data-copy="nytt-passord"' in first.text and " hidden " in first.text
    )  # the button needs the script
    changes = len(site.changes())
    again = site.client.post(f"{PAGES}/integrasjoner", data={**tokens, "navn": "Bare én"})  # a reload
    assert again.status_code == 409 and "Skjemaet er allerede sendt" in _text(again)
    assert [i.navn for i in _integrations(site)].count("Bare én") == 1
    made = next(i for i in _integrations(site) if i.navn == "Bare én")
    tokens = site.form_tokens(f"{PAGES}/integrasjoner")
    rotated = site.client.post(f"{PAGES}/integrasjoner/{made.id}/nytt-passord", data=tokens)
    password = PASSWORD.search(rotated.text)
    assert password
    again = site.client.post(f"{PAGES}/integrasjoner/{made.id}/nytt-passord", data=tokens)
    assert again.status_code == 409 and site.password_works(made.id, password.group(1))
    assert len(site.changes()) == changes + 1
    missing = site.client.post(
        f"{PAGES}/integrasjoner", data={"csrf_token": tokens["csrf_token"], "navn": "Uten"}
    )
    assert missing.status_code == 409 and all(i.navn != "Uten" for i in _integrations(site))


@pytest.mark.parametrize(
    ("form", "status", "explained"),
    [
        ({"navn": ""}, 400, "Gi integrasjonen et navn"),
        ({"navn": "   "}, 400, "Gi integrasjonen et navn"),
        ({"navn": "x" * 201}, 400, "Et navn må ha 1 til 200 tegn"),
        ({"navn": "Feil", "autorisert_orgnr": "123"}, 400, "Organisasjonsnummeret er ikke gyldig"),
        ({"navn": "Feil", "autorisert_orgnr": "910000005"}, 400, "Organisasjonsnummeret er ikke gyldig"),
        ({"navn": "Feil", "beskrivelse": "b" * 501}, 400, "Beskrivelsen kan ha høyst 500 tegn"),
    ],
)
def test_a_refused_integration_is_explained_and_nothing_is_written(
    site: AdminSite, form: dict[str, str], status: int, explained: str
) -> None:
    site.log_in(ADMINISTRATOR)
    before, changes = len(_integrations(site)), len(site.changes())
    answer = site.post(f"{PAGES}/integrasjoner", form)
    assert answer.status_code == status
    assert explained in _text(answer) and "Ingenting ble lagret" in _text(answer)
    assert 'role="alert"' in answer.text
    assert len(_integrations(site)) == before and len(site.changes()) == changes
    if form.get("autorisert_orgnr"):
        assert f'value="{form["autorisert_orgnr"]}"' in answer.text  # what was typed is kept


def test_rotating_and_deleting_an_integration(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    integration = _integration(site, "Roteres")
    rolle = _role(site, "Roteringsrolle")
    site.service.grant(CONSOLE, integration.id, rolle.id)
    answer = site.post(f"{PAGES}/integrasjoner/{integration.id}/nytt-passord")
    assert answer.status_code == 200 and "Integrasjonen har fått nytt passord" in _text(answer)
    password = PASSWORD.search(answer.text)
    assert password and site.password_works(integration.id, password.group(1))
    assert site.changes()[0].handling == "integrasjon.passord_byttet"
    confirm = site.client.get(f"{PAGES}/integrasjoner/{integration.id}/slett")
    assert confirm.status_code == 200 and "Slette integrasjonen Roteres?" in _text(confirm)
    assert "(1)" in confirm.text  # its one grant goes with it
    deleted = site.post(f"{PAGES}/integrasjoner/{integration.id}/slett")
    assert deleted.status_code == 303 and deleted.headers["location"] == f"{PAGES}/integrasjoner?slettet=1"
    assert "Integrasjonen er slettet" in _text(site.client.get(deleted.headers["location"]))
    assert all(i.id != integration.id for i in _integrations(site))
    assert site.changes()[0].handling == "integrasjon.slettet"
    again = site.post(f"{PAGES}/integrasjoner/{integration.id}/slett")
    assert again.status_code == 404 and "Integrasjonen finnes ikke" in _text(again)


def test_an_unknown_page_is_a_404_page_in_bokmaal(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    for path in (f"{PAGES}/ukjent", f"{PAGES}/integrasjoner/noe/annet/her"):
        answer = site.client.get(path)
        assert answer.status_code == 404 and "Siden finnes ikke" in _text(answer), path
        assert answer.headers["content-type"].startswith("text/html")
    other = site.client.get(f"/admin/{OTHER_ORGNR}/ukjent")
    assert other.status_code == 404 and "Nabo kommune" not in other.text
    assert site.client.get("/admin/api/v1/organisasjoner").headers["content-type"].startswith("application/")


def test_another_organisations_objects_are_not_found(site: AdminSite) -> None:
    theirs = _integration(site, "Naboens system", OTHER_ORGNR)
    their_user = site.service.create_user(CONSOLE, OTHER_ORGNR, "09898010004", "Nabo Bruker")
    their_role = _role(site, "Naborolle", OTHER_ORGNR)
    mine = _integration(site, "Mitt system")
    site.log_in(ADMINISTRATOR)
    changes = len(site.changes(OTHER_ORGNR))
    for path, data in (
        (f"{PAGES}/integrasjoner/{theirs.id}/nytt-passord", {}),
        (f"{PAGES}/integrasjoner/{theirs.id}/slett", {}),
        (f"/admin/{OTHER_ORGNR}/integrasjoner/{theirs.id}/slett", {}),
        (f"{PAGES}/brukere/{their_user.id}/deaktiver", {}),
        (
            f"{PAGES}/tilganger",
            {"type": "integrasjon", "innehaver": str(mine.id), "rolle_id": str(their_role.id)},
        ),
        (
            f"{PAGES}/tilganger",
            {"type": "integrasjon", "innehaver": str(theirs.id), "rolle_id": str(their_role.id)},
        ),
    ):
        answer = site.post(path, data)
        assert answer.status_code == 404, (path, answer.text)
        assert "Naboens system" not in answer.text and "Nabo Bruker" not in answer.text
    assert site.client.get(f"{PAGES}/integrasjoner/{theirs.id}/slett").status_code == 404
    assert site.client.get(f"{PAGES}/integrasjoner/ikke-en-id/slett").status_code == 404
    assert site.client.get(f"/admin/{OTHER_ORGNR}/endringslogg").status_code == 404
    assert len(site.changes(OTHER_ORGNR)) == changes
    assert site.service.get_user(CONSOLE, their_user.id).aktiv
    assert site.password_works(theirs.id, "not it") is False


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_a_post_without_the_sessions_csrf_token_is_refused_and_nothing_is_written(
    site: AdminSite, token: str | None
) -> None:
    site.log_in(ADMINISTRATOR)
    integration = _integration(site, "Urørt")
    site.client.get(f"{PAGES}/")
    changes = len(site.changes())
    data = {} if token is None else {"csrf_token": token}
    for path, form in (
        (f"{PAGES}/integrasjoner", {"navn": "Forfalsket"}),
        (f"{PAGES}/integrasjoner/{integration.id}/slett", {}),
        (f"{PAGES}/integrasjoner/{integration.id}/nytt-passord", {}),
        (f"{PAGES}/brukere", {"foedselsnummer": "10818010015", "navn": "Forfalsket"}),
    ):
        answer = site.client.post(path, data={**data, **form}, follow_redirects=False)
        assert answer.status_code == 403
        assert "Skjemaet kunne ikke godtas" in _text(answer) or "sikkerhetskoden" in _text(answer), (
            answer.text
        )
    assert len(site.changes()) == changes
    assert all(i.navn != "Forfalsket" for i in _integrations(site))


def test_someone_who_administers_nothing_cannot_post(site: AdminSite) -> None:
    changes = len(site.changes())
    without = site.client.post(f"{PAGES}/integrasjoner", data={"navn": "Inntrenger"}, follow_redirects=False)
    assert without.status_code == 303 and without.headers["location"] == "/admin/innlogging"
    site.service.create_user(CONSOLE, ORGNR, NOBODY, "Nils Ingen")  # a case worker, not an administrator
    site.log_in(NOBODY, start="/portal/innlogging")  # a session, but not an administrator's
    changes = len(site.changes())
    answer = site.client.post(f"{PAGES}/integrasjoner", data={"navn": "Inntrenger"}, follow_redirects=False)
    assert answer.status_code == 403 and "Du er ikke administrator" in _text(answer)
    assert len(site.changes()) == changes


def test_person_users_are_created_refused_and_deactivated(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    created = site.post(f"{PAGES}/brukere", {"foedselsnummer": "06868010019", "navn": "Siri Saksbehandler"})
    assert created.status_code == 303 and created.headers["location"] == f"{PAGES}/brukere?utfoert=opprettet"
    listing = _text(site.client.get(created.headers["location"]))
    assert "Brukeren er opprettet" in listing and "Siri Saksbehandler" in listing
    assert "068680*****" in listing and "06868010019" not in listing
    changes = len(site.changes())
    for form, status, explained in (
        ({"foedselsnummer": "06868010019", "navn": "Igjen"}, 409, "Personen er allerede bruker"),
        ({"foedselsnummer": "12345678901", "navn": "Feil"}, 400, "Fødselsnummeret er ikke gyldig"),
        ({"foedselsnummer": "", "navn": "Uten nummer"}, 400, "Fyll inn både fødselsnummer og navn"),
        ({"foedselsnummer": "07878010048", "navn": ""}, 400, "Fyll inn både fødselsnummer og navn"),
    ):
        answer = site.post(f"{PAGES}/brukere", form)
        assert answer.status_code == status and explained in _text(answer), form
    assert len(site.changes()) == changes
    user = site.service.find_user(CONSOLE, ORGNR, "06868010019")
    answer = site.post(f"{PAGES}/brukere/{user.id}/deaktiver")
    assert answer.status_code == 303
    assert "Brukeren er deaktivert" in _text(site.client.get(answer.headers["location"]))
    assert not site.service.get_user(CONSOLE, user.id).aktiv
    newest = site.changes()[0]
    assert newest.handling == "bruker.deaktivert" and newest.utfoert_av.endswith(":Ada Administrator")


def test_granting_and_revoking_roles_for_integrations_and_persons(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    integration = _integration(site, "Tilgangssystem")
    user = site.service.create_user(CONSOLE, ORGNR, "08888010077", "Tora Tilgang")
    rolle = _role(site, "Tilgangsrolle")
    page = _text(site.client.get(f"{PAGES}/tilganger"))
    assert "Gi en integrasjon en rolle" in page and "Gi en bruker en rolle" in page
    granted = site.post(
        f"{PAGES}/tilganger",
        {"type": "integrasjon", "innehaver": str(integration.id), "rolle_id": str(rolle.id)},
    )
    assert granted.status_code == 303 and granted.headers["location"].endswith("?utfoert=gitt")
    again = site.post(
        f"{PAGES}/tilganger",
        {"type": "integrasjon", "innehaver": str(integration.id), "rolle_id": str(rolle.id)},
    )
    assert again.headers["location"].endswith("?utfoert=hadde")
    person = site.post(
        f"{PAGES}/tilganger", {"type": "bruker", "innehaver": str(user.id), "rolle_id": str(rolle.id)}
    )
    assert person.status_code == 303
    page = _text(site.client.get(f"{PAGES}/tilganger"))
    assert "Tilgangssystem" in page and "Tora Tilgang" in page and "Ada Administrator" in page
    assert site.gateway.directory.lookup(integration.id, rolle.id).granted
    changes = len(site.changes())
    for form, status, explained in (
        (
            {"type": "integrasjon", "innehaver": str(integration.id), "rolle_id": ""},
            400,
            "Velg en av organisasjonens roller",
        ),
        (
            {"type": "integrasjon", "innehaver": str(integration.id), "rolle_id": str(uuid.uuid4())},
            404,
            "Rollen finnes ikke",
        ),
        (
            {"type": "integrasjon", "innehaver": "", "rolle_id": str(rolle.id)},
            400,
            "Velg en integrasjon eller en bruker",
        ),
        (
            {"type": "noe", "innehaver": str(user.id), "rolle_id": str(rolle.id)},
            400,
            "Velg en integrasjon eller en bruker",
        ),
        (
            {"type": "bruker", "innehaver": str(uuid.uuid4()), "rolle_id": str(rolle.id)},
            404,
            "Brukeren finnes ikke",
        ),
    ):
        answer = site.post(f"{PAGES}/tilganger", form)
        assert answer.status_code == status and explained in _text(answer), (form, answer.text)
    assert len(site.changes()) == changes
    revoked = site.post(
        f"{PAGES}/tilganger/tilbakekall",
        {"type": "integrasjon", "innehaver": str(integration.id), "rolle_id": str(rolle.id)},
    )
    assert revoked.status_code == 303 and "Tilgangen er trukket tilbake" in _text(
        site.client.get(revoked.headers["location"])
    )
    assert not site.gateway.directory.lookup(integration.id, rolle.id).granted
    twice = site.post(
        f"{PAGES}/tilganger/tilbakekall",
        {"type": "integrasjon", "innehaver": str(integration.id), "rolle_id": str(rolle.id)},
    )
    assert twice.status_code == 404 and "Tilgangen finnes ikke" in _text(twice)
    newest = site.changes()[0]
    assert newest.handling == "tildeling.tilbakekalt" and newest.utfoert_av.endswith(":Ada Administrator")


def test_the_change_log_shows_who_what_before_and_after_paged(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    for number in range(27):
        made = site.service.create_integration(CONSOLE, ORGNR, f"Logget {number:02d}").integrasjon
    site.service.rotate_password(CONSOLE, made.id)
    site.post(f"{PAGES}/integrasjoner", {"navn": "Siste endring"})
    first = _text(site.client.get(f"{PAGES}/endringslogg"))
    assert "Integrasjon opprettet" in first and "Ada Administrator" in first and "Siste endring" in first
    assert "(kommandolinjen)" in first and "Eldre endringer" in first and "Nyere endringer" not in first
    assert first.count('<tr class="changed"><th scope="row">passordEndret</th>') == 1  # what changed
    second = _text(site.client.get(f"{PAGES}/endringslogg?side=2"))
    assert "Nyere endringer" in second and "Endringer, side 2" in second
    assert "Siste endring" not in second
    for bad in ("0", "abc", "-1"):
        answer = site.client.get(f"{PAGES}/endringslogg?side={bad}")
        assert answer.status_code == 400 and "Sidenummeret er ikke gyldig" in _text(answer)
    far = _text(site.client.get(f"{PAGES}/endringslogg?side=999"))
    assert "Det finnes ikke flere endringer" in far


def test_the_overview_shows_the_set_up_check_counts_and_latest_changes(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    page = _text(site.client.get(f"{PAGES}/"))
    assert "Kontroll av oppsettet" in page
    for subsystem in ("Avtaler", "Integrasjoner", "Roller", "Folkeregisteret"):
        assert f'<th scope="row">{subsystem}</th>' in page
    assert "Ikke utført" in page and "Siste endringer" in page
    counts = dict(re.findall(r'<dt><a href="[^"]+">([^<]+)</a></dt><dd>(\d+)</dd>', page))
    assert int(counts["Integrasjoner"]) == len(_integrations(site))
    assert int(counts["Roller"]) == len(site.service.list_roles(CONSOLE, ORGNR))


def test_the_operator_works_on_another_organisation_and_is_named_in_its_log(site: AdminSite) -> None:
    site.log_in(OPERATOR)
    answer = site.post(
        f"/admin/{OTHER_ORGNR}/integrasjoner",
        {"navn": "Operatørens system"},
        csrf_from=f"/admin/{OTHER_ORGNR}/integrasjoner",
    )
    assert answer.status_code == 201
    newest = site.changes(OTHER_ORGNR)[0]
    assert newest.handling == "integrasjon.opprettet" and newest.utfoert_av.endswith(":Ola Operatør")
    page = _text(site.client.get(f"/admin/{OTHER_ORGNR}/"))
    assert (
        "som plattformoperatør" in page and "Integrasjon opprettet (Ola Operatør)" in page
    )  # latest changes
    # The lookup log is the organisation's own administrators' to read: refused, and said so.
    refused = site.client.get(f"/admin/{OTHER_ORGNR}/oppslagslogg")
    assert refused.status_code == 403
    assert "Bare organisasjonens egne administratorer kan se dette" in _text(refused)


def test_a_deactivated_user_is_activated_again_from_brukere(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    user = site.service.create_user(CONSOLE, ORGNR, "11818001713", "Ulla Igjen")
    site.service.deactivate_user(CONSOLE, user.id)
    listing = site.client.get(f"{PAGES}/brukere").text
    assert f'action="{PAGES}/brukere/{user.id}/aktiver"' in listing
    assert f'action="{PAGES}/brukere/{user.id}/deaktiver"' not in listing

    answer = site.post(f"{PAGES}/brukere/{user.id}/aktiver")

    assert answer.status_code == 303 and answer.headers["location"] == f"{PAGES}/brukere?utfoert=aktivert"
    shown = _text(site.client.get(answer.headers["location"]))
    assert "Brukeren er aktiv igjen" in shown
    assert site.service.get_user(CONSOLE, user.id).aktiv
    newest = site.changes()[0]
    assert newest.handling == "bruker.aktivert" and newest.utfoert_av.endswith(":Ada Administrator")
    assert "Bruker aktivert" in _text(site.client.get(f"{PAGES}/endringslogg"))


def test_another_organisations_user_cannot_be_activated_nor_without_the_csrf_token(site: AdminSite) -> None:
    their_user = site.service.create_user(CONSOLE, OTHER_ORGNR, "12818001752", "Nabo Deaktivert")
    site.service.deactivate_user(CONSOLE, their_user.id)
    mine = site.service.create_user(CONSOLE, ORGNR, "13818001708", "Min Deaktiverte")
    site.service.deactivate_user(CONSOLE, mine.id)
    site.log_in(ADMINISTRATOR)
    changes, theirs = len(site.changes()), len(site.changes(OTHER_ORGNR))
    for path in (
        f"{PAGES}/brukere/{their_user.id}/aktiver",
        f"/admin/{OTHER_ORGNR}/brukere/{their_user.id}/aktiver",
    ):
        answer = site.post(path)
        assert answer.status_code == 404 and "Nabo Deaktivert" not in answer.text, path
    forged = site.client.post(
        f"{PAGES}/brukere/{mine.id}/aktiver", data={"csrf_token": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert not site.service.get_user(CONSOLE, their_user.id).aktiv
    assert not site.service.get_user(CONSOLE, mine.id).aktiv
    assert (len(site.changes()), len(site.changes(OTHER_ORGNR))) == (changes, theirs)
