"""The register's contract at the edge: methods and Allow, schema paths, bare numbers, per-entry errors."""

from __future__ import annotations

import pytest

from tests.contract import validate_against_spec
from tests.register.conftest import MED, ServedRegister

MED_PKG = "offentlig-med-hjemmel"


@pytest.mark.parametrize(
    ("method", "resource", "allow"),
    [
        ("GET", "personer/bulkoppslag", "POST"),
        ("PUT", "personer/bulkoppslag", "POST"),
        ("GET", "personer/bulkoppslag/arkiv", "POST"),
        ("GET", "hendelser/bulkoppslag", "POST"),
        ("GET", "uttrekk/tilpasset", "POST"),
        ("DELETE", "personer/01019900041", "GET"),
        ("POST", "hendelser/feed", "GET"),
        ("TRACE", "personer/soek", "GET"),
    ],
)
def test_a_method_a_path_does_not_serve_is_405_with_allow_naming_only_what_it_serves(
    served_register: ServedRegister, method: str, resource: str, allow: str
) -> None:
    response = served_register.client.request(
        method, served_register.url(MED_PKG, resource), headers=served_register.auth(MED)
    )

    assert response.status_code == 405, response.text
    assert response.headers["Allow"] == allow
    assert response.json()["feilkode"] == "METODE_IKKE_TILLATT"


@pytest.mark.parametrize("resource", ["personer/xsd", "hendelser/xsd", "hendelser/feedxsd"])
@pytest.mark.parametrize("accept", ["application/xml", "application/json"])
def test_the_schema_paths_say_plainly_that_no_schema_is_offered(
    served_register: ServedRegister, resource: str, accept: str
) -> None:
    response = served_register.client.get(
        served_register.url(MED_PKG, resource), headers={**served_register.auth(MED), "Accept": accept}
    )
    anonymous = served_register.client.get(served_register.url(MED_PKG, resource))

    assert response.status_code == 501
    assert response.json()["feilkode"] == "IKKE_TILBUDT"
    assert "JSON only" in response.json()["feilmelding"]
    assert anonymous.status_code == 401


def test_siste_sekvensnummer_is_a_bare_number_as_the_spec_declares(
    served_register: ServedRegister, register_spec: dict
) -> None:
    response = served_register.client.get(
        served_register.url(MED_PKG, "hendelser/siste/sekvensnummer"), headers=served_register.auth(MED)
    )

    declared = register_spec["paths"]["/v1/hendelser/siste/sekvensnummer"]["get"]["responses"]["200"]
    assert declared["content"]["application/json"]["schema"] == {"type": "integer", "format": "int64"}
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert type(response.json()) is int and response.json() >= 0


@pytest.mark.parametrize("malformed", ["123", "0101990004", "٠١٠١٩٩٠٠٠٤١", "01019900041x", ""])
def test_a_malformed_number_in_a_bulk_lookup_is_answered_like_an_unknown_one(
    served_register: ServedRegister, register_spec: dict, malformed: str
) -> None:
    first, second = served_register.examples["ordinary-adult"][:2]
    asked = [first, malformed, second]

    ordered = served_register.client.post(
        served_register.url(MED_PKG, "personer/bulkoppslag"),
        json={"foedselsEllerDNummer": asked},
        params={"somBestilt": "true", "part": "navn"},
        headers=served_register.auth(MED),
    )
    found = served_register.client.post(
        served_register.url(MED_PKG, "personer/bulkoppslag"),
        json={"foedselsEllerDNummer": asked},
        params={"part": "navn"},
        headers=served_register.auth(MED),
    )

    assert ordered.status_code == found.status_code == 200
    oppslag = ordered.json()["oppslag"]
    assert [entry["foedselsEllerDNummer"] for entry in oppslag] == asked
    assert "feilmelding" in oppslag[1] and "folkeregisterperson" not in oppslag[1]
    assert "folkeregisterperson" in oppslag[0] and "folkeregisterperson" in oppslag[2]
    assert sorted(e["foedselsEllerDNummer"] for e in found.json()["oppslag"]) == sorted([first, second])
    validate_against_spec(register_spec, "PersonBulkoppslagResponse", ordered.json())


@pytest.mark.parametrize(
    ("resource", "params", "parameter"),
    [
        ("hendelser/feed", {"seq": "9223372036854775808"}, "seq"),
        ("hendelser/feed", {"seq": "١"}, "seq"),
        ("uttrekk/komplett", {"feedsekvensnr": "18446744073709551616"}, "feedsekvensnr"),
        ("uttrekk/00000000-0000-0000-0000-000000000000/batch/2147483648", {}, "batchnr"),
        ("personer/soek", {"navn": "Ola Nordmann", "maksTreff": "1_0"}, "maksTreff"),
        ("personer/soek", {"navn": "Ola Nordmann", "foedselsaarFraOgMed": "١٩٨٠"}, "foedselsaarFraOgMed"),
    ],
)
def test_numbers_out_of_range_or_not_ascii_are_400_naming_the_parameter(
    served_register: ServedRegister, resource: str, params: dict[str, str], parameter: str
) -> None:
    response = served_register.client.get(
        served_register.url(MED_PKG, resource), params=params, headers=served_register.auth(MED)
    )

    assert response.status_code == 400, response.text
    assert response.json()["feilkode"] == "UGYLDIG_PARAMETER"
    assert response.json()["feilmelding"].startswith(parameter)
