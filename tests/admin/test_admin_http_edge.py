"""The admin API at the HTTP edge: whatever a caller sends, the answer is in the platform error format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.app import build_gateway_app
from fiks_folkeregister.settings import Settings

PLATFORM_FIELDS = {"timestamp", "status", "error", "errorId", "path", "message", "errorCode", "errorJson"}
ADMIN = "/admin/api/v1"


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    data_dir: Path = tmp_path_factory.mktemp("admin-edge")
    app = build_gateway_app(Settings(data_dir=data_dir, extract_worker=False))
    service = app.state.gateway.admin.service
    key = service.create_administrator(Actor(navn="cli:test", kind=ActorKind.CONSOLE), "Ops").api_noekkel
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {key}"}
    app.state.gateway.engine.dispose()


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b"{not json", b"\xff\xfe\x00", b'{"orgnr": "921234562", "navn": "A"'],
)
def test_an_unparsable_body_is_a_400_in_the_platform_format(
    admin: tuple[TestClient, dict[str, str]], body: bytes
) -> None:
    client, operator = admin

    response = client.post(
        f"{ADMIN}/organisasjoner", content=body, headers={**operator, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert set(response.json()) == PLATFORM_FIELDS
    assert response.json()["errorCode"] == "UGYLDIG_FORESPOERSEL"


@pytest.mark.parametrize("limit", ["1_000", "+5", " 12", "١٢", "²", "0", "10001"])
def test_a_limit_is_ascii_digits_within_its_range(
    admin: tuple[TestClient, dict[str, str]], limit: str
) -> None:
    client, operator = admin

    response = client.get(f"{ADMIN}/endringslogg", params={"limit": limit}, headers=operator)

    assert response.status_code == 400
    assert response.json()["errorCode"] == "UGYLDIG_FORESPOERSEL"
    assert "limit" in response.json()["message"]


def test_a_plain_limit_is_accepted(admin: tuple[TestClient, dict[str, str]]) -> None:
    client, operator = admin

    assert client.get(f"{ADMIN}/endringslogg", params={"limit": "10"}, headers=operator).status_code == 200


def test_unknown_paths_and_methods_under_the_admin_api_answer_in_the_platform_format(
    admin: tuple[TestClient, dict[str, str]],
) -> None:
    client, operator = admin

    unknown = client.get(f"{ADMIN}/finnes-ikke", headers=operator)
    wrong_method = client.put(f"{ADMIN}/organisasjoner", headers=operator)

    assert unknown.status_code == 404 and unknown.json()["errorCode"] == "UKJENT_RESSURS"
    assert wrong_method.status_code == 405 and wrong_method.json()["errorCode"] == "METODE_IKKE_TILLATT"
    assert "POST" in wrong_method.headers["Allow"]
    assert set(unknown.json()) == set(wrong_method.json()) == PLATFORM_FIELDS


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_declared_json_is_a_415_in_the_platform_format(
    admin: tuple[TestClient, dict[str, str]], content_type: str | None
) -> None:
    client, operator = admin
    headers = {**operator, **({"Content-Type": content_type} if content_type else {})}

    response = client.post(f"{ADMIN}/organisasjoner", content=b'{"orgnr": "921234562"}', headers=headers)

    assert response.status_code == 415
    assert set(response.json()) == PLATFORM_FIELDS
    assert response.json()["errorCode"] == "UGYLDIG_INNHOLDSTYPE"
    assert response.json()["errorJson"] is None
    assert response.headers["X-Request-Id"] == response.json()["errorId"]
    listed = client.get(f"{ADMIN}/organisasjoner", headers=operator).json()
    assert "921234562" not in {organisation["orgnr"] for organisation in listed}  # nothing was written


def test_the_served_gateway_answers_the_konfigurasjon_api_before_its_mirrored_paths(
    admin: tuple[TestClient, dict[str, str]],
) -> None:
    client, operator = admin

    served = client.get("/folkeregister/api/v1/konfigurasjon/tjenesteomrader", headers=operator)
    refused = client.get("/folkeregister/api/v1/konfigurasjon/tjenesteomrader")

    assert served.status_code == 200
    assert len(served.json()["omrader"]) == 12
    assert refused.status_code == 401
    assert set(refused.json()) == PLATFORM_FIELDS
