"""KS's Konfigurasjon API: an organisation's roles, the logged-in person's search roles and the organisation's
configuration, each 2xx answer validated against our transcription of KS's schemas
(tests/admin/konfigurasjon_schemas.py, citing KS's document); 404 across organisations, the operator sees
all; every change in the change log; a logged-in administrator's session authenticates, with CSRF."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from fiks_folkeregister.admin.innlogging import CSRF_HEADER, SessionLogin
from fiks_folkeregister.admin.konfigurasjon import build_konfigurasjon_router
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.gateway.router import KONFIGURASJON_PREFIX
from fiks_folkeregister.portal.sessions import SessionStore
from tests.admin.conftest import CONSOLE, ORG_A, ORG_B
from tests.admin.konfigurasjon_schemas import errors

pytestmark = pytest.mark.integration

COOKIE = "fiksreg-portal"
KARI = "06076301709"  # an administrator of A and a case worker there
OLA = "13097248022"  # a case worker only
ROLE = {
    "navn": "Barnevern oppslag",
    "beskrivelse": "Saksbehandling",
    "tjenesteOmrade": "BARNEVERN",
    "dataminimering": {"deler": [{"navn": "person-basis"}], "felt": [{"navn": "familierelasjon"}]},
    "bruksomrader": ["OPPSLAG"],
    "tagger": [{"navn": "barn"}, {"navn": "akutt"}],
    "rettighetspakke": "OFFENTLIG_MED_HJEMMEL",
}
ERROR_FIELDS = {"timestamp", "status", "error", "errorId", "path", "message", "errorCode", "errorJson"}


@dataclass
class Konfig:
    client: TestClient
    service: AdminService
    sessions: SessionStore
    admin_a: dict[str, str]
    admin_b: dict[str, str]
    operator: dict[str, str]

    def org(self, orgnr: str) -> str:
        return str(self.service.get_organisation(CONSOLE, orgnr).fiks_org_id)

    def call(self, method: str, path: str, who: dict[str, str] | None = None, **kwargs: Any) -> Response:
        return self.client.request(method, KONFIGURASJON_PREFIX + path, headers=who or {}, **kwargs)

    def ok(self, method: str, path: str, who: dict[str, str], schema: str | None, **kwargs: Any) -> Any:
        response = self.call(method, path, who, **kwargs)
        assert response.status_code == 200, response.text
        answer = response.json()
        if schema is not None:
            assert errors(schema, answer) == []
        return answer

    def session(self, foedselsnummer: str) -> tuple[str, str]:
        """A logged-in session of this person: (cookie value, CSRF token)."""
        made = self.sessions.create({"pid": foedselsnummer, "navn": "Kari"})
        return made.token, made.csrf_token


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_error(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_FIELDS and errors("ErrorMessage", body) == []
    assert (body["status"], body["errorCode"]) == (status, code) and body["message"]
    return body


@pytest.fixture
def konfig(two_orgs: AdminService, engine: Engine) -> Iterator[Konfig]:
    sessions = SessionStore(engine)
    app = FastAPI()
    app.include_router(
        build_konfigurasjon_router(two_orgs, SessionLogin(sessions, COOKIE)), prefix=KONFIGURASJON_PREFIX
    )
    with TestClient(app) as client:
        yield Konfig(
            client,
            two_orgs,
            sessions,
            bearer(two_orgs.create_administrator(CONSOLE, "Ada", ORG_A).api_noekkel),
            bearer(two_orgs.create_administrator(CONSOLE, "Bo", ORG_B).api_noekkel),
            bearer(two_orgs.create_administrator(CONSOLE, "Ops").api_noekkel),
        )


def create(konfig: Konfig, who: dict[str, str] | None = None, **changes: Any) -> dict[str, Any]:
    answer: dict[str, Any] = konfig.ok(
        "POST", f"/{konfig.org(ORG_A)}/roller", who or konfig.admin_a, "RolleDefinisjon", json=ROLE | changes
    )
    return answer


# -- roles of an organisation ------------------------------------------------------------------------


def test_a_role_is_created_and_read_in_ks_shape(konfig: Konfig) -> None:
    made = create(konfig)
    org = konfig.org(ORG_A)
    assert (made["navn"], made["fiksOrgId"], made["autorisasjonRolleId"]) == (ROLE["navn"], org, made["id"])
    assert (
        made["tjenesteOmrade"]["navn"] == "BARNEVERN" and made["tjenesteOmrade"]["kanHenteTaushetsbelagtInfo"]
    )
    assert made["dataminimering"] == ROLE["dataminimering"]
    assert (made["rettighetspakke"], made["bruksomrader"], made["aktiv"]) == (
        "OFFENTLIG_MED_HJEMMEL",
        ["OPPSLAG"],
        True,
    )
    assert made["tagger"] == [{"navn": "barn"}, {"navn": "akutt"}]
    assert (made["antallPersoner"], made["antallIntegrasjoner"]) == (0, 0)
    assert made["gyldighet"] == {"api": True, "soekWeb": False, "uttrekkWeb": False, "asynkron": False}

    assert konfig.ok("GET", f"/{org}/roller/{made['id']}", konfig.admin_a, "RolleDefinisjon") == made
    listed = konfig.ok("GET", f"/{org}/roller", konfig.admin_a, "RolleDefinisjonListe")
    assert [role["id"] for role in listed] == [made["id"]]
    # the admin service holds the same role: one store behind both APIs
    stored = konfig.service.get_role(CONSOLE, UUID(made["id"]))
    assert stored.tjeneste_omrade.value == "BARNEVERN" and stored.deler == ("person-basis", "familierelasjon")


def test_without_rettighetspakke_the_service_area_decides_it(konfig: Konfig) -> None:
    without = {k: v for k, v in ROLE.items() if k != "rettighetspakke"}
    made = konfig.ok(
        "POST",
        f"/{konfig.org(ORG_A)}/roller",
        konfig.admin_a,
        "RolleDefinisjon",
        json=without | {"tjenesteOmrade": "TEKNISK", "dataminimering": {"deler": [{"navn": "person-basis"}]}},
    )
    assert made["rettighetspakke"] == "OFFENTLIG_UTEN_HJEMMEL"


def test_update_activate_deactivate_tags_and_delete_each_land_in_the_change_log(konfig: Konfig) -> None:
    made = create(konfig)
    path = f"/{konfig.org(ORG_A)}/roller/{made['id']}"

    changed = konfig.ok(
        "PUT", path, konfig.admin_a, "RolleDefinisjon", json={"navn": "Nytt navn", "beskrivelse": "Ny"}
    )
    assert (changed["navn"], changed["beskrivelse"]) == ("Nytt navn", "Ny")
    assert changed["dataminimering"] == made["dataminimering"]  # left out: kept
    narrowed = konfig.ok(
        "PUT",
        path,
        konfig.admin_a,
        "RolleDefinisjon",
        json={"navn": "Nytt navn", "dataminimering": {"felt": [{"navn": "navn"}]}},
    )
    assert narrowed["dataminimering"] == {"deler": [], "felt": [{"navn": "navn"}]}

    assert konfig.ok("PUT", path + "/deaktiver", konfig.admin_a, "RolleDefinisjon")["aktiv"] is False
    assert konfig.ok("PUT", path + "/aktiver", konfig.admin_a, "RolleDefinisjon")["aktiv"] is True
    untagged = konfig.ok("DELETE", path + "/tagger/barn", konfig.admin_a, "RolleDefinisjon")
    assert untagged["tagger"] == [{"navn": "akutt"}]
    assert_error(konfig.call("DELETE", path + "/tagger/barn", konfig.admin_a), 400, "UKJENT_TAGG")

    deleted = konfig.call("DELETE", path, konfig.admin_a)
    assert deleted.status_code == 204 and deleted.content == b""
    assert_error(konfig.call("GET", path, konfig.admin_a), 404, "ROLLE_FINNES_IKKE")

    changes = [c for c in konfig.service.change_log(CONSOLE, ORG_A) if c.objekttype == "rolle"]
    assert [c.handling for c in changes] == [
        "rolle.slettet",
        "rolle.endret",
        "rolle.aktivert",
        "rolle.deaktivert",
        "rolle.endret",
        "rolle.endret",
        "rolle.opprettet",
    ]
    assert all(c.utfoert_av.startswith("administrator:") and c.utfoert_av.endswith(":Ada") for c in changes)


def test_a_role_in_use_cannot_be_deleted_and_the_counts_show_why(konfig: Konfig) -> None:
    made = create(konfig)
    integration = konfig.service.create_integration(CONSOLE, ORG_A, "Fagsystem").integrasjon
    konfig.service.grant(CONSOLE, integration.id, UUID(made["id"]))
    path = f"/{konfig.org(ORG_A)}/roller/{made['id']}"
    assert konfig.ok("GET", path, konfig.admin_a, "RolleDefinisjon")["antallIntegrasjoner"] == 1
    assert_error(konfig.call("DELETE", path, konfig.admin_a), 409, "ROLLE_I_BRUK")
    assert konfig.ok("GET", path + "/tilganger", konfig.admin_a, "TilgangListe")["integrasjoner"] == [
        str(integration.id)
    ]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"tjenesteOmrade": "SKOLE"}, "UGYLDIG_FORESPOERSEL"),
        ({"bruksomrader": ["SOEK"]}, "UGYLDIG_FORESPOERSEL"),
        ({"rettighetspakke": "OFFENTLIG_UTEN_HJEMMEL"}, "ELEMENT_IKKE_TILLATT"),  # familierelasjon
        ({"dataminimering": {"felt": [{"navn": "skostoerrelse"}]}}, "UKJENT_PART"),
        ({"tagger": [{"navn": "x"}]}, "UGYLDIG_TAGG"),
        ({"lovhjemmel": "Gravferdsloven § 9"}, "UKJENT_LOVHJEMMEL"),
        ({"ukjentFelt": 1}, "UGYLDIG_FORESPOERSEL"),
        ({"navn": " "}, "UGYLDIG_NAVN"),
    ],
)
def test_an_invalid_role_is_refused_with_its_code_and_nothing_is_made(
    konfig: Konfig, changes: dict[str, Any], code: str
) -> None:
    org = konfig.org(ORG_A)
    assert_error(konfig.call("POST", f"/{org}/roller", konfig.admin_a, json=ROLE | changes), 400, code)
    assert konfig.ok("GET", f"/{org}/roller", konfig.admin_a, "RolleDefinisjonListe") == []


def test_another_organisation_is_not_found_and_the_operator_sees_all(konfig: Konfig) -> None:
    made = create(konfig)
    org_a = konfig.org(ORG_A)
    path = f"/{org_a}/roller/{made['id']}"
    for method, suffix, body in (
        ("GET", "", None),
        ("PUT", "", {"navn": "Kapret"}),
        ("DELETE", "", None),
        ("PUT", "/aktiver", None),
        ("PUT", "/deaktiver", None),
        ("DELETE", "/tagger/barn", None),
        ("GET", "/tilganger", None),
    ):
        assert_error(
            konfig.call(method, path + suffix, konfig.admin_b, json=body), 404, "ORGANISASJON_FINNES_IKKE"
        )
    # B's own fiksOrgId with A's role id: the role is not found in B
    assert_error(
        konfig.call("GET", f"/{konfig.org(ORG_B)}/roller/{made['id']}", konfig.admin_b),
        404,
        "ROLLE_FINNES_IKKE",
    )
    assert_error(
        konfig.call("POST", f"/{org_a}/roller", konfig.admin_b, json=ROLE), 404, "ORGANISASJON_FINNES_IKKE"
    )
    assert_error(konfig.call("GET", f"/{uuid4()}/roller", konfig.admin_a), 404, "ORGANISASJON_FINNES_IKKE")
    assert konfig.ok("GET", path, konfig.admin_a, "RolleDefinisjon") == made  # nothing changed

    assert konfig.ok("GET", path, konfig.operator, "RolleDefinisjon")["id"] == made["id"]
    by_operator = create(konfig, konfig.operator, navn="Av driften")
    assert by_operator["fiksOrgId"] == org_a


def test_without_credentials_nothing_is_answered(konfig: Konfig) -> None:
    org = konfig.org(ORG_A)
    assert_error(konfig.call("GET", f"/{org}/roller"), 401, "MANGLER_AUTENTISERING")
    assert_error(konfig.call("GET", f"/{org}/roller", bearer("fiksadm_nope")), 401, "UGYLDIG_API_NOEKKEL")
    assert_error(konfig.call("POST", f"/{org}/roller", json=ROLE), 401, "MANGLER_AUTENTISERING")


# -- the organisation's configuration ------------------------------------------------------------------


def test_the_configuration_is_created_read_and_changed(konfig: Konfig) -> None:
    path = f"/{konfig.org(ORG_A)}"
    assert_error(konfig.call("GET", path, konfig.admin_a), 404, "KONFIGURASJON_FINNES_IKKE")
    assert_error(
        konfig.call("PUT", path, konfig.admin_a, json={"kontakteposter": ["a@kommune.no"]}),
        404,
        "KONFIGURASJON_FINNES_IKKE",
    )
    body = {"kontakteposter": ["post@kommune.no", "it@kommune.no"]}
    assert konfig.ok("POST", path, konfig.admin_a, "FolkeregisterKonfigurasjonDefinisjon", json=body) == body
    assert_error(konfig.call("POST", path, konfig.admin_a, json=body), 409, "KONFIGURASJON_FINNES")
    assert konfig.ok("GET", path, konfig.admin_a, "FolkeregisterKonfigurasjonDefinisjon") == body
    new = {"kontakteposter": ["ny@kommune.no"]}
    assert konfig.ok("PUT", path, konfig.admin_a, "FolkeregisterKonfigurasjonDefinisjon", json=new) == new

    for bad in ({"kontakteposter": []}, {"kontakteposter": ["ikke en adresse"]}, {}):
        response = konfig.call("PUT", path, konfig.admin_a, json=bad)
        assert response.status_code == 400, response.text
        assert response.json()["errorCode"] in {"UGYLDIG_FORESPOERSEL", "UGYLDIG_KONTAKTEPOSTER"}
    assert_error(konfig.call("GET", path, konfig.admin_b), 404, "ORGANISASJON_FINNES_IKKE")
    assert konfig.ok("GET", path, konfig.admin_a, "FolkeregisterKonfigurasjonDefinisjon") == new

    changes = [
        c for c in konfig.service.change_log(CONSOLE, ORG_A) if c.handling == "organisasjon.konfigurasjon"
    ]
    assert [(c.foer, c.etter) for c in changes] == [(body, new), (None, body)]


def test_the_catalogue_paths_are_not_taken_for_an_organisation(konfig: Konfig) -> None:
    for path in ("/tjenesteomrader", "/bruksomrader", "/deler", "/lovhjemler"):
        assert konfig.call("GET", path, konfig.admin_a).status_code == 200


# -- a logged-in administrator's session ------------------------------------------------------------------


def test_a_session_of_an_administrator_authenticates_and_changes_need_its_csrf_token(konfig: Konfig) -> None:
    konfig.service.create_person_administrator(CONSOLE, KARI, "Kari Admin", ORG_A)
    token, csrf = konfig.session(KARI)
    konfig.client.cookies.set(COOKIE, token)
    org = konfig.org(ORG_A)

    assert konfig.ok("GET", f"/{org}/roller", {}, "RolleDefinisjonListe") == []
    assert_error(konfig.call("POST", f"/{org}/roller", json=ROLE), 403, "UGYLDIG_CSRF")
    assert_error(konfig.call("POST", f"/{org}/roller", {CSRF_HEADER: "feil"}, json=ROLE), 403, "UGYLDIG_CSRF")
    assert konfig.ok("GET", f"/{org}/roller", {}, "RolleDefinisjonListe") == []  # nothing was made
    made = konfig.ok("POST", f"/{org}/roller", {CSRF_HEADER: csrf}, "RolleDefinisjon", json=ROLE)
    assert made["navn"] == ROLE["navn"]
    change = konfig.service.change_log(CONSOLE, ORG_A)[0]
    assert change.handling == "rolle.opprettet" and change.utfoert_av.endswith(":Kari Admin")
    assert KARI not in change.utfoert_av  # the change log names the administrator, not the number

    assert_error(konfig.call("GET", f"/{konfig.org(ORG_B)}/roller"), 404, "ORGANISASJON_FINNES_IKKE")


def test_a_session_of_someone_not_an_administrator_or_not_logged_in_is_refused(konfig: Konfig) -> None:
    org = konfig.org(ORG_A)
    token, _ = konfig.session(OLA)
    konfig.client.cookies.set(COOKIE, token)
    assert_error(konfig.call("GET", f"/{org}/roller"), 403, "IKKE_ADMINISTRATOR")

    in_progress = konfig.sessions.create({"state": "s", "nonce": "n"})  # a login not finished
    konfig.client.cookies.set(COOKIE, in_progress.token)
    assert_error(konfig.call("GET", f"/{org}/roller"), 401, "MANGLER_AUTENTISERING")

    konfig.client.cookies.set(COOKIE, "not-a-session")
    assert_error(konfig.call("GET", f"/{org}/roller"), 401, "MANGLER_AUTENTISERING")

    konfig.service.create_person_administrator(CONSOLE, KARI, "Kari Admin", ORG_A)
    deactivated, _ = konfig.session(KARI)
    admin = next(a for a in konfig.service.list_administrators(CONSOLE, ORG_A) if a.foedselsnummer == KARI)
    konfig.service.deactivate_administrator(CONSOLE, admin.id)
    konfig.client.cookies.set(COOKIE, deactivated)
    assert_error(konfig.call("GET", f"/{org}/roller"), 403, "IKKE_ADMINISTRATOR")


def test_an_api_key_wins_over_a_cookie(konfig: Konfig) -> None:
    token, _ = konfig.session(OLA)  # not an administrator
    konfig.client.cookies.set(COOKIE, token)
    assert konfig.ok("GET", f"/{konfig.org(ORG_A)}/roller", konfig.admin_a, "RolleDefinisjonListe") == []
    # and the API key needs no CSRF token
    assert create(konfig)["navn"] == ROLE["navn"]


# -- the logged-in person's search roles ------------------------------------------------------------------


def test_roller_lists_the_search_roles_of_the_logged_in_person(konfig: Konfig) -> None:
    service = konfig.service
    service.create_person_administrator(CONSOLE, KARI, "Kari Admin", ORG_A)
    searchable = create(
        konfig, navn="Søk", gyldighet={"api": False, "soekWeb": True, "uttrekkWeb": False, "asynkron": False}
    )
    api_only = create(konfig, navn="Kun API")
    user = service.create_user(CONSOLE, ORG_A, KARI, "Kari")
    for role in (searchable, api_only):
        service.grant_user(CONSOLE, user.id, UUID(role["id"]))
    token, _ = konfig.session(KARI)
    konfig.client.cookies.set(COOKIE, token)

    roles = konfig.ok("GET", "/roller", {}, "RollePersonSokDefinisjonListe")
    assert [(r["id"], r["fiksOrgNavn"], r["kommunenr"], r["tjenesteOmrade"]) for r in roles] == [
        (searchable["id"], "Kommune A", "0301", "BARNEVERN")
    ]
    dataminimering = roles[0]["dataminimering"]
    assert [d["navn"] for d in dataminimering["deler"]] == ["person-basis"]
    assert [f["navn"] for f in dataminimering["felt"]] == ["familierelasjon"]
    assert dataminimering["felt"][0]["kanHenteTaushetsbelagtInfo"] is True

    service.deactivate_role(CONSOLE, UUID(searchable["id"]))
    assert konfig.ok("GET", "/roller", {}, "RollePersonSokDefinisjonListe") == []

    konfig.client.cookies.clear()
    assert_error(konfig.call("GET", "/roller", konfig.admin_a), 404, "INGEN_INNLOGGET_PERSON")


def test_verifiser_counts_only_active_roles_and_names_a_deactivated_one(konfig: Konfig) -> None:
    made = create(konfig)
    integration = konfig.service.create_integration(CONSOLE, ORG_A, "Fagsystem").integrasjon
    konfig.service.grant(CONSOLE, integration.id, UUID(made["id"]))
    unheld = create(konfig, navn="Ubrukt")
    org = konfig.org(ORG_A)

    def roller(body: dict[str, Any]) -> dict[str, Any]:
        answer = konfig.ok("POST", "/verifiser", konfig.admin_a, "StatusResponse", json=body)
        return next(s["verifisering"] for s in answer["subsystem"] if s["navn"] == "Roller")

    assert roller({"fiksOrgId": org})["status"] == "FEILET"  # "Ubrukt" is held by nobody
    konfig.ok("PUT", f"/{org}/roller/{unheld['id']}/deaktiver", konfig.admin_a, "RolleDefinisjon")
    assert roller({"fiksOrgId": org})["status"] == "OK"  # a deactivated role needs no holder
    one = roller({"fiksOrgId": org, "rolleId": unheld["id"]})
    assert (one["status"], one["beskrivelse"]) == ("FEILET", "Rollen er deaktivert")
    assert roller({"fiksOrgId": org, "rolleId": made["id"]})["status"] == "OK"
