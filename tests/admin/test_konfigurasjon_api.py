"""KS's Konfigurasjon API: the catalogues, each 2xx answer validated against our transcription of KS's
schemas (tests/admin/konfigurasjon_schemas.py, which cites KS's document), authentication and errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fiks_folkeregister.admin.konfigurasjon import KONFIGURASJON_PREFIX, build_konfigurasjon_router
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.domain.informasjonselementer import ELEMENTS
from tests.admin.conftest import CONSOLE, ORG_A
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
