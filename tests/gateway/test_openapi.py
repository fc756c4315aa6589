"""The gateway's OpenAPI document is valid and truthful, and its documentation pages work offline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from fiks_folkeregister.admin.api import ADMIN_PREFIX
from fiks_folkeregister.app import build_gateway_app, build_register_app
from fiks_folkeregister.domain.identitetsnummer import check_digits
from fiks_folkeregister.gateway.oppvekst import DEPRECATED_PATH as OPPVEKST_DEPRECATED_PATH
from fiks_folkeregister.gateway.oppvekst import OPPVEKST, OPPVEKST_DEPRECATED
from fiks_folkeregister.gateway.oppvekst import PATH as OPPVEKST_PATH
from fiks_folkeregister.gateway.resources import RESOURCES
from fiks_folkeregister.settings import Settings
from tests.gateway.conftest import ServedGateway

PREFIX = "/folkeregister/api/v1/{rolleId}/v1/"
MIRRORED_SCHEMES = {"maskinporten", "integrasjonId", "integrasjonPassord"}
EVERY_OPERATION_ERRORS = {"400", "401", "403", "404", "406", "429", "500", "502", "503", "504"}


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    """The gateway's and the embedded register's apps over an empty data directory."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("docs"), extract_worker=False)
    built: list[FastAPI] = [build_gateway_app(settings), build_register_app(settings)]
    with TestClient(built[0]) as gateway, TestClient(built[1]) as register:
        yield {"gateway": gateway, "register": register}


@pytest.fixture(scope="module")
def document(apps: dict[str, TestClient]) -> dict[str, Any]:
    return dict(apps["gateway"].get("/openapi.json").json())


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} is not a reference within the document"
    node: Any = document
    for name in ref[2:].split("/"):
        name = name.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and name in node, f"{ref} does not resolve"
        node = node[name]
    return node


def test_the_gateway_openapi_document_is_valid_and_every_reference_resolves(document: dict[str, Any]) -> None:
    validate(document)  # OpenAPI 3.1, with its JSON Schema dialect
    found = set(refs(document))
    assert "#/components/schemas/Folkeregisterperson" in found
    for ref in found:
        resolve(document, ref)
    schemes = set(document["components"]["securitySchemes"])
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for requirement in operation.get("security", []):
                assert set(requirement) <= schemes, f"{method} {path} names an undefined security scheme"


