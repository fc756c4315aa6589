"""The mirrored API end to end: the role decides what comes back, through the embedded register."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from fiks_folkeregister.domain.identitetsnummer import check_digits
from fiks_folkeregister.domain.informasjonselementer import ALIASES, PERSON_BASIS, Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade
from fiks_folkeregister.register.tables import person
from tests.gateway.conftest import ServedGateway


def test_the_seeds_example_returns_the_address_and_the_identity_number_and_nothing_else(
    served_gateway: ServedGateway,
) -> None:
    integration, role = served_gateway.config.granted_role(["bostedsadresse", "navn"])
    adult = served_gateway.examples["ordinary-adult"][0]

    response = served_gateway.client.get(
        served_gateway.url(role, f"personer/{adult}"),
        params={"part": "bostedsadresse"},
        headers=served_gateway.headers(integration),
    )

    assert response.status_code == 200, response.text
    document = response.json()
    assert set(document) == {"bostedsadresse", "identifikasjonsnummer"}
    assert document["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == adult
    assert response.headers["content-type"] == "application/json"
    assert uuid.UUID(response.headers["X-Request-Id"])
    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert record["utfall"] == "ok" and record["status"] == 200
    assert record["personer"] == [adult]
    assert record["parametre"] == {"personidentifikator": adult, "part": ["bostedsadresse"]}


def test_no_part_with_a_full_person_basis_role_returns_person_basis(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role([PERSON_BASIS])
    adult = served_gateway.examples["ordinary-adult"][1]

    response = served_gateway.client.get(
        served_gateway.url(role, f"personer/{adult}"), headers=served_gateway.headers(integration)
    )

    assert response.status_code == 200, response.text
    assert "navn" in response.json() and set(response.json()) <= ALIASES[PERSON_BASIS]


def test_the_roles_rights_package_is_used_upstream(served_gateway: ServedGateway) -> None:
    """A fortrolig person's address reaches a med-hjemmel role, never an uten-hjemmel one."""
    fortrolig = served_gateway.examples["fortrolig"][0]
    med_integration, med_role = served_gateway.config.granted_role(["bostedsadresse"])
    uten_integration, uten_role = served_gateway.config.granted_role(
        ["bostedsadresse"], pakke=Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL
    )

    med = served_gateway.client.get(
        served_gateway.url(med_role, f"personer/{fortrolig}?part=bostedsadresse"),
        headers=served_gateway.headers(med_integration),
    )
    uten = served_gateway.client.get(
        served_gateway.url(uten_role, f"personer/{fortrolig}?part=bostedsadresse"),
        headers=served_gateway.headers(uten_integration),
    )

    assert med.status_code == uten.status_code == 200
    assert "bostedsadresse" in med.json()
    assert "bostedsadresse" not in uten.json()


