"""A person's insight: who looked them up, through the API and the portal, by every organisation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from fiks_folkeregister.admin.api import ADMIN_PREFIX
from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.app import build_admin
from fiks_folkeregister.audit.log import AuditRecord
from fiks_folkeregister.register.tables import person_identifikator
from tests.gateway.conftest import ORG_A, ORG_B, Integration, ServedGateway

CONSOLE = Actor(navn="test", kind=ActorKind.CONSOLE)


@dataclass
class Looked:
    person: str
    earlier: str  # a number the person held before
    other: str  # someone else, looked up in the same bulk request
    integrations: list[Integration]
    roles: list[uuid.UUID]
    operator: dict[str, str]
    admin_a: dict[str, str]


def _person_with_an_earlier_number(served_gateway: ServedGateway) -> tuple[str, str]:
    with served_gateway.register.repository.engine.connect() as connection:
        old = connection.execute(
            select(person_identifikator).where(person_identifikator.c.gjeldende.is_(False)).limit(1)
        ).first()
        assert old is not None, "the seeded population has a person who changed identity number"
        current = connection.execute(
            select(person_identifikator.c.identifikator).where(
                person_identifikator.c.person_id == old.person_id, person_identifikator.c.gjeldende.is_(True)
            )
        ).scalar_one()
    return current, old.identifikator


@pytest.fixture(scope="module")
def looked(served_gateway: ServedGateway) -> Iterator[Looked]:
    """The person is looked up by A through the API and the portal and by B in a bulk lookup; the
    other person by B alone; a refused attempt by A gives nothing."""
    person, earlier = _person_with_an_earlier_number(served_gateway)
    other = served_gateway.examples["ordinary-adult"][1]
    integration_a, role_a = served_gateway.config.granted_role(["navn", "bostedsadresse"])
    integration_b, role_b = served_gateway.config.granted_role(["person-basis"], orgnr=ORG_B)
    client = served_gateway.client

    found = client.get(
        served_gateway.url(role_a, f"personer/{person}"),
        params=[("part", "navn")],
        headers=served_gateway.headers(integration_a),
    )
    assert found.status_code == 200, found.text
    refused = client.get(
        served_gateway.url(role_a, f"personer/{person}"),
        params=[("part", "sivilstand")],
        headers=served_gateway.headers(integration_a),
    )
    assert refused.status_code == 403
    bulk = client.post(
        served_gateway.url(role_b, "personer/bulkoppslag"),
        json={"foedselsEllerDNummer": [person, other]},
        headers=served_gateway.headers(integration_b),
    )
    assert bulk.status_code == 200, bulk.text
    alone = client.get(
        served_gateway.url(role_b, f"personer/{other}"), headers=served_gateway.headers(integration_b)
    )
    assert alone.status_code == 200
    # The portal (to come) records its lookups with kanal "portal"; an older one was under the earlier number.
    for kanal, number in (("portal", person), ("api", earlier)):
        served_gateway.audit.record(
            AuditRecord(
                tidspunkt=datetime.now(UTC),
                request_id=str(uuid.uuid4()),
                orgnr=ORG_A,
                rolle_id=role_a.id,
                integrasjon_id=None,
                klient_orgnr=None,
                ressurs="GET personer/{personidentifikator}",
                parametre={"personidentifikator": number, "part": ["bostedsadresse"]},
                personer=[number],
                utfall="ok",
                status=200,
                kanal=kanal,
            )
        )
    admin = build_admin(served_gateway.settings, served_gateway.engine)
    operator = admin.service.create_administrator(CONSOLE, "Ops").api_noekkel
    admin_a = admin.service.create_administrator(CONSOLE, "Ada", ORG_A).api_noekkel
    yield Looked(
        person,
        earlier,
        other,
        [integration_a, integration_b],
        [role_a.id, role_b.id],
        {"Authorization": f"Bearer {operator}"},
        {"Authorization": f"Bearer {admin_a}"},
    )


def test_the_operator_sees_every_lookup_of_the_person_and_nobody_else(
    served_gateway: ServedGateway, looked: Looked
) -> None:
    answer = served_gateway.client.post(
        f"{ADMIN_PREFIX}/innsyn", json={"identifikator": looked.person}, headers=looked.operator
    )

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["identifikatorer"][:1] == [looked.person]
    assert looked.earlier in report["identifikatorer"]
    consumers = [
        (e["orgnr"], e["kanal"], e["identifikator"]) for e in report["oppslag"] if e["kanal"] != "innsyn"
    ]
    assert consumers == [
        (ORG_A, "api", looked.person),
        (ORG_B, "api", looked.person),
        (ORG_A, "portal", looked.person),
        (ORG_A, "api", looked.earlier),
    ]
    first = report["oppslag"][0]
    assert first["organisasjon"] == f"Org {ORG_A}"
    assert first["bruksomraader"] == ["sok-etter-person"]
    assert first["elementer"] == ["identifikasjonsnummer", "navn"]
    assert {"navn", "bostedsadresse", "foedsel"} <= set(report["oppslag"][1]["elementer"])  # person-basis
    # the platform's own lookup of the person's numbers is accounted for too
    assert [e["orgnr"] for e in report["oppslag"] if e["kanal"] == "innsyn"] == [
        served_gateway.settings.upstream_platform_orgnr
    ]
    text = answer.text
    assert looked.other not in text
    for integration in looked.integrations:
        assert str(integration.id) not in text
    assert "requestId" not in text and "integrasjon" not in text.lower()


def test_the_letter_in_norwegian_names_organisations_and_roles_only(
    served_gateway: ServedGateway, looked: Looked
) -> None:
    html = served_gateway.client.post(
        f"{ADMIN_PREFIX}/innsyn",
        params={"format": "html"},
        json={"identifikator": looked.person},
        headers=looked.operator,
    )
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "Innsyn i oppslag i Folkeregisteret" in html.text
    assert f"Org {ORG_A}" in html.text and f"Org {ORG_B}" in html.text
    assert "Portal (saksbehandler)" in html.text and "Fagsystem" in html.text
    assert looked.person not in html.text and looked.person[:6] + " *****" in html.text
    assert looked.other not in html.text
    for integration in looked.integrations:
        assert str(integration.id) not in html.text

    pdf = served_gateway.client.post(
        f"{ADMIN_PREFIX}/innsyn",
        params={"format": "pdf"},
        json={"identifikator": looked.person},
        headers=looked.operator,
    )
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_an_organisations_administrator_sees_its_own_lookups_only(
    served_gateway: ServedGateway, looked: Looked
) -> None:
    own = served_gateway.client.post(
        f"{ADMIN_PREFIX}/organisasjoner/{ORG_A}/innsyn",
        json={"identifikator": looked.person},
        headers=looked.admin_a,
    )
    assert own.status_code == 200, own.text
    assert {e["orgnr"] for e in own.json()["oppslag"]} == {ORG_A}
    assert [e["kanal"] for e in own.json()["oppslag"] if e["kanal"] != "innsyn"] == ["api", "portal", "api"]

    other = served_gateway.client.post(
        f"{ADMIN_PREFIX}/organisasjoner/{ORG_B}/innsyn",
        json={"identifikator": looked.person},
        headers=looked.admin_a,
    )
    assert other.status_code == 404
    everyone = served_gateway.client.post(
        f"{ADMIN_PREFIX}/innsyn", json={"identifikator": looked.person}, headers=looked.admin_a
    )
    assert everyone.status_code == 403
    bad = served_gateway.client.post(
        f"{ADMIN_PREFIX}/innsyn", json={"identifikator": "12345678901"}, headers=looked.operator
    )
    assert (bad.status_code, bad.json()["errorCode"]) == (400, "UGYLDIG_IDENTIFIKATOR")


def test_someone_nobody_looked_up_gets_an_empty_report(served_gateway: ServedGateway, looked: Looked) -> None:
    nobody = served_gateway.examples["ordinary-adult"][2]

    answer = served_gateway.client.post(
        f"{ADMIN_PREFIX}/innsyn", json={"identifikator": nobody}, headers=looked.operator
    )

    assert answer.status_code == 200
    assert [e["kanal"] for e in answer.json()["oppslag"]] == ["innsyn"]
