"""The admin REST API: every operation, its errors (status + errorCode), isolation between organisations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from fiks_folkeregister.admin.api import ADMIN_PREFIX, build_admin_router
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.audit.log import AuditLog, AuditRecord
from tests.admin.conftest import CONSOLE, ORG_A, ORG_B

PLATFORM_ERROR_FIELDS = {
    "timestamp",
    "status",
    "error",
    "errorId",
    "path",
    "message",
    "errorCode",
    "errorJson",
}
ROLE = {
    "navn": "Saksbehandler",
    "beskrivelse": "Oppslag i saksbehandling",
    "rettighetspakke": "offentlig-med-hjemmel",
    "bruksomraader": ["sok-etter-person"],
    "elementer": ["person-basis", "familierelasjon"],
    "historikk": True,
}


@dataclass
class Api:
    client: TestClient
    service: AdminService
    audit: AuditLog
    operator: dict[str, str]
    admin_a: dict[str, str]
    admin_b: dict[str, str]

    def call(self, method: str, path: str, who: dict[str, str] | None = None, **kwargs: Any) -> Response:
        return self.client.request(method, ADMIN_PREFIX + path, headers=who or {}, **kwargs)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def api(service: AdminService, engine: Any) -> Iterator[Api]:
    app = FastAPI()
    app.include_router(build_admin_router(service), prefix=ADMIN_PREFIX)
    operator = service.create_administrator(CONSOLE, "Ops").api_noekkel
    with TestClient(app) as client:
        result = Api(client, service, AuditLog(engine), bearer(operator), {}, {})
        for orgnr, name in ((ORG_A, "Kommune A"), (ORG_B, "Kommune B")):
            created = result.call(
                "POST", "/organisasjoner", result.operator, json={"orgnr": orgnr, "navn": name}
            )
            assert created.status_code == 201, created.text
        result.admin_a = bearer(
            result.call(
                "POST", "/administratorer", result.operator, json={"navn": "Ada", "orgnr": ORG_A}
            ).json()["apiNoekkel"]
        )
        result.admin_b = bearer(
            result.call(
                "POST", "/administratorer", result.operator, json={"navn": "Bo", "orgnr": ORG_B}
            ).json()["apiNoekkel"]
        )
        yield result


def assert_error(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == PLATFORM_ERROR_FIELDS
    assert (body["status"], body["errorCode"]) == (status, code)
    assert body["path"] == response.request.url.path
    assert body["message"]
    # the id to quote to support: the same in the body, the X-Request-Id header and the server's log
    assert body["errorId"] == response.headers["X-Request-Id"]
    return body


def create_role(api: Api, who: dict[str, str], orgnr: str = ORG_A, **changes: Any) -> str:
    response = api.call("POST", f"/organisasjoner/{orgnr}/roller", who, json=ROLE | changes)
    assert response.status_code == 201, response.text
    return str(response.json()["rolleId"])


def create_integration(api: Api, who: dict[str, str], orgnr: str = ORG_A) -> dict[str, Any]:
    response = api.call("POST", f"/organisasjoner/{orgnr}/integrasjoner", who, json={"navn": "Fagsystem"})
    assert response.status_code == 201, response.text
    return dict(response.json())


# -- authentication ---------------------------------------------------------------------------------


def test_every_route_needs_an_api_key(api: Api) -> None:
    body = assert_error(api.call("GET", "/organisasjoner"), 401, "MANGLER_AUTENTISERING")
    assert body["error"] == "Unauthorized"
    assert_error(api.call("GET", "/organisasjoner", bearer("fiksadm_nope")), 401, "UGYLDIG_API_NOEKKEL")
    assert_error(
        api.call("GET", "/organisasjoner", {"Authorization": "Basic eDp5"}), 401, "MANGLER_AUTENTISERING"
    )
    assert api.call("GET", "/organisasjoner").headers["WWW-Authenticate"] == "Bearer"


def test_a_deactivated_key_stops_working(api: Api) -> None:
    made = api.call("POST", "/administratorer", api.operator, json={"navn": "Tmp", "orgnr": ORG_A}).json()
    key = bearer(made["apiNoekkel"])
    assert api.call("GET", "/organisasjoner", key).status_code == 200

    deactivated = api.call("DELETE", f"/administratorer/{made['administratorId']}", api.operator)

    assert deactivated.status_code == 200
    assert deactivated.json()["deaktivert"] is not None
    assert_error(api.call("GET", "/organisasjoner", key), 401, "UGYLDIG_API_NOEKKEL")


# -- organisations and administrators ---------------------------------------------------------------


def test_organisations(api: Api) -> None:
    created = api.call(
        "POST",
        "/organisasjoner",
        api.operator,
        json={"orgnr": "111222339", "navn": "Nye", "kommunenummer": "4601"},
    )
    assert created.status_code == 201
    assert created.json() | {"opprettet": None, "fiksOrgId": None} == {
        "orgnr": "111222339",
        "navn": "Nye",
        "kommunenummer": "4601",
        "fylkesnummer": "46",
        "opprettet": None,
        "fiksOrgId": None,
        "forespoerslerPerMinutt": None,
    }
    assert UUID(created.json()["fiksOrgId"]).version == 4
    assert [o["orgnr"] for o in api.call("GET", "/organisasjoner", api.operator).json()] == [
        "111222339",
        ORG_A,
        ORG_B,
    ]
    assert [o["orgnr"] for o in api.call("GET", "/organisasjoner", api.admin_a).json()] == [ORG_A]
    assert api.call("GET", f"/organisasjoner/{ORG_A}", api.admin_a).json()["navn"] == "Kommune A"


def test_organisation_errors(api: Api) -> None:
    assert_error(
        api.call("POST", "/organisasjoner", api.operator, json={"orgnr": ORG_A, "navn": "Again"}),
        409,
        "ORGANISASJON_FINNES",
    )
    assert_error(
        api.call("POST", "/organisasjoner", api.operator, json={"orgnr": "1234", "navn": "Short"}),
        400,
        "UGYLDIG_ORGNR",
    )
    wrong_check_digit = assert_error(
        api.call("POST", "/organisasjoner", api.operator, json={"orgnr": "921234567", "navn": "Typo"}),
        400,
        "UGYLDIG_ORGNR",
    )
    assert "check digit" in wrong_check_digit["message"]
    body = assert_error(
        api.call("POST", "/organisasjoner", api.operator, json={"navn": "No number"}),
        400,
        "UGYLDIG_FORESPOERSEL",
    )
    assert body["errorJson"]["feil"][0]["felt"] == "body.orgnr"
    assert_error(
        api.call(
            "POST", "/organisasjoner", api.operator, json={"orgnr": "111222339", "navn": "X", "extra": 1}
        ),
        400,
        "UGYLDIG_FORESPOERSEL",
    )
    assert_error(
        api.call("POST", "/organisasjoner", api.admin_a, json={"orgnr": "111222339", "navn": "Mine"}),
        403,
        "KREVER_OPERATOER",
    )
    assert_error(api.call("GET", "/organisasjoner/111222339", api.operator), 404, "ORGANISASJON_FINNES_IKKE")


def test_administrators_are_made_and_listed_by_operators_only(api: Api) -> None:
    made = api.call("POST", "/administratorer", api.operator, json={"navn": "Op2"})
    assert made.status_code == 201
    assert made.json()["orgnr"] is None
    assert made.json()["apiNoekkel"].startswith("fiksadm_")

    listed = api.call("GET", "/administratorer", api.operator).json()
    assert {a["navn"] for a in listed} == {"Ops", "Ada", "Bo", "Op2"}
    assert all("apiNoekkel" not in a for a in listed)
    assert [a["navn"] for a in api.call("GET", f"/administratorer?orgnr={ORG_A}", api.operator).json()] == [
        "Ada"
    ]
    assert_error(api.call("GET", "/administratorer", api.admin_a), 403, "KREVER_OPERATOER")
    assert_error(
        api.call("POST", "/administratorer", api.admin_a, json={"navn": "Me2"}), 403, "KREVER_OPERATOER"
    )
    assert_error(
        api.call("POST", "/administratorer", api.operator, json={"navn": "X", "orgnr": "111222339"}),
        404,
        "ORGANISASJON_FINNES_IKKE",
    )
    assert_error(
        api.call("DELETE", f"/administratorer/{uuid4()}", api.operator), 404, "ADMINISTRATOR_FINNES_IKKE"
    )


# -- roles --------------------------------------------------------------------------------------------


def test_role_lifecycle(api: Api) -> None:
    created = api.call("POST", f"/organisasjoner/{ORG_A}/roller", api.admin_a, json=ROLE)
    assert created.status_code == 201
    role = created.json()
    assert role["navn"] == "Saksbehandler"
    assert role["orgnr"] == ORG_A
    assert role["rettighetspakke"] == "offentlig-med-hjemmel"
    assert role["bruksomraader"] == ["sok-etter-person"]
    assert "familierelasjon" in role["elementer"] and "bostedsadresse" in role["elementer"]
    assert "person-basis" not in role["elementer"]
    assert role["deler"] == ["person-basis", "familierelasjon"]
    assert role["historikk"] is True
    path = f"/organisasjoner/{ORG_A}/roller/{role['rolleId']}"

    assert api.call("GET", path, api.admin_a).json() == role
    assert [r["rolleId"] for r in api.call("GET", f"/organisasjoner/{ORG_A}/roller", api.admin_a).json()] == [
        role["rolleId"]
    ]

    patched = api.call("PATCH", path, api.admin_a, json={"historikk": False, "bruksomraader": ["uttrekk"]})
    assert patched.status_code == 200
    assert patched.json()["historikk"] is False
    assert patched.json()["bruksomraader"] == ["uttrekk"]
    assert patched.json()["elementer"] == role["elementer"]

    narrowed = api.call("PATCH", path, api.admin_a, json={"elementer": ["navn"]}).json()
    assert (narrowed["elementer"], narrowed["historikk"]) == (["navn"], False)

    assert api.call("DELETE", path, api.admin_a).status_code == 204
    assert_error(api.call("GET", path, api.admin_a), 404, "ROLLE_FINNES_IKKE")


def test_role_errors_name_what_to_change(api: Api) -> None:
    roles = f"/organisasjoner/{ORG_A}/roller"
    body = assert_error(
        api.call(
            "POST",
            roles,
            api.admin_a,
            json=ROLE
            | {"rettighetspakke": "offentlig-uten-hjemmel", "elementer": ["navn", "relasjon-utvidet"]},
        ),
        400,
        "ELEMENT_IKKE_TILLATT",
    )
    assert body["errorJson"] == {
        "rettighetspakke": "offentlig-uten-hjemmel",
        "elementer": ["familierelasjon", "foreldreansvar"],
    }
    assert "familierelasjon, foreldreansvar" in body["message"]
    body = assert_error(
        api.call("POST", roles, api.admin_a, json=ROLE | {"bruksomraader": ["sok"]}),
        400,
        "UKJENT_BRUKSOMRAADE",
    )
    assert body["errorJson"]["ukjente"] == ["sok"]
    assert_error(
        api.call("POST", roles, api.admin_a, json=ROLE | {"rettighetspakke": "x"}),
        400,
        "UKJENT_RETTIGHETSPAKKE",
    )
    body = assert_error(
        api.call("POST", roles, api.admin_a, json=ROLE | {"elementer": ["nvn"]}), 400, "UKJENT_PART"
    )
    assert body["errorJson"]["ukjente"] == ["nvn"]
    assert_error(
        api.call("POST", roles, api.admin_a, json=ROLE | {"elementer": []}), 400, "MANGLER_ELEMENTER"
    )
    assert_error(
        api.call("POST", roles, api.admin_a, json=ROLE | {"bruksomraader": []}), 400, "MANGLER_BRUKSOMRAADE"
    )
    create_role(api, api.admin_a)
    assert_error(api.call("POST", roles, api.admin_a, json=ROLE), 409, "ROLLE_FINNES")
    assert_error(api.call("GET", f"{roles}/not-a-uuid", api.admin_a), 400, "UGYLDIG_FORESPOERSEL")
    assert_error(api.call("GET", f"{roles}/{uuid4()}", api.admin_a), 404, "ROLLE_FINNES_IKKE")
    assert_error(
        api.call("POST", "/organisasjoner/111222339/roller", api.operator, json=ROLE),
        404,
        "ORGANISASJON_FINNES_IKKE",
    )


# -- integrations and grants --------------------------------------------------------------------------


def test_integration_lifecycle_and_password_rotation(api: Api) -> None:
    made = api.call(
        "POST",
        f"/organisasjoner/{ORG_A}/integrasjoner",
        api.admin_a,
        json={"navn": "Fagsystem", "autorisertOrgnr": "999888771"},
    )
    assert made.status_code == 201
    credentials = made.json()
    assert set(credentials) == {"integrasjonId", "integrasjonPassord", "autorisertOrgnr"}
    path = f"/organisasjoner/{ORG_A}/integrasjoner/{credentials['integrasjonId']}"

    shown = api.call("GET", path, api.admin_a).json()
    assert shown["autorisertOrgnr"] == "999888771"
    assert "integrasjonPassord" not in shown and "passordHash" not in shown
    assert (
        credentials["integrasjonPassord"]
        not in api.call("GET", f"/organisasjoner/{ORG_A}/integrasjoner", api.admin_a).text
    )

    rotated = api.call("POST", f"{path}/passord", api.admin_a)
    assert rotated.status_code == 200
    assert rotated.json()["integrasjonPassord"] != credentials["integrasjonPassord"]

    assert api.call("DELETE", path, api.admin_a).status_code == 204
    assert_error(api.call("GET", path, api.admin_a), 404, "INTEGRASJON_FINNES_IKKE")
    assert_error(
        api.call(
            "POST",
            f"/organisasjoner/{ORG_A}/integrasjoner",
            api.admin_a,
            json={"navn": "X", "autorisertOrgnr": "12"},
        ),
        400,
        "UGYLDIG_ORGNR",
    )
    assert_error(
        api.call(
            "POST",
            f"/organisasjoner/{ORG_A}/integrasjoner",
            api.admin_a,
            json={"navn": "X", "autorisertOrgnr": "999888777"},  # wrong check digit
        ),
        400,
        "UGYLDIG_ORGNR",
    )


def test_grant_and_revoke(api: Api) -> None:
    role_id = create_role(api, api.admin_a)
    integration_id = create_integration(api, api.admin_a)["integrasjonId"]
    path = f"/organisasjoner/{ORG_A}/integrasjoner/{integration_id}/roller/{role_id}"

    granted = api.call("PUT", path, api.admin_a)
    assert granted.status_code == 201
    assert (granted.json()["integrasjonId"], granted.json()["rolleId"]) == (integration_id, role_id)
    assert granted.json()["opprettetAv"].startswith("administrator:")
    assert api.call("PUT", path, api.admin_a).status_code == 200
    assert len(api.call("GET", f"/organisasjoner/{ORG_A}/tildelinger", api.admin_a).json()) == 1
    assert_error(
        api.call("DELETE", f"/organisasjoner/{ORG_A}/roller/{role_id}", api.admin_a), 409, "ROLLE_I_BRUK"
    )

    revoked = api.call("DELETE", path, api.admin_a)
    assert revoked.status_code == 200
    assert revoked.json()["tilbakekalt"] is not None
    assert_error(api.call("DELETE", path, api.admin_a), 404, "TILDELING_FINNES_IKKE")
    assert api.call("GET", f"/organisasjoner/{ORG_A}/tildelinger", api.admin_a).json() == []
    everything = api.call(
        "GET", f"/organisasjoner/{ORG_A}/tildelinger?inkluderTilbakekalte=true", api.admin_a
    )
    assert len(everything.json()) == 1


def test_operator_cannot_grant_across_organisations(api: Api) -> None:
    role_b = create_role(api, api.operator, ORG_B)
    integration_a = create_integration(api, api.operator, ORG_A)["integrasjonId"]

    # through A's path the role of B does not exist; the service never joins organisations
    assert_error(
        api.call(
            "PUT", f"/organisasjoner/{ORG_A}/integrasjoner/{integration_a}/roller/{role_b}", api.operator
        ),
        404,
        "ROLLE_FINNES_IKKE",
    )


# -- isolation ----------------------------------------------------------------------------------------


def test_an_organisation_administrator_cannot_see_or_touch_another_organisation(api: Api) -> None:
    role_b = create_role(api, api.admin_b, ORG_B)
    integration_b = create_integration(api, api.admin_b, ORG_B)["integrasjonId"]
    api.call("PUT", f"/organisasjoner/{ORG_B}/integrasjoner/{integration_b}/roller/{role_b}", api.admin_b)
    role_a = create_role(api, api.admin_a, ORG_A)
    integration_a = create_integration(api, api.admin_a, ORG_A)["integrasjonId"]
    b = f"/organisasjoner/{ORG_B}"
    a = f"/organisasjoner/{ORG_A}"

    attempts = [
        ("GET", b, None, "ORGANISASJON_FINNES_IKKE"),
        ("GET", f"{b}/roller", None, "ORGANISASJON_FINNES_IKKE"),
        ("POST", f"{b}/roller", ROLE, "ORGANISASJON_FINNES_IKKE"),
        ("GET", f"{b}/roller/{role_b}", None, "ROLLE_FINNES_IKKE"),
        ("PATCH", f"{b}/roller/{role_b}", {"navn": "Mine"}, "ROLLE_FINNES_IKKE"),
        ("DELETE", f"{b}/roller/{role_b}", None, "ROLLE_FINNES_IKKE"),
        ("GET", f"{a}/roller/{role_b}", None, "ROLLE_FINNES_IKKE"),
        ("PATCH", f"{a}/roller/{role_b}", {"navn": "Mine"}, "ROLLE_FINNES_IKKE"),
        ("DELETE", f"{a}/roller/{role_b}", None, "ROLLE_FINNES_IKKE"),
        ("GET", f"{b}/integrasjoner", None, "ORGANISASJON_FINNES_IKKE"),
        ("POST", f"{b}/integrasjoner", {"navn": "X"}, "ORGANISASJON_FINNES_IKKE"),
        ("GET", f"{a}/integrasjoner/{integration_b}", None, "INTEGRASJON_FINNES_IKKE"),
        ("POST", f"{a}/integrasjoner/{integration_b}/passord", None, "INTEGRASJON_FINNES_IKKE"),
        ("DELETE", f"{a}/integrasjoner/{integration_b}", None, "INTEGRASJON_FINNES_IKKE"),
        ("GET", f"{b}/tildelinger", None, "ORGANISASJON_FINNES_IKKE"),
        ("PUT", f"{a}/integrasjoner/{integration_a}/roller/{role_b}", None, "ROLLE_FINNES_IKKE"),
        ("PUT", f"{a}/integrasjoner/{integration_b}/roller/{role_a}", None, "INTEGRASJON_FINNES_IKKE"),
        ("DELETE", f"{a}/integrasjoner/{integration_b}/roller/{role_b}", None, "INTEGRASJON_FINNES_IKKE"),
        ("GET", f"{b}/oppslagslogg", None, "ORGANISASJON_FINNES_IKKE"),
        ("GET", f"{b}/endringslogg", None, "ORGANISASJON_FINNES_IKKE"),
    ]
    for method, path, body, code in attempts:
        response = (
            api.call(method, path, api.admin_a, json=body) if body else api.call(method, path, api.admin_a)
        )
        assert_error(response, 404, code)
    # B's configuration is untouched
    assert api.call("GET", f"{b}/roller/{role_b}", api.admin_b).json()["navn"] == "Saksbehandler"
    assert len(api.call("GET", f"{b}/tildelinger", api.admin_b).json()) == 1
    assert_error(api.call("GET", "/endringslogg", api.admin_a), 403, "KREVER_OPERATOER")


# -- logs ---------------------------------------------------------------------------------------------


def test_change_log_per_organisation_and_for_the_platform(api: Api) -> None:
    role_id = create_role(api, api.admin_a)
    api.call(
        "PATCH", f"/organisasjoner/{ORG_A}/roller/{role_id}", api.admin_a, json={"beskrivelse": "Endret"}
    )

    changes = api.call("GET", f"/organisasjoner/{ORG_A}/endringslogg", api.admin_a).json()
    assert [c["handling"] for c in changes] == [
        "rolle.endret",
        "rolle.opprettet",
        "administrator.opprettet",
        "organisasjon.opprettet",
    ]
    latest = changes[0]
    assert latest["objektId"] == role_id
    assert latest["utfoertAv"].endswith(":Ada")
    assert (latest["foer"]["beskrivelse"], latest["etter"]["beskrivelse"]) == (
        "Oppslag i saksbehandling",
        "Endret",
    )
    everything = api.call("GET", "/endringslogg", api.operator).json()
    assert {c["orgnr"] for c in everything} == {None, ORG_A, ORG_B}
    assert len(api.call("GET", "/endringslogg?limit=2", api.operator).json()) == 2


def test_lookup_log_with_filters_for_the_organisation_only(api: Api) -> None:
    role_id = create_role(api, api.admin_a)
    t0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

    def record(minutes: int, orgnr: str, person: str) -> None:
        api.audit.record(
            AuditRecord(
                tidspunkt=t0 + timedelta(minutes=minutes),
                request_id=f"req-{minutes}",
                orgnr=orgnr,
                rolle_id=uuid4() if minutes else UUID(role_id),
                integrasjon_id=None,
                klient_orgnr=orgnr,
                ressurs="GET personer/{personidentifikator}",
                parametre={"part": ["navn"]},
                personer=[person],
                utfall="ok",
                status=200,
            )
        )

    record(0, ORG_A, "06076301709")
    record(10, ORG_A, "01010112345")
    record(20, ORG_B, "06076301709")
    log = f"/organisasjoner/{ORG_A}/oppslagslogg"

    everything = api.call("GET", log, api.admin_a).json()
    assert [r["requestId"] for r in everything] == ["req-10", "req-0"]
    assert everything[1] | {"tidspunkt": None, "rolleId": None} == {
        "tidspunkt": None,
        "requestId": "req-0",
        "orgnr": ORG_A,
        "rolleId": None,
        "integrasjonId": None,
        "klientOrgnr": ORG_A,
        "ressurs": "GET personer/{personidentifikator}",
        "parametre": {"part": ["navn"]},
        "personer": ["06076301709"],
        "utfall": "ok",
        "status": 200,
        "feilkode": None,
    }
    assert everything[1]["rolleId"] == role_id
    by_person = api.call("GET", log, api.admin_a, params={"person": "06076301709"}).json()
    assert [r["requestId"] for r in by_person] == ["req-0"]
    by_role = api.call("GET", log, api.admin_a, params={"rolleId": role_id}).json()
    assert [r["requestId"] for r in by_role] == ["req-0"]
    window = api.call(
        "GET", log, api.admin_a, params={"fra": "2026-11-01T12:05:00Z", "til": "2026-11-01T13:09:00+01:00"}
    )
    assert window.json() == []
    window = api.call("GET", log, api.admin_a, params={"fra": "2026-11-01T12:05:00Z"})
    assert [r["requestId"] for r in window.json()] == ["req-10"]
    assert api.call("GET", log, api.admin_a, params={"integrasjonId": str(uuid4())}).json() == []

    assert_error(
        api.call("GET", log, api.admin_a, params={"fra": "2026-11-01T12:05:00"}), 400, "UGYLDIG_TIDSROM"
    )
    assert_error(
        api.call(
            "GET", log, api.admin_a, params={"fra": "2026-11-02T00:00:00Z", "til": "2026-11-01T00:00:00Z"}
        ),
        400,
        "UGYLDIG_TIDSROM",
    )
    assert_error(api.call("GET", log, api.operator), 403, "KUN_ORGANISASJONENS_ADMINISTRATOR")
    assert_error(api.call("GET", log, api.admin_b), 404, "ORGANISASJON_FINNES_IKKE")


def test_the_api_is_documented(api: Api) -> None:
    app = FastAPI()
    app.include_router(build_admin_router(api.service), prefix=ADMIN_PREFIX)
    schema = app.openapi()

    assert f"{ADMIN_PREFIX}/organisasjoner/{{orgnr}}/roller" in schema["paths"]
    role = schema["components"]["schemas"]["RolleUt"]["properties"]
    assert {"rolleId", "rettighetspakke", "bruksomraader", "elementer", "historikk"} <= set(role)
    assert "integrasjonPassord" in schema["components"]["schemas"]["IntegrasjonPassordUt"]["properties"]
    assert "AdministratorApiKey" in schema["components"]["securitySchemes"]


def test_the_platform_sets_an_organisations_request_rate_and_nobody_else_can(api: Api) -> None:
    path = f"/organisasjoner/{ORG_A}/forespoerselsgrense"
    by_admin = api.call("PUT", path, api.admin_a, json={"forespoerslerPerMinutt": 600_000})
    too_high = api.call("PUT", path, api.operator, json={"forespoerslerPerMinutt": 600_001})
    zero = api.call("PUT", path, api.operator, json={"forespoerslerPerMinutt": 0})
    unknown = api.call(
        "PUT",
        "/organisasjoner/111222339/forespoerselsgrense",
        api.operator,
        json={"forespoerslerPerMinutt": 5},
    )
    unchanged = api.call("GET", f"/organisasjoner/{ORG_A}", api.admin_a).json()
    set_ = api.call("PUT", path, api.operator, json={"forespoerslerPerMinutt": 6000})
    seen = api.call("GET", f"/organisasjoner/{ORG_A}", api.admin_a).json()
    back = api.call("PUT", path, api.operator, json={"forespoerslerPerMinutt": None})
    log = api.call("GET", f"/organisasjoner/{ORG_A}/endringslogg", api.admin_a).json()

    assert_error(by_admin, 403, "KREVER_OPERATOER")
    assert_error(too_high, 400, "UGYLDIG_FORESPOERSELSGRENSE")
    assert_error(zero, 400, "UGYLDIG_FORESPOERSELSGRENSE")
    assert_error(unknown, 404, "ORGANISASJON_FINNES_IKKE")
    assert unchanged["forespoerslerPerMinutt"] is None
    assert set_.status_code == 200 and set_.json()["forespoerslerPerMinutt"] == 6000
    assert seen["forespoerslerPerMinutt"] == 6000
    assert back.json()["forespoerslerPerMinutt"] is None
    changes = [entry for entry in log if entry["handling"] == "organisasjon.forespoerselsgrense"]
    # Newest first: back to the default, then the rate set; each with what it was before.
    assert [(c["foer"]["forespoerslerPerMinutt"], c["etter"]["forespoerslerPerMinutt"]) for c in changes] == [
        (6000, None),
        (None, 6000),
    ]
