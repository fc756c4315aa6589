"""Events and extracts through the gateway: usage areas, the role's rights package, ownership, audit."""

from __future__ import annotations

from datetime import date

import pytest

from fiks_folkeregister.domain.informasjonselementer import ELEMENTS, Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade
from fiks_folkeregister.register.simulator import Simulator
from fiks_folkeregister.register.uttrekk.worker import ExtractWorker
from tests.gateway.conftest import ORG_B, ServedGateway

FEED = (Bruksomraade.HENDELSESLISTE,)
EXTRACT = (Bruksomraade.UTTREKK,)
BASIS = ["person-basis"]


@pytest.fixture(scope="module")
def gateway(served_gateway: ServedGateway) -> ServedGateway:
    """Events written in this process to the served register's database (no served process works extract
    jobs: the tests do, with `work`, to see jobs still waiting)."""
    served_gateway.register.service.hendelser.log.simulate(Simulator(5, date(2026, 11, 1)), 1200)
    return served_gateway


def work(gateway: ServedGateway) -> None:
    ExtractWorker(gateway.register.service.uttrekk).work_pending()


def test_the_feed_needs_the_usage_area_hendelsesliste(gateway: ServedGateway) -> None:
    integration, search_role = gateway.config.granted_role(BASIS)
    response = gateway.client.get(
        gateway.url(search_role, "hendelser/feed"), params={"seq": 1}, headers=gateway.headers(integration)
    )
    assert response.status_code == 403
    assert response.json()["errorCode"] == "BRUKSOMRAADE_MANGLER"
    integration, role = gateway.config.granted_role(ELEMENTS, bruksomraader=FEED)
    response = gateway.client.get(
        gateway.url(role, "hendelser/feed"), params={"seq": 1}, headers=gateway.headers(integration)
    )
    assert response.status_code == 200
    page = response.json()
    assert [e["sekvensnummer"] for e in page] == list(range(1, 1001))  # a role holding every element
    record = gateway.audit_record(response.headers["X-Request-Id"])
    assert record["personer"] and record["ressurs"] == "GET hendelser/feed"
    latest = gateway.client.get(
        gateway.url(role, "hendelser/siste/sekvensnummer"), headers=gateway.headers(integration)
    ).json()
    assert type(latest) is int and latest >= 1200  # a bare JSON number, as the spec declares
    beyond = gateway.client.get(
        gateway.url(role, "hendelser/feed"),
        params={"seq": latest + 1},
        headers=gateway.headers(integration),
    )
    assert beyond.json() == []
    bad = gateway.client.get(
        gateway.url(role, "hendelser/feed"), params={"seq": "-1"}, headers=gateway.headers(integration)
    )
    assert bad.status_code == 400


def test_event_documents_are_cut_to_the_role(gateway: ServedGateway) -> None:
    integration, role = gateway.config.granted_role(["navn", "bostedsadresse"], bruksomraader=FEED)
    page = gateway.client.get(
        gateway.url(role, "hendelser/feed"), params={"seq": 1}, headers=gateway.headers(integration)
    ).json()
    ids = [e["hendelse"]["hendelsesdokument"] for e in page[:200]]
    response = gateway.client.post(
        gateway.url(role, "hendelser/bulkoppslag"),
        json={"dokumentidentifikator": ids},
        headers=gateway.headers(integration),
    )
    assert response.status_code == 200
    documents = response.json()
    assert len(documents) == len(ids)
    entities = {e["entitet"] for d in documents for e in d["hendelse"]["egenskapshendelse"]}
    assert entities <= {"navn", "bostedsadresse", "identifikasjonsnummer"}
    assert "bostedsadresse" in entities
    one = gateway.client.get(gateway.url(role, f"hendelser/{ids[0]}"), headers=gateway.headers(integration))
    assert one.status_code == 200 and one.json()["dokumentidentifikator"] == ids[0]


