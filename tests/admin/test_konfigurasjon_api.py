"""KS's Konfigurasjon API: the catalogues, each 2xx answer validated against our transcription of KS's
schemas (tests/admin/konfigurasjon_schemas.py, which cites KS's document), authentication and errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fiks_folkeregister.admin.konfigurasjon import build_konfigurasjon_router
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.domain.informasjonselementer import ELEMENTS
from fiks_folkeregister.gateway.router import KONFIGURASJON_PREFIX
from tests.admin.conftest import CONSOLE, ORG_A, ORG_B
from tests.admin.konfigurasjon_schemas import TJENESTEOMRADER, errors

pytestmark = pytest.mark.integration


@pytest.fixture
def client(two_orgs: AdminService) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(build_konfigurasjon_router(two_orgs), prefix=KONFIGURASJON_PREFIX)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def admin_a(two_orgs: AdminService) -> dict[str, str]:
    key = two_orgs.create_administrator(CONSOLE, "Ada", ORG_A).api_noekkel
    return {"Authorization": f"Bearer {key}"}


def get(client: TestClient, path: str, headers: dict[str, str]) -> Any:
    response = client.get(KONFIGURASJON_PREFIX + path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


CATALOGUES = [
    ("/tjenesteomrader", "TjenesteomradeListe"),
    ("/bruksomrader", "BruksomradeListe"),
    ("/deler", "DelListe"),
    ("/lovhjemler", "LovhjemmelListe"),
    ("/lovhjemler/BARNEVERN", "LovhjemlerForOmrade"),
]


@pytest.mark.parametrize(("path", "schema"), CATALOGUES)
def test_every_catalogue_answers_in_ks_schema(
    client: TestClient, admin_a: dict[str, str], path: str, schema: str
) -> None:
    answer = get(client, path, admin_a)
    assert errors(schema, answer) == []
    assert answer  # a catalogue is never empty


def test_the_twelve_service_areas_say_whether_they_may_fetch_confidential_data(
    client: TestClient, admin_a: dict[str, str]
) -> None:
    omrader = get(client, "/tjenesteomrader", admin_a)["omrader"]
    assert [o["navn"] for o in omrader] == TJENESTEOMRADER
    confidential = {o["navn"] for o in omrader if o["kanHenteTaushetsbelagtInfo"]}
    assert "BARNEVERN" in confidential
    assert "NAERINGSLIV" not in confidential


def test_parts_cover_every_element_once_and_mark_confidential_and_address_fields(
    client: TestClient, admin_a: dict[str, str]
) -> None:
    deler = get(client, "/deler", admin_a)["deler"]
    fields = [felt["navn"] for del_ in deler for felt in del_["felt"]]
    assert sorted(fields) == sorted(ELEMENTS)
    by_name = {del_["navn"]: del_ for del_ in deler}
    assert by_name["relasjon-utvidet"]["kanHenteTaushetsbelagtInfo"] is True
    assert by_name["person-basis"]["kanVaereGradertAdresse"] is True
    assert by_name["person-basis"]["kanHenteTaushetsbelagtInfo"] is False


def test_legal_bases_per_service_area(client: TestClient, admin_a: dict[str, str]) -> None:
    every = get(client, "/lovhjemler", admin_a)["lovhjemler"]
    barnevern = get(client, "/lovhjemler/BARNEVERN", admin_a)
    assert barnevern == [lov["beskrivelse"] for lov in every if "BARNEVERN" in lov["omrader"]]
    assert barnevern
    assert get(client, "/lovhjemler/NAERINGSLIV", admin_a) == []


def test_an_unknown_service_area_is_a_404_naming_the_known_ones(
    client: TestClient, admin_a: dict[str, str]
) -> None:
    response = client.get(KONFIGURASJON_PREFIX + "/lovhjemler/barnevern", headers=admin_a)
    assert response.status_code == 404
    body = response.json()
    assert errors("ErrorMessage", body) == []
    assert body["errorCode"] == "UKJENT_TJENESTEOMRADE"
    assert "BARNEVERN" in body["message"]


@pytest.mark.parametrize("path", [path for path, _ in CATALOGUES])
@pytest.mark.parametrize(
    ("headers", "code"),
    [({}, "MANGLER_AUTENTISERING"), ({"Authorization": "Bearer nope"}, "UGYLDIG_API_NOEKKEL")],
)
def test_without_a_valid_api_key_every_path_is_401(
    client: TestClient, path: str, headers: dict[str, str], code: str
) -> None:
    response = client.get(KONFIGURASJON_PREFIX + path, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert errors("ErrorMessage", body) == []
    assert body["errorCode"] == code
    assert response.headers["WWW-Authenticate"] == "Bearer"


KARI = "06076301709"  # a valid fødselsnummer (synthetic test data)
MED = "offentlig-med-hjemmel"


def fiks_org_id(service: AdminService, orgnr: str) -> UUID:
    fiks_id = service.get_organisation(CONSOLE, orgnr).fiks_org_id
    assert fiks_id is not None
    return fiks_id


def test_tilganger_lists_the_integrations_and_person_users_holding_the_role_now(
    client: TestClient, admin_a: dict[str, str], two_orgs: AdminService
) -> None:
    service = two_orgs
    role = service.create_role(CONSOLE, ORG_A, "R", MED, ["sok-etter-person"], ["navn"]).rolle
    other = service.create_role(CONSOLE, ORG_A, "Annen", MED, ["sok-etter-person"], ["navn"]).rolle
    kept = service.create_integration(CONSOLE, ORG_A, "Fagsystem").integrasjon
    revoked = service.create_integration(CONSOLE, ORG_A, "Gammelt").integrasjon
    elsewhere = service.create_integration(CONSOLE, ORG_A, "Annet").integrasjon
    user = service.create_user(CONSOLE, ORG_A, KARI, "Kari")
    service.grant(CONSOLE, kept.id, role.id)
    service.grant(CONSOLE, revoked.id, role.id)
    service.revoke(CONSOLE, revoked.id, role.id)
    service.grant(CONSOLE, elsewhere.id, other.id)
    service.grant_user(CONSOLE, user.id, role.id)

    answer = get(client, f"/{fiks_org_id(service, ORG_A)}/roller/{role.id}/tilganger", admin_a)

    assert errors("TilgangListe", answer) == []
    assert answer == {"integrasjoner": [str(kept.id)], "personer": [str(user.id)]}


def test_tilganger_of_another_organisation_or_an_unknown_role_is_404(
    client: TestClient, admin_a: dict[str, str], two_orgs: AdminService
) -> None:
    service = two_orgs
    role_b = service.create_role(CONSOLE, ORG_B, "B", MED, ["sok-etter-person"], ["navn"]).rolle
    role_a = service.create_role(CONSOLE, ORG_A, "A", MED, ["sok-etter-person"], ["navn"]).rolle
    cases = [
        (f"/{fiks_org_id(service, ORG_B)}/roller/{role_b.id}/tilganger", "ORGANISASJON_FINNES_IKKE"),
        (f"/{fiks_org_id(service, ORG_A)}/roller/{role_b.id}/tilganger", "ROLLE_FINNES_IKKE"),
        (f"/{fiks_org_id(service, ORG_A)}/roller/{uuid4()}/tilganger", "ROLLE_FINNES_IKKE"),
        (f"/{uuid4()}/roller/{role_a.id}/tilganger", "ORGANISASJON_FINNES_IKKE"),
    ]
    for path, code in cases:
        response = client.get(KONFIGURASJON_PREFIX + path, headers=admin_a)
        assert response.status_code == 404, path
        assert errors("ErrorMessage", response.json()) == []
        assert response.json()["errorCode"] == code


def test_the_operator_sees_every_organisations_tilganger(client: TestClient, two_orgs: AdminService) -> None:
    service = two_orgs
    operator = {"Authorization": f"Bearer {service.create_administrator(CONSOLE, 'Ops').api_noekkel}"}
    role_b = service.create_role(CONSOLE, ORG_B, "B", MED, ["sok-etter-person"], ["navn"]).rolle
    answer = get(client, f"/{fiks_org_id(service, ORG_B)}/roller/{role_b.id}/tilganger", operator)
    assert answer == {"integrasjoner": [], "personer": []}


def test_a_fiks_org_id_that_is_not_a_uuid_is_400(client: TestClient, admin_a: dict[str, str]) -> None:
    response = client.get(KONFIGURASJON_PREFIX + f"/ikke-en-uuid/roller/{uuid4()}/tilganger", headers=admin_a)
    assert response.status_code == 400
    assert response.json()["errorCode"] == "UGYLDIG_FORESPOERSEL"


def verifiser(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    response = client.post(KONFIGURASJON_PREFIX + "/verifiser", headers=headers, json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert errors("StatusResponse", answer) == []
    return answer


def statuses(answer: Any) -> dict[str, str]:
    return {sub["navn"]: sub["verifisering"]["status"] for sub in answer["subsystem"]}


def test_verifiser_fails_an_organisation_without_integrations_or_roles_and_says_what_it_did_not_check(
    client: TestClient, admin_a: dict[str, str], two_orgs: AdminService
) -> None:
    answer = verifiser(client, admin_a, {"fiksOrgId": str(fiks_org_id(two_orgs, ORG_A))})
    assert statuses(answer) == {
        "Avtaler": "IKKE_UTFORT",
        "Integrasjoner": "FEILET",
        "Roller": "FEILET",
        "Folkeregisteret": "IKKE_UTFORT",
    }
    assert answer["altOk"] is False


def test_verifiser_passes_an_organisation_whose_roles_are_all_held(
    client: TestClient, admin_a: dict[str, str], two_orgs: AdminService
) -> None:
    service = two_orgs
    role = service.create_role(CONSOLE, ORG_A, "R", MED, ["sok-etter-person"], ["navn"]).rolle
    unheld = service.create_role(CONSOLE, ORG_A, "Ubrukt", MED, ["sok-etter-person"], ["navn"]).rolle
    integration = service.create_integration(CONSOLE, ORG_A, "Fagsystem").integrasjon
    service.grant(CONSOLE, integration.id, role.id)
    org = str(fiks_org_id(service, ORG_A))

    one_unheld = verifiser(client, admin_a, {"fiksOrgId": org})
    assert statuses(one_unheld)["Roller"] == "FEILET"
    assert verifiser(client, admin_a, {"fiksOrgId": org, "rolleId": str(unheld.id)})["altOk"] is False

    held = verifiser(client, admin_a, {"fiksOrgId": org, "rolleId": str(role.id)})
    assert statuses(held)["Integrasjoner"] == "OK"
    assert statuses(held)["Roller"] == "OK"
    assert held["altOk"] is True  # nothing failed; the two checks not performed say IKKE_UTFORT

    service.delete_role(CONSOLE, unheld.id)
    assert verifiser(client, admin_a, {"fiksOrgId": org})["altOk"] is True


def test_verifiser_refuses_another_organisation_and_a_malformed_body(
    client: TestClient, admin_a: dict[str, str], two_orgs: AdminService
) -> None:
    other = client.post(
        KONFIGURASJON_PREFIX + "/verifiser",
        headers=admin_a,
        json={"fiksOrgId": str(fiks_org_id(two_orgs, ORG_B))},
    )
    assert other.status_code == 404
    assert other.json()["errorCode"] == "ORGANISASJON_FINNES_IKKE"
    for body in ({}, {"fiksOrgId": "ikke-en-uuid"}):
        response = client.post(KONFIGURASJON_PREFIX + "/verifiser", headers=admin_a, json=body)
        assert response.status_code == 400
        assert errors("ErrorMessage", response.json()) == []
        assert response.json()["errorCode"] == "UGYLDIG_FORESPOERSEL"
