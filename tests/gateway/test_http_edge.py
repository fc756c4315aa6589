"""Every request under the mirrored prefix goes through the pipeline and is audited once, whatever its
method or path; HEAD works where GET does; numbers are range-checked; Allow names only what a path serves."""

from __future__ import annotations

import pytest

from fiks_folkeregister.domain.rolle import Bruksomraade
from tests.gateway.conftest import ServedGateway

PREFIX = "/folkeregister/api/v1"
FEED = (Bruksomraade.HENDELSESLISTE,)


def test_head_answers_like_get_without_a_body_and_is_audited(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    adult = served_gateway.examples["ordinary-adult"][1]
    url = served_gateway.url(role, f"personer/{adult}?part=navn")

    get = served_gateway.client.get(url, headers=served_gateway.headers(integration))
    head = served_gateway.client.head(url, headers=served_gateway.headers(integration))

    assert (get.status_code, head.status_code) == (200, 200)
    assert head.content == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    record = served_gateway.audit_record(head.headers["X-Request-Id"])
    assert record["ressurs"] == "HEAD personer/{personidentifikator}"
    assert (record["utfall"], record["status"]) == ("ok", 200)
    # The answer's existence and headers are about the person: recorded as the GET would be.
    assert record["personer"] == [adult]


def test_head_of_an_unknown_person_is_the_registers_404_without_a_body(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])

    head = served_gateway.client.head(
        served_gateway.url(role, "personer/12345678901?part=navn"),
        headers=served_gateway.headers(integration),
    )

    assert head.status_code == 400 and head.content == b""
    assert served_gateway.audit_record(head.headers["X-Request-Id"])["feilkode"] == "UGYLDIG_IDENTIFIKATOR"


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "OPTIONS", "PATCH"])
def test_any_method_on_a_mirrored_path_is_a_platform_405_and_audited(
    served_gateway: ServedGateway, method: str
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    adult = served_gateway.examples["ordinary-adult"][0]
    before = served_gateway.audit_count()

    response = served_gateway.client.request(
        method, served_gateway.url(role, f"personer/{adult}"), headers=served_gateway.headers(integration)
    )

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert response.json()["errorCode"] == "METODE_IKKE_TILLATT"
    assert served_gateway.audit_count() == before + 1
    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert record["ressurs"] == f"{method} personer/{{personidentifikator}}"
    assert record["personer"] == []


@pytest.mark.parametrize(
    "path", ["/x", "/", "", "/not-a-role", "/{role}", "/{role}/v2/personer/1", "/{role}/v1", "/{role}/v1/"]
)
@pytest.mark.parametrize("method", ["GET", "TRACE"])
def test_every_path_under_the_prefix_is_answered_in_the_platform_format_and_audited(
    served_gateway: ServedGateway, path: str, method: str
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    before = served_gateway.audit_count()

    response = served_gateway.client.request(
        method, PREFIX + path.format(role=role.id), headers=served_gateway.headers(integration)
    )

    assert response.status_code == 404
    assert response.json()["errorCode"] == "UKJENT_RESSURS"
    assert served_gateway.audit_count() == before + 1
    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert (record["utfall"], record["status"], record["feilkode"]) == ("avvist", 404, "UKJENT_RESSURS")
    assert record["ressurs"].startswith(method)


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("personer/bulkoppslag", "POST"),
        ("personer/bulkoppslag/arkiv", "POST"),
        ("hendelser/bulkoppslag", "POST"),
        ("uttrekk/tilpasset", "POST"),
        ("personer/soek", "GET, HEAD"),
    ],
)
def test_a_post_only_path_is_never_taken_for_a_lookup_and_allow_lists_only_what_it_serves(
    served_gateway: ServedGateway, path: str, allow: str
) -> None:
    integration, role = served_gateway.config.granted_role(["person-basis"])
    method = "PUT" if allow != "POST" else "GET"

    response = served_gateway.client.request(
        method, served_gateway.url(role, path), headers=served_gateway.headers(integration)
    )

    assert response.status_code == 405, response.text
    assert response.headers["Allow"] == allow
    assert response.json()["errorCode"] == "METODE_IKKE_TILLATT"
    assert served_gateway.audit_record(response.headers["X-Request-Id"])["ressurs"] == f"{method} {path}"


@pytest.mark.parametrize(
    ("resource", "parameter", "value"),
    [
        ("hendelser/feed", "seq", "9223372036854775808"),
        ("hendelser/feed", "seq", "١٢٣"),
        ("hendelser/feed", "seq", "1_000"),
        ("hendelser/feed", "seq", "+5"),
        ("uttrekk/komplett", "feedsekvensnr", "99999999999999999999999"),
        ("uttrekk/00000000-0000-0000-0000-000000000000/batch/2147483648", "batchnr", None),
        ("uttrekk/00000000-0000-0000-0000-000000000000/batch/²", "batchnr", None),
    ],
)
def test_numbers_out_of_range_or_not_ascii_are_400_naming_the_parameter(
    served_gateway: ServedGateway, resource: str, parameter: str, value: str | None
) -> None:
    uses = (Bruksomraade.HENDELSESLISTE, Bruksomraade.UTTREKK)
    integration, role = served_gateway.config.granted_role(["person-basis"], bruksomraader=uses)

    response = served_gateway.client.get(
        served_gateway.url(role, resource),
        params={parameter: value} if value is not None else None,
        headers=served_gateway.headers(integration),
    )

    assert response.status_code == 400, response.text
    body = response.json()
    assert body["feilkode"] == "UGYLDIG_PARAMETER"
    assert body["feilmelding"].startswith(f"{parameter} must be")
    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert (record["status"], record["feilkode"]) == (400, "UGYLDIG_PARAMETER")


@pytest.mark.parametrize("resource", ["personer/xsd", "hendelser/xsd", "hendelser/feedxsd"])
def test_the_schema_paths_say_plainly_that_no_schema_is_offered(
    served_gateway: ServedGateway, resource: str
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])

    response = served_gateway.client.get(
        served_gateway.url(role, resource),
        headers={**served_gateway.headers(integration), "Accept": "application/xml"},
    )
    anonymous = served_gateway.client.get(served_gateway.url(role, resource))

    assert response.status_code == 501
    assert response.json()["errorCode"] == "IKKE_TILBUDT"
    assert anonymous.status_code == 401
    assert served_gateway.audit_record(response.headers["X-Request-Id"])["ressurs"] == f"GET {resource}"


@pytest.mark.parametrize("method", ["HEAD", "TRACE", "OPTIONS"])
@pytest.mark.parametrize(
    ("path", "ressurs"),
    [
        ("/register/api/v1/ks/{role}/oppvekst", "oppvekst"),
        ("/folkeregister/api/v1/oppvekst/910000009/{role}", "oppvekst/{fiksOrgId}"),
    ],
)
def test_the_oppvekst_paths_answer_every_other_method_405_and_audit_it(
    served_gateway: ServedGateway, method: str, path: str, ressurs: str
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    before = served_gateway.audit_count()

    response = served_gateway.client.request(
        method, path.format(role=role.id), headers=served_gateway.headers(integration)
    )

    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    assert served_gateway.audit_count() == before + 1
    assert served_gateway.audit_record(response.headers["X-Request-Id"])["ressurs"] == f"{method} {ressurs}"