def test_uten_hjemmel_roles_get_no_event_documents(gateway: ServedGateway) -> None:
    integration, role = gateway.config.granted_role(
        ["navn"], pakke=Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL, bruksomraader=FEED
    )
    page = gateway.client.get(
        gateway.url(role, "hendelser/feed"), params={"seq": 1}, headers=gateway.headers(integration)
    ).json()
    assert page and not any(e["hendelse"]["hendelsetype"] == "endringIFamilierelasjon" for e in page)
    one = gateway.client.get(
        gateway.url(role, f"hendelser/{page[0]['hendelse']['hendelsesdokument']}"),
        headers=gateway.headers(integration),
    )
    assert one.status_code == 403


def test_extract_jobs_belong_to_the_ordering_municipality_and_batches_are_audited(
    gateway: ServedGateway,
) -> None:
    integration, role = gateway.config.granted_role(BASIS, bruksomraader=EXTRACT)
    body = {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": "0301"}}
    ordered = gateway.client.post(
        gateway.url(role, "uttrekk/tilpasset"), json=body, headers=gateway.headers(integration)
    )
    assert ordered.status_code == 200, ordered.text
    jobbid = ordered.json()["jobbId"]
    batch_url = gateway.url(role, f"uttrekk/{jobbid}/batch/0")
    assert gateway.client.get(batch_url, headers=gateway.headers(integration)).status_code == 404
    work(gateway)
    batch = gateway.client.get(batch_url, headers=gateway.headers(integration))
    assert batch.status_code == 200
    numbers = batch.json()["foedselsEllerDNummer"]
    assert numbers
    assert gateway.audit_record(batch.headers["X-Request-Id"])["personer"] == numbers
    end = gateway.client.get(
        gateway.url(role, f"uttrekk/{jobbid}/batch/50"), headers=gateway.headers(integration)
    )
    assert end.json() == {}
    other_integration, other_role = gateway.config.granted_role(BASIS, orgnr=ORG_B, bruksomraader=EXTRACT)
    refused = gateway.client.get(
        gateway.url(other_role, f"uttrekk/{jobbid}/batch/0"), headers=gateway.headers(other_integration)
    )
    assert refused.status_code == 410
    search_integration, search_role = gateway.config.granted_role(BASIS)
    no_area = gateway.client.post(
        gateway.url(search_role, "uttrekk/tilpasset"), json=body, headers=gateway.headers(search_integration)
    )
    assert no_area.status_code == 403


def test_ten_running_jobs_per_municipality(gateway: ServedGateway) -> None:
    work(gateway)
    integration, role = gateway.config.granted_role(BASIS, bruksomraader=EXTRACT)
    second_integration, second_role = gateway.config.granted_role(BASIS, bruksomraader=EXTRACT)
    body = {"personstatustyper": ["doed"]}
    for index in range(10):
        chosen = (integration, role) if index % 2 else (second_integration, second_role)
        response = gateway.client.post(
            gateway.url(chosen[1], "uttrekk/tilpasset"), json=body, headers=gateway.headers(chosen[0])
        )
        assert response.status_code == 200
    refused = gateway.client.post(
        gateway.url(role, "uttrekk/tilpasset"), json=body, headers=gateway.headers(integration)
    )
    assert refused.status_code == 429
    assert refused.headers["Retry-After"]
    other_integration, other_role = gateway.config.granted_role(BASIS, orgnr=ORG_B, bruksomraader=EXTRACT)
    assert (
        gateway.client.post(
            gateway.url(other_role, "uttrekk/tilpasset"),
            json=body,
            headers=gateway.headers(other_integration),
        ).status_code
        == 200
    )
    work(gateway)


def test_complete_extract_through_the_gateway(gateway: ServedGateway) -> None:
    integration, role = gateway.config.granted_role(BASIS, bruksomraader=EXTRACT)
    ordered = gateway.client.get(
        gateway.url(role, "uttrekk/komplett"),
        params={"feedsekvensnr": "10"},
        headers=gateway.headers(integration),
    )
    assert ordered.status_code == 200
    work(gateway)
    batch = gateway.client.get(
        gateway.url(role, f"uttrekk/{ordered.json()['jobbId']}/batch/0"), headers=gateway.headers(integration)
    )
    assert batch.status_code == 200 and len(batch.json()["dokumentidentifikator"]) == 1000
