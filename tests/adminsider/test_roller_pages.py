"""Roller in process: list with holders and state, create, edit, deactivate and activate (each in the change
log with the person), the picker grouped as the register groups the elements, what a rights package never
gives (without JavaScript: "Sjekk valget"), refusals in words with nothing written, CSRF, 404 across
organisations."""

from __future__ import annotations

import html
import re
from typing import Any
from uuid import uuid4

from tests.adminsider.conftest import ADMINISTRATOR, CONSOLE, ORGNR, OTHER_ORGNR, AdminSite

PAGES = f"/admin/{ORGNR}"
NEW = f"{PAGES}/roller/ny"


def _text(answer: Any) -> str:
    return html.unescape(answer.text)


def _roles(site: AdminSite, orgnr: str = ORGNR) -> dict[str, Any]:
    return {stored.rolle.navn: stored for stored in site.service.list_roles(CONSOLE, orgnr)}


def _form(navn: str, pakke: str, *elements: str, **more: Any) -> dict[str, Any]:
    return {
        "navn": navn,
        "rettighetspakke": pakke,
        "bruksomraade": ["sok-etter-person"],
        "gyldighet": ["soekWeb", "api"],
        "tjeneste_omrade": "BARNEVERN",
        "element": list(elements),
        "handling": "lagre",
        **more,
    }


