"""The register's lookups over HTTP: success, minimisation, and every error a client can cause."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select

from fiks_folkeregister.register.tables import person
from tests.contract import validate_against_spec
from tests.register.conftest import MED, UTEN, ServedRegister

MED_PKG = "offentlig-med-hjemmel"
UTEN_PKG = "offentlig-uten-hjemmel"


def _first(served: ServedRegister, category: str) -> str:
    assert served.examples.get(category), f"the seeded population has no {category}"
    return served.examples[category][0]


def _current_dokid(served: ServedRegister, number: str) -> str:
    with served.repository.engine.connect() as connection:
        return connection.execute(
            select(person.c.dokumentidentifikator).where(person.c.foedsels_eller_d_nummer == number)
        ).scalar_one()


def test_lookup_of_one_part_returns_that_part_and_the_identity_number_only(
    served_register: ServedRegister,
) -> None:
    number = _first(served_register, "ordinary-adult")
    response = served_register.client.get(
        served_register.url(MED_PKG, f"personer/{number}"),
        params={"part": "bostedsadresse"},
        headers=served_register.auth(MED),
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"identifikasjonsnummer", "bostedsadresse"}
    assert body["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == number
    assert all(entry["erGjeldende"] for entry in body["bostedsadresse"])


def test_lookup_without_part_returns_person_basis_that_validates_against_the_spec(
    served_register: ServedRegister, register_spec: dict
) -> None:
    number = _first(served_register, "married-couple")
    response = served_register.client.get(
        served_register.url(MED_PKG, f"personer/{number}"), headers=served_register.auth(MED)
    )
    assert response.status_code == 200
    body = response.json()
    assert {"navn", "foedsel", "kjoenn", "status", "identifikasjonsnummer", "sivilstand"} <= set(body)
    assert "familierelasjon" not in body
    validate_against_spec(register_spec, "Folkeregisterperson", body)


def test_history_is_returned_only_with_historikk(served_register: ServedRegister) -> None:
    number = _first(served_register, "name-history")
    url = served_register.url(MED_PKG, f"personer/{number}")
    current = served_register.client.get(
        url, params={"part": "navn"}, headers=served_register.auth(MED)
    ).json()
    full = served_register.client.get(
        url, params=[("part", "navn"), ("part", "historikk")], headers=served_register.auth(MED)
    ).json()
    assert all(entry["erGjeldende"] for entry in current["navn"])
    assert any(not entry["erGjeldende"] for entry in full["navn"])


def test_relations_are_confidential_for_offentlig_uten_hjemmel(served_register: ServedRegister) -> None:
    number = _first(served_register, "parent-with-foreldreansvar")
    params = [("part", "relasjon-utvidet"), ("part", "navn")]
    med = served_register.client.get(
        served_register.url(MED_PKG, f"personer/{number}"), params=params, headers=served_register.auth(MED)
    ).json()
    uten = served_register.client.get(
        served_register.url(UTEN_PKG, f"personer/{number}"), params=params, headers=served_register.auth(UTEN)
    ).json()
    assert med["familierelasjon"]
    assert "familierelasjon" not in uten and "foreldreansvar" not in uten
    assert uten["navn"] == med["navn"]


def test_strengt_fortrolig_address_is_never_given_out(served_register: ServedRegister) -> None:
    number = _first(served_register, "strengt-fortrolig")
    for package, scope in ((MED_PKG, MED), (UTEN_PKG, UTEN)):
        body = served_register.client.get(
            served_register.url(package, f"personer/{number}"),
            params=[("part", "person-basis"), ("part", "historikk")],
            headers=served_register.auth(scope),
        ).json()
        for element in ("bostedsadresse", "oppholdsadresse", "deltBosted", "postadresse"):
            for entry in body.get(element, []):
                assert entry["adressegradering"] != "strengtFortrolig"
        assert body["adressebeskyttelse"][0]["graderingsnivaa"] == "strengtFortrolig"


def test_fortrolig_address_reaches_med_hjemmel_but_not_uten_hjemmel(served_register: ServedRegister) -> None:
    number = _first(served_register, "fortrolig")
    med = served_register.client.get(
        served_register.url(MED_PKG, f"personer/{number}"), headers=served_register.auth(MED)
    ).json()
    uten = served_register.client.get(
        served_register.url(UTEN_PKG, f"personer/{number}"), headers=served_register.auth(UTEN)
    ).json()
    assert any(entry["adressegradering"] == "fortrolig" for entry in med.get("bostedsadresse", []))
    assert "bostedsadresse" not in uten


@pytest.mark.parametrize(
    ("identifier", "status", "code"),
    [
        ("123", 400, "UGYLDIG_IDENTIFIKATOR"),
        ("abcdefghijk", 400, "UGYLDIG_IDENTIFIKATOR"),
        ("01018012345", 400, "UGYLDIG_IDENTIFIKATOR"),
    ],
)
def test_malformed_identity_numbers_are_400(
    served_register: ServedRegister, identifier: str, status: int, code: str
) -> None:
    response = served_register.client.get(
        served_register.url(MED_PKG, f"personer/{identifier}"), headers=served_register.auth(MED)
    )
    assert response.status_code == status
    assert response.json()["feilkode"] == code
    assert response.json()["httpStatus"] == status


def test_unknown_person_is_404_in_the_registers_error_format(
    served_register: ServedRegister, register_spec: dict
) -> None:
    unknown = (
        "01019900041"  # valid check digits; a real-format number, so never in the synthetic (+80) population
    )
    from fiks_folkeregister.domain.identitetsnummer import is_valid

    assert is_valid(unknown)
    response = served_register.client.get(
        served_register.url(MED_PKG, f"personer/{unknown}"), headers=served_register.auth(MED)
    )
    assert response.status_code == 404
    body = response.json()
    assert body["feilkode"] == "PERSON_IKKE_FUNNET"
    validate_against_spec(register_spec, "FolkeregisterFeilmelding", body)


def test_unknown_part_is_400_naming_every_unknown_part(
    served_register: ServedRegister, register_spec: dict
) -> None:
    number = _first(served_register, "ordinary-adult")
    response = served_register.client.get(
        served_register.url(MED_PKG, f"personer/{number}"),
        params=[("part", "navn"), ("part", "skostoerrelse"), ("part", "hobby")],
        headers=served_register.auth(MED),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["feilkode"] == "UGYLDIG_PART"
    assert "skostoerrelse" in body["feilmelding"] and "hobby" in body["feilmelding"]
    validate_against_spec(register_spec, "FolkeregisterFeilmelding", body)


def test_missing_and_refused_tokens_are_401(served_register: ServedRegister) -> None:
    url = served_register.url(MED_PKG, f"personer/{_first(served_register, 'ordinary-adult')}")
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = served_register.client.get(url, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["feilkode"] in {"MANGLER_AUTENTISERING", "UGYLDIG_TOKEN"}


def test_expired_token_is_401(served_register: ServedRegister) -> None:
    url = served_register.url(MED_PKG, f"personer/{_first(served_register, 'ordinary-adult')}")
    expired = served_register.token(MED, age_seconds=600)
    response = served_register.client.get(url, headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["feilmelding"].lower()


def test_token_signed_by_a_foreign_key_is_401(served_register: ServedRegister, tmp_path) -> None:
    from fiks_folkeregister.app import build_token_issuer
    from fiks_folkeregister.settings import Settings

    foreign = build_token_issuer(Settings(data_dir=tmp_path))
    token = foreign.issue("910000004", [MED], client_id="intruder")
    url = served_register.url(MED_PKG, f"personer/{_first(served_register, 'ordinary-adult')}")
    response = served_register.client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_token_for_the_other_package_is_403(served_register: ServedRegister) -> None:
    url = served_register.url(MED_PKG, f"personer/{_first(served_register, 'ordinary-adult')}")
    response = served_register.client.get(url, headers=served_register.auth(UTEN))
    assert response.status_code == 403
    assert MED in response.json()["feilmelding"]


def test_unsupported_accept_is_406(served_register: ServedRegister) -> None:
    url = served_register.url(MED_PKG, f"personer/{_first(served_register, 'ordinary-adult')}")
    response = served_register.client.get(url, headers={**served_register.auth(MED), "Accept": "text/csv"})
    assert response.status_code == 406


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("application/json;q=0.0", 406),
        ("application/json;q=0, text/csv", 406),
        ("text/csv;q=1, */*;q=0.1", 200),
    ],
)
def test_accept_is_read_with_its_quality_values(
    served_register: ServedRegister, accept: str, status: int
) -> None:
    # q=0.0 is "not this" as much as q=0 is (the register's earlier reading of Accept let it through).
    url = served_register.url(MED_PKG, f"personer/{_first(served_register, 'ordinary-adult')}")
    response = served_register.client.get(url, headers={**served_register.auth(MED), "Accept": accept})
    assert response.status_code == status
    if status == 406:
        assert response.json()["feilkode"] == "IKKE_STOETTET_FORMAT"


def test_unknown_rights_package_is_404(served_register: ServedRegister) -> None:
    response = served_register.client.get(
        served_register.url("privat", f"personer/{_first(served_register, 'ordinary-adult')}"),
        headers=served_register.auth(MED),
    )
    assert response.status_code == 404
    assert response.json()["feilkode"] == "UKJENT_RETTIGHETSPAKKE"


def test_bulkoppslag_returns_each_known_person_once(
    served_register: ServedRegister, register_spec: dict
) -> None:
    numbers = [served_register.examples[c][0] for c in ("ordinary-adult", "married-couple", "deceased")]
    response = served_register.client.post(
        served_register.url(MED_PKG, "personer/bulkoppslag"),
        json={"foedselsEllerDNummer": [*numbers, numbers[0], "01019900041"]},
        params={"part": "navn"},
        headers=served_register.auth(MED),
    )
    assert response.status_code == 200
    body = response.json()
    validate_against_spec(register_spec, "PersonBulkoppslagResponse", body)
    returned = [entry["foedselsEllerDNummer"] for entry in body["oppslag"]]
    assert sorted(returned) == sorted(numbers)
    assert all(
        set(entry["folkeregisterperson"]) == {"identifikasjonsnummer", "navn"} for entry in body["oppslag"]
    )


def test_bulkoppslag_som_bestilt_keeps_order_duplicates_and_reports_unknown_in_place(
    served_register: ServedRegister,
) -> None:
    first, second = served_register.examples["ordinary-adult"][:2]
    asked = [second, "01019900041", first, second]
    response = served_register.client.post(
        served_register.url(MED_PKG, "personer/bulkoppslag"),
        json={"foedselsEllerDNummer": asked},
        params={"somBestilt": "true"},
        headers=served_register.auth(MED),
    )
    oppslag = response.json()["oppslag"]
    assert [entry["foedselsEllerDNummer"] for entry in oppslag] == asked
    assert "feilmelding" in oppslag[1] and "folkeregisterperson" not in oppslag[1]
    assert oppslag[0]["folkeregisterperson"] == oppslag[3]["folkeregisterperson"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"", "application/json", 400, "UGYLDIG_FORESPOERSEL"),
        (b"{not json", "application/json", 400, "UGYLDIG_JSON"),
        (b'{"foedselsEllerDNummer": []}', "application/json", 400, "UGYLDIG_FORESPOERSEL"),
        (b'{"foedselsEllerDNummer": "01019900041"}', "application/json", 400, "UGYLDIG_FORESPOERSEL"),
        (b'{"annet": ["01019900041"]}', "application/json", 400, "UGYLDIG_FORESPOERSEL"),
        (
            orjson.dumps({"foedselsEllerDNummer": ["01019900041"] * 1001}),
            "application/json",
            400,
            "FOR_MANGE_IDENTIFIKATORER",
        ),
        (b'{"foedselsEllerDNummer": ["01019900041"]}', "text/plain", 415, "IKKE_STOETTET_INNHOLD"),
    ],
)
def test_bad_bulk_bodies_get_clear_errors_and_change_nothing(
    served_register: ServedRegister, body: bytes, content_type: str, status: int, code: str
) -> None:
    before = served_register.repository.count_persons()
    response = served_register.client.post(
        served_register.url(MED_PKG, "personer/bulkoppslag"),
        content=body,
        headers={**served_register.auth(MED), "Content-Type": content_type},
    )
    assert response.status_code == status
    assert response.json()["feilkode"] == code
    assert served_register.repository.count_persons() == before


def test_archived_version_by_dokumentidentifikator(
    served_register: ServedRegister, register_spec: dict
) -> None:
    number = _first(served_register, "ordinary-adult")
    dokid = _current_dokid(served_register, number)
    response = served_register.client.get(
        served_register.url(MED_PKG, f"personer/arkiv/{dokid}"),
        params={"part": "navn"},
        headers=served_register.auth(MED),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == number
    validate_against_spec(register_spec, "Folkeregisterperson", body)
    missing = served_register.client.get(
        served_register.url(MED_PKG, "personer/arkiv/00000000-0000-4000-8000-000000000000"),
        headers=served_register.auth(MED),
    )
    assert missing.status_code == 404


def test_bulk_archive_lookup(served_register: ServedRegister) -> None:
    numbers = served_register.examples["ordinary-adult"][:3]
    dokids = [_current_dokid(served_register, number) for number in numbers]
    response = served_register.client.post(
        served_register.url(MED_PKG, "personer/bulkoppslag/arkiv"),
        json={"dokumentidentifikator": [*dokids, "unknown-document"]},
        headers=served_register.auth(MED),
    )
    assert response.status_code == 200
    oppslag = response.json()["oppslag"]
    assert [entry["dokumentidentifikator"] for entry in oppslag] == dokids
    assert [entry["foedselsEllerDNummer"] for entry in oppslag] == numbers


def test_the_register_serves_an_openapi_document(served_register: ServedRegister) -> None:
    document = served_register.client.get("/openapi.json").json()
    assert "/folkeregisteret/{rettighetspakke}/api/v1/personer/{personidentifikator}" in document["paths"]