def test_history_is_returned_only_when_asked_for_and_allowed(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn", "historikk"])
    renamed = served_gateway.examples["name-history"][0]
    url = served_gateway.url(role, f"personer/{renamed}")

    current = served_gateway.client.get(
        url, params={"part": "navn"}, headers=served_gateway.headers(integration)
    )
    history = served_gateway.client.get(
        url, params=[("part", "navn"), ("part", "historikk")], headers=served_gateway.headers(integration)
    )

    assert all(entry["erGjeldende"] for entry in current.json()["navn"])
    assert any(not entry["erGjeldende"] for entry in history.json()["navn"])


def test_bulkoppslag_filters_every_person_and_audits_who_was_returned(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn", "kjoenn"])
    ids = served_gateway.examples["ordinary-adult"][:3] + served_gateway.examples["d-number"][:2]

    response = served_gateway.client.post(
        served_gateway.url(role, "personer/bulkoppslag"),
        params=[("part", "navn"), ("part", "kjoenn")],
        json={"foedselsEllerDNummer": ids},
        headers=served_gateway.headers(integration),
    )

    assert response.status_code == 200, response.text
    oppslag = response.json()["oppslag"]
    assert sorted(entry["foedselsEllerDNummer"] for entry in oppslag) == sorted(ids)
    for entry in oppslag:
        assert set(entry["folkeregisterperson"]) <= {"navn", "kjoenn", "identifikasjonsnummer"}
    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert sorted(record["personer"]) == sorted(ids)
    assert record["parametre"]["foedselsEllerDNummer"] == ids
    assert record["ressurs"] == "POST personer/bulkoppslag"


def test_bulkoppslag_som_bestilt_reports_malformed_ids_in_place(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    known = served_gateway.examples["ordinary-adult"][0]
    malformed = "01010000000"  # not a valid number, so never in the register

    response = served_gateway.client.post(
        served_gateway.url(role, "personer/bulkoppslag?part=navn&somBestilt=true"),
        json={"foedselsEllerDNummer": [known, malformed]},
        headers=served_gateway.headers(integration),
    )

    # One malformed number does not refuse the rest: it is reported in place, like an unknown one.
    assert response.status_code == 200
    found, reported = response.json()["oppslag"]
    assert found["foedselsEllerDNummer"] == known and set(found["folkeregisterperson"]) <= {
        "identifikasjonsnummer",
        "navn",
    }
    assert reported["foedselsEllerDNummer"] == malformed and "feilmelding" in reported
    assert served_gateway.audit_record(response.headers["X-Request-Id"])["personer"] == [known]


def test_archived_versions_are_filtered_to_the_role(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"], bruksomraader=[Bruksomraade.UTTREKK])
    adult = served_gateway.examples["ordinary-adult"][2]
    with served_gateway.register.repository.engine.connect() as connection:
        dokid = connection.execute(
            select(person.c.dokumentidentifikator).where(person.c.foedsels_eller_d_nummer == adult)
        ).scalar_one()

    single = served_gateway.client.get(
        served_gateway.url(role, f"personer/arkiv/{dokid}?part=navn"),
        headers=served_gateway.headers(integration),
    )
    bulk = served_gateway.client.post(
        served_gateway.url(role, "personer/bulkoppslag/arkiv?part=navn"),
        json={"dokumentidentifikator": [dokid]},
        headers=served_gateway.headers(integration),
    )

    assert single.status_code == 200, single.text
    assert set(single.json()) == {"navn", "identifikasjonsnummer"}
    assert bulk.status_code == 200, bulk.text
    assert set(bulk.json()["oppslag"][0]["folkeregisterperson"]) == {"navn", "identifikasjonsnummer"}
    assert served_gateway.audit_record(single.headers["X-Request-Id"])["personer"] == [adult]
    assert served_gateway.audit_record(bulk.headers["X-Request-Id"])["personer"] == [adult]


def test_an_unknown_person_is_the_registers_404_in_the_registers_format(
    served_gateway: ServedGateway,
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    nobody = next(
        number
        for individual in range(500, 999)
        if (number := _valid("010180", individual)) and number not in _everyone(served_gateway)
    )

    response = served_gateway.client.get(
        served_gateway.url(role, f"personer/{nobody}?part=navn"), headers=served_gateway.headers(integration)
    )

    assert response.status_code == 404
    body = response.json()
    assert body["feilkode"] == "PERSON_IKKE_FUNNET" and body["httpStatus"] == 404
    assert "errorCode" not in body
    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert (record["utfall"], record["status"], record["feilkode"], record["personer"]) == (
        "feil",
        404,
        "PERSON_IKKE_FUNNET",
        [],
    )


def test_an_unknown_resource_is_refused_in_the_platform_format_and_audited(
    served_gateway: ServedGateway,
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])

    response = served_gateway.client.get(
        served_gateway.url(role, "personer/finnes/ikke/her"), headers=served_gateway.headers(integration)
    )

    long_path = served_gateway.client.post(
        served_gateway.url(role, "personer/finnes/" + "x" * 400), headers=served_gateway.headers(integration)
    )

    assert response.status_code == long_path.status_code == 404
    assert response.json()["errorCode"] == long_path.json()["errorCode"] == "UKJENT_RESSURS"
    assert served_gateway.audit_record(response.headers["X-Request-Id"])["utfall"] == "avvist"
    # Segments that are not plainly a resource name (ids, tokens, a 400-character word) are recorded as *.
    assert (
        served_gateway.audit_record(long_path.headers["X-Request-Id"])["ressurs"] == "POST personer/finnes/*"
    )


def _valid(birth: str, individual: int) -> str | None:
    digits = check_digits(f"{birth}{individual:03d}")
    return f"{birth}{individual:03d}{digits}" if digits else None


def _everyone(served_gateway: ServedGateway) -> set[str]:
    with served_gateway.register.repository.engine.connect() as connection:
        return set(connection.execute(select(person.c.foedsels_eller_d_nummer)).scalars())


def test_soek_returns_identity_numbers_only_and_audits_the_criteria(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    adult = served_gateway.examples["ordinary-adult"][0]
    named = served_gateway.client.get(
        served_gateway.url(role, f"personer/{adult}?part=navn"), headers=served_gateway.headers(integration)
    ).json()
    current = next(entry for entry in named["navn"] if entry["erGjeldende"])
    criteria = {"navn": f"{current['fornavn'].split()[0]} {current['etternavn'].split()[-1]}"}

    response = served_gateway.client.get(
        served_gateway.url(role, "personer/soek"),
        params=criteria,
        headers=served_gateway.headers(integration),
    )

    assert response.status_code == 200, response.text
    assert set(response.json()) == {"foedselsEllerDNummer"}
    assert adult in response.json()["foedselsEllerDNummer"]
    record = served_gateway.audit_record(response.headers["X-Request-Id"])
    assert record["parametre"] == criteria
    assert adult in record["personer"]


def test_soek_takes_no_part(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])

    response = served_gateway.client.get(
        served_gateway.url(role, "personer/soek?navn=Ola&part=navn"),
        headers=served_gateway.headers(integration),
    )

    assert response.status_code == 400
    assert response.json()["errorCode"] == "UGYLDIG_PARAMETER"


def test_entydigsoek_returns_the_person_filtered_to_the_role(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn", "foedsel"])
    adult = served_gateway.examples["ordinary-adult"][0]
    known = served_gateway.client.get(
        served_gateway.url(role, f"personer/{adult}?part=navn&part=foedsel"),
        headers=served_gateway.headers(integration),
    ).json()
    current = next(entry for entry in known["navn"] if entry["erGjeldende"])
    criteria = {
        "navn": f"{current['fornavn'].split()[0]} {current['etternavn'].split()[-1]}",
        "identifikasjonsnummer": adult,
    }

    response = served_gateway.client.get(
        served_gateway.url(role, "personer/entydigsoek"),
        params={**criteria, "part": "navn"},
        headers=served_gateway.headers(integration),
    )

    assert response.status_code == 200, response.text
    assert set(response.json()) == {"navn", "identifikasjonsnummer"}
    assert served_gateway.audit_record(response.headers["X-Request-Id"])["personer"] == [adult]


@pytest.mark.parametrize(
    ("criteria", "refused"),
    [
        ({"adressenavn": "Storgata", "husnummer": "1"}, ["adressenavn", "husnummer"]),
        ({"navn": "Ola Nordmann", "kommunenummer": "0301"}, ["kommunenummer"]),
        ({"navn": "Ola Nordmann", "foedselsdato": "19800101"}, ["foedselsdato"]),
        ({"navn": "Ola Nordmann", "inkluderDoede": "true"}, ["inkluderDoede"]),
    ],
)
def test_a_role_may_only_search_by_what_it_may_see(
    served_gateway: ServedGateway, criteria: dict[str, str], refused: list[str]
) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    before = served_gateway.audit_count()

    response = served_gateway.client.get(
        served_gateway.url(role, "personer/soek"),
        params=criteria,
        headers=served_gateway.headers(integration),
    )

    assert response.status_code == 403
    body = response.json()
    assert body["errorCode"] == "KRITERIUM_IKKE_TILLATT"
    assert body["errorJson"]["ikkeTillatteKriterier"] == refused
    assert served_gateway.audit_count() == before + 1
    assert served_gateway.audit_record(response.headers["X-Request-Id"])["personer"] == []


def test_historic_search_needs_the_roles_history(served_gateway: ServedGateway) -> None:
    integration, role = served_gateway.config.granted_role(["navn"])
    response = served_gateway.client.get(
        served_gateway.url(role, "personer/soek"),
        params={"navn": "Ola Nordmann", "opplysningsgrunnlag": "historisk"},
        headers=served_gateway.headers(integration),
    )
    assert response.status_code == 403
    assert response.json()["errorCode"] == "HISTORIKK_IKKE_TILLATT"


def test_the_openapi_document_lists_every_mirrored_resource(served_gateway: ServedGateway) -> None:
    paths = served_gateway.client.get("/openapi.json").json()["paths"]
    prefix = "/folkeregister/api/v1/{rolleId}/v1/"
    assert {
        f"{prefix}personer/{{personidentifikator}}",
        f"{prefix}personer/bulkoppslag",
        f"{prefix}personer/arkiv/{{dokumentidentifikator}}",
        f"{prefix}personer/bulkoppslag/arkiv",
        f"{prefix}personer/soek",
        f"{prefix}personer/entydigsoek",
    } <= set(paths)
    assert served_gateway.client.get("/health").json() == {"status": "ok"}