def test_creating_editing_and_deactivating_a_role(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    name = f"Barnevern {uuid4().hex[:6]}"
    editor = site.client.get(NEW)
    text = _text(editor)
    assert editor.status_code == 200
    for legend in (
        "Personbasis (person-basis)",
        "Utvidet identitetsgrunnlag",
        "Utvidede relasjoner",
        "Andre elementer",
    ):
        assert legend in text
    assert 'src="/admin/static/roller.js"' in text

    person_basis = [
        "identifikasjonsnummer",
        "identitetsgrunnlag",
        "status",
        "doedsfall",
        "sivilstand",
        "foedsel",
        "statsborgerskap",
        "kjoenn",
        "navn",
        "bostedsadresse",
        "oppholdsadresse",
        "deltBosted",
        "postadresse",
        "postadresseIUtlandet",
        "adressebeskyttelse",
        "kontaktinformasjonForDoedsbo",
    ]
    created = site.post(
        NEW,
        _form(
            name,
            "offentlig-med-hjemmel",
            *person_basis,
            "familierelasjon",
            lovhjemmel="Barnevernsloven § 13-4",
            historikk="ja",
        ),
        csrf_from=NEW,
    )
    assert created.status_code == 303, _text(created)
    stored = _roles(site)[name]
    assert stored.deler == ("person-basis", "familierelasjon", "historikk")
    assert stored.lovhjemmel is not None and stored.tjeneste_omrade.value == "BARNEVERN"
    assert site.changes()[0].handling == "rolle.opprettet"
    assert site.changes()[0].utfoert_av.endswith(":Ada Administrator")
    listing = _text(site.client.get(f"{PAGES}/roller?utfoert=opprettet"))
    assert name in listing and "Rollen er opprettet" in listing and "Aktiv" in listing

    # edit: the editor shows the stored choice, saving changes it
    edit_path = f"{PAGES}/roller/{stored.rolle.id}"
    assert (
        'id="element-familierelasjon" name="element" value="familierelasjon" checked'
        in site.client.get(edit_path).text
    )
    changed = site.post(edit_path, _form(name, "offentlig-med-hjemmel", "navn"), csrf_from=edit_path)
    assert changed.status_code == 303
    assert _roles(site)[name].deler == ("navn",) and site.changes()[0].handling == "rolle.endret"

    # deactivate, then activate
    assert site.post(f"{edit_path}/deaktiver", csrf_from=f"{PAGES}/roller").status_code == 303
    assert _roles(site)[name].aktiv is False and site.changes()[0].handling == "rolle.deaktivert"
    assert "Deaktivert" in _text(site.client.get(f"{PAGES}/roller"))
    assert site.post(f"{edit_path}/aktiver", csrf_from=f"{PAGES}/roller").status_code == 303
    assert _roles(site)[name].aktiv is True and site.changes()[0].handling == "rolle.aktivert"


def test_a_package_that_never_gives_an_element_is_explained_before_and_refused_in_words(
    site: AdminSite,
) -> None:
    site.log_in(ADMINISTRATOR)
    name = f"Skole {uuid4().hex[:6]}"
    before = len(site.changes())
    checked = site.post(
        NEW, _form(name, "offentlig-uten-hjemmel", "navn", "familierelasjon", handling="sjekk"), csrf_from=NEW
    )
    text = _text(checked)
    assert checked.status_code == 200
    assert "Rettighetspakken offentlig-uten-hjemmel gir aldri:" in text and "Familierelasjon" in text
    # the marker of familierelasjon is shown, that of navn not
    assert 'data-aldri-for="offentlig-uten-hjemmel">' in checked.text
    refused = site.post(NEW, _form(name, "offentlig-uten-hjemmel", "navn", "familierelasjon"), csrf_from=NEW)
    text = _text(refused)
    assert refused.status_code == 400
    assert "Rettighetspakken kan ikke gi disse elementene" in text
    assert "gir aldri: Familierelasjon" in text and "Ingenting ble lagret" in text
    assert 'value="familierelasjon" checked' in refused.text  # the choice is kept to correct
    assert name not in _roles(site) and len(site.changes()) == before
    for form, words in [
        (_form(name, "offentlig-med-hjemmel"), "Velg minst ett informasjonselement"),
        (
            _form(name, "offentlig-med-hjemmel", "navn", bruksomraade=[]),
            "Velg minst én ting rollen kan brukes til",
        ),
        (_form(name, "", "navn"), "Velg en rettighetspakke"),
        (_form("", "offentlig-med-hjemmel", "navn"), "Gi rollen et navn"),
        (
            _form(name, "offentlig-med-hjemmel", "navn", lovhjemmel="Gravferdsloven § 9"),
            "Lovhjemmelen passer ikke",
        ),
        (_form(name, "offentlig-med-hjemmel", "navn", tagger="x"), "En tagg er ikke gyldig"),
        (_form(name, "hemmelig", "navn"), "kode UKJENT_RETTIGHETSPAKKE"),
    ]:
        answer = site.post(NEW, form, csrf_from=NEW)
        assert answer.status_code == 400, form
        assert words in _text(answer), form
    assert name not in _roles(site) and len(site.changes()) == before


def test_another_organisations_role_is_not_found_and_a_forged_form_changes_nothing(site: AdminSite) -> None:
    other = site.service.create_role(
        CONSOLE,
        OTHER_ORGNR,
        f"Nabo {uuid4().hex[:6]}",
        "offentlig-med-hjemmel",
        ["sok-etter-person"],
        ["navn"],
    ).rolle
    site.log_in(ADMINISTRATOR)
    assert site.client.get(f"{PAGES}/roller/{other.id}").status_code == 404
    for action in ("deaktiver", ""):
        path = f"{PAGES}/roller/{other.id}" + (f"/{action}" if action else "")
        assert (
            site.post(
                path, _form("Kapret", "offentlig-med-hjemmel", "navn"), csrf_from=f"{PAGES}/roller"
            ).status_code
            == 404
        )
    assert site.client.get(f"/admin/{OTHER_ORGNR}/roller").status_code == 404
    assert _roles(site, OTHER_ORGNR)[other.navn].aktiv is True
    own = site.service.create_role(
        CONSOLE, ORGNR, f"Egen {uuid4().hex[:6]}", "offentlig-med-hjemmel", ["sok-etter-person"], ["navn"]
    ).rolle
    before = len(site.changes())
    forged = site.client.post(f"{PAGES}/roller/{own.id}/deaktiver", data={"csrf_token": "forfalsket"})
    assert forged.status_code == 403
    forged = site.client.post(
        NEW, data={"csrf_token": "forfalsket", **_form("Forfalsket", "offentlig-med-hjemmel", "navn")}
    )
    assert forged.status_code == 403
    assert _roles(site)[own.navn].aktiv is True and "Forfalsket" not in _roles(site)
    assert len(site.changes()) == before


def test_sending_the_role_creation_form_again_creates_nothing(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    name = f"Engang {uuid4().hex[:6]}"
    tokens = site.form_tokens(NEW)
    assert "engangskode" in tokens
    form = {**tokens, **_form(name, "offentlig-med-hjemmel", "navn")}
    created = site.client.post(NEW, data=form, follow_redirects=False)
    assert created.status_code == 303, _text(created)
    changes = len(site.changes())

    again = site.client.post(NEW, data=form, follow_redirects=False)  # a reload, a double click

    assert again.status_code == 409 and "Skjemaet er allerede sendt" in _text(again)
    assert [n for n in _roles(site) if n == name] == [name] and len(site.changes()) == changes
    without = site.client.post(
        NEW,
        data={"csrf_token": tokens["csrf_token"], **_form(name + "x", "offentlig-med-hjemmel", "navn")},
        follow_redirects=False,
    )
    assert without.status_code == 409 and name + "x" not in _roles(site)
    # "Sjekk valget" uses no code up: the form can still be saved after it
    fresh = site.form_tokens(NEW)
    checked = site.client.post(
        NEW, data={**fresh, **_form(name + "y", "offentlig-med-hjemmel", "navn", handling="sjekk")}
    )
    assert checked.status_code == 200 and name + "y" not in _roles(site)
    saved = site.client.post(
        NEW, data={**fresh, **_form(name + "y", "offentlig-med-hjemmel", "navn")}, follow_redirects=False
    )
    assert saved.status_code == 303 and name + "y" in _roles(site)


def test_a_refused_role_can_be_corrected_and_sent_from_the_answer(site: AdminSite) -> None:
    site.log_in(ADMINISTRATOR)
    name = f"Rettet {uuid4().hex[:6]}"
    tokens = site.form_tokens(NEW)
    refused = site.client.post(NEW, data={**tokens, **_form("", "offentlig-med-hjemmel", "navn")})
    assert refused.status_code == 400 and "Gi rollen et navn. Ingenting ble lagret." in _text(refused)
    code = re.search(r'name="engangskode" value="([^"]+)"', refused.text)
    assert code is not None and code.group(1) != tokens["engangskode"]
    corrected = {"csrf_token": tokens["csrf_token"], "engangskode": code.group(1)}
    saved = site.client.post(
        NEW, data={**corrected, **_form(name, "offentlig-med-hjemmel", "navn")}, follow_redirects=False
    )
    assert saved.status_code == 303 and name in _roles(site)