def test_every_mirrored_operation_states_its_security_answer_and_errors(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["maskinporten"] == {
        **document["components"]["securitySchemes"]["maskinporten"],
        "type": "http",
        "scheme": "bearer",
    }
    served = [(PREFIX + resource.path, resource) for resource in RESOURCES]
    served += [(OPPVEKST_PATH, OPPVEKST), (OPPVEKST_DEPRECATED_PATH, OPPVEKST_DEPRECATED)]
    for path, resource in served:
        operation = document["paths"][path][resource.method.lower()]
        assert operation["security"] == [{scheme: [] for scheme in MIRRORED_SCHEMES}], resource.name
        responses = operation["responses"]
        if not resource.offered:  # a schema path of the register: JSON only here
            assert "200" not in responses and "501" in responses, resource.name
            continue
        assert responses["200"]["content"]["application/json"]["schema"], resource.name
        expected = EVERY_OPERATION_ERRORS | ({"413", "415"} if resource.takes_body else set())
        assert expected <= set(responses), f"{resource.name} lacks {expected - set(responses)}"
        for status in expected:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert "#/components/schemas/PlattformFeilmelding" in set(refs(schema)), (resource.name, status)
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert not headers & {"IntegrasjonId", "IntegrasjonPassord"}  # security schemes, not parameters


def _schema_of(document: dict[str, Any], path: str, method: str, status: int) -> Draft202012Validator:
    content = document["paths"][PREFIX + path][method]["responses"][str(status)]["content"]
    # The components go along, so the schema's `#/components/…` references resolve inside it.
    return Draft202012Validator(
        {**content["application/json"]["schema"], "components": document["components"]}
    )


def test_the_admin_apis_body_taking_operations_document_the_415_they_answer(
    document: dict[str, Any], apps: dict[str, TestClient]
) -> None:
    admin = {
        (method, path): op
        for path, operations in document["paths"].items()
        if path.startswith(ADMIN_PREFIX + "/")
        for method, op in operations.items()
    }
    with_body = {key for key, op in admin.items() if "requestBody" in op}
    assert (
        len(with_body) >= 7
    )  # organisations, rate, roles (new, changed), integrations, users, administrators

    documented = {key for key, op in admin.items() if "415" in op["responses"]}
    assert documented == with_body
    for key in with_body:
        schema = admin[key]["responses"]["415"]["content"]["application/json"]["schema"]
        assert resolve(document, schema["$ref"]) == document["components"]["schemas"]["AdminFeilmelding"]
        assert "UGYLDIG_INNHOLDSTYPE" in admin[key]["responses"]["415"]["description"]
        # … and it is the answer: a body that is not JSON (no key needed to find that out).
        method, path = key
        url = re.sub(r"\{[^}]+\}", "x", path)
        answer = apps["gateway"].request(
            method.upper(), url, content=b"a", headers={"Content-Type": "text/plain"}
        )
        assert (answer.status_code, answer.json()["errorCode"]) == (415, "UGYLDIG_INNHOLDSTYPE"), key


def test_real_answers_match_the_documented_schemas(served_gateway: ServedGateway) -> None:
    document = served_gateway.client.get("/openapi.json").json()
    integration, role = served_gateway.config.granted_role(["person-basis", "bostedsadresse"])
    headers = served_gateway.headers(integration)
    adult = served_gateway.examples["ordinary-adult"][0]
    # most likely nobody's number: the bulk answer then holds an entry with `feilmelding` too
    unknown = next(f"010190{n}{d}" for n in range(900, 999) if (d := check_digits(f"010190{n}")))
    person = "personer/{personidentifikator}"
    calls = [
        (
            person,
            "get",
            served_gateway.client.get(served_gateway.url(role, f"personer/{adult}"), headers=headers),
        ),
        (
            "personer/bulkoppslag",
            "post",
            served_gateway.client.post(
                served_gateway.url(role, "personer/bulkoppslag"),
                json={"foedselsEllerDNummer": [adult, unknown]},
                headers=headers,
            ),
        ),
        (
            person,
            "get",
            served_gateway.client.get(
                served_gateway.url(role, f"personer/{adult}?part=legitimasjonsdokument"), headers=headers
            ),
        ),
        (person, "get", served_gateway.client.get(served_gateway.url(role, f"personer/{adult}"))),
        (
            person,
            "get",
            served_gateway.client.get(
                served_gateway.url(role, f"personer/{adult}"), headers={**headers, "Accept": "text/csv"}
            ),
        ),
        (
            "personer/bulkoppslag",
            "post",
            served_gateway.client.post(
                served_gateway.url(role, "personer/bulkoppslag"), content=b"x", headers=headers
            ),
        ),
    ]

    calls.append(
        (
            person,
            "get",
            served_gateway.client.get(served_gateway.url(role, f"personer/{unknown}"), headers=headers),
        )
    )

    assert [response.status_code for _, _, response in calls] == [200, 200, 403, 401, 406, 415, 404]
    assert "feilkode" in calls[-1][2].json()  # the register's own format, passed through
    for path, method, response in calls:
        validator = _schema_of(document, path, method, response.status_code)
        problems = [error.message for error in validator.iter_errors(response.json())]
        assert not problems, (path, response.status_code, problems[:3])


@pytest.mark.parametrize("app", ["gateway", "register"])
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_documentation_pages_load_nothing_from_elsewhere(
    apps: dict[str, TestClient], app: str, page: str
) -> None:
    client = apps[app]
    html = client.get(page)

    assert html.status_code == 200
    assert not re.search(r"https?://|//cdn|fonts\.googleapis", html.text), "the page must work offline"
    urls = re.findall(r"""(?:src|href|spec-url)=["']([^"']+)["']|url: ?["']([^"']+)["']""", html.text)
    local = {url for pair in urls for url in pair if url}
    assert "/openapi.json" in local and any(url.endswith(".js") for url in local)
    for url in local:
        assert url.startswith("/") and not url.startswith("//"), url
        assert client.get(url).status_code == 200, url


def test_the_swagger_ui_files_come_from_an_installed_package(apps: dict[str, TestClient]) -> None:
    import fastapi_offline

    served = apps["gateway"].get("/docs-assets/swagger-ui-bundle.js")
    shipped = Path(fastapi_offline.__file__).parent / "static" / "swagger-ui-bundle.js"
    assert served.status_code == 200 and served.content == shipped.read_bytes()
