"""A role an administrator deactivates stops working at the next request in every channel of the machine API
(lookups, events, extracts, the Oppvekst API), keeps its grants and history, and works again when activated."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx
import pytest

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.register.simulator import Simulator
from fiks_folkeregister.register.uttrekk.worker import ExtractWorker
from tests.conftest import FAST_HASHER
from tests.gateway.conftest import ORG_A, Integration, ServedGateway
from tests.gateway.test_access import assert_refused

ADA = Actor(navn="ada", kind=ActorKind.ADMINISTRATOR, orgnr=ORG_A)
OPPVEKST_URL = "/register/api/v1/ks/{}/oppvekst"


@pytest.fixture(scope="module")
def gateway(served_gateway: ServedGateway) -> ServedGateway:
    served_gateway.register.service.hendelser.log.simulate(Simulator(5, date(2026, 11, 1)), 50)
    return served_gateway


def admin(gateway: ServedGateway) -> AdminService:
    """The admin service on the served gateway's database, as an administrator's API or page uses it."""
    return AdminService(
        gateway.engine, IntegrationPasswords(cache_seconds=60, hasher=FAST_HASHER), gateway.audit
    )


Ask = Callable[[ServedGateway, Integration, Rolle], httpx.Response]


def lookup(gateway: ServedGateway, integration: Integration, role: Rolle) -> httpx.Response:
    adult = gateway.examples["ordinary-adult"][0]
    return gateway.client.get(
        gateway.url(role, f"personer/{adult}?part=navn"), headers=gateway.headers(integration)
    )


def feed(gateway: ServedGateway, integration: Integration, role: Rolle) -> httpx.Response:
    return gateway.client.get(
        gateway.url(role, "hendelser/feed"), params={"seq": 1}, headers=gateway.headers(integration)
    )


def extract(gateway: ServedGateway, integration: Integration, role: Rolle) -> httpx.Response:
    body = {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": "0301"}}
    return gateway.client.post(
        gateway.url(role, "uttrekk/tilpasset"), json=body, headers=gateway.headers(integration)
    )


def oppvekst(gateway: ServedGateway, integration: Integration, role: Rolle) -> httpx.Response:
    adult = gateway.examples["ordinary-adult"][0]
    return gateway.client.post(
        OPPVEKST_URL.format(role.id), json={"foedselsnumre": [adult]}, headers=gateway.headers(integration)
    )


CHANNELS: dict[str, tuple[Ask, list[str], tuple[Bruksomraade, ...]]] = {
    "lookup": (lookup, ["navn"], (Bruksomraade.SOK_ETTER_PERSON,)),
    "events": (feed, ["person-basis"], (Bruksomraade.HENDELSESLISTE,)),
    "extracts": (extract, ["person-basis"], (Bruksomraade.UTTREKK,)),
    "oppvekst": (
        oppvekst,
        ["person-basis", "utenlandskPersonidentifikasjon", "familierelasjon", "foreldreansvar", "historikk"],
        (Bruksomraade.SOK_ETTER_PERSON,),
    ),
}


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_a_deactivated_role_is_refused_at_the_next_request_and_works_again_when_activated(
    gateway: ServedGateway, channel: str
) -> None:
    ask, parts, areas = CHANNELS[channel]
    integration, role = gateway.config.granted_role(parts, bruksomraader=areas)
    service = admin(gateway)
    before = ask(gateway, integration, role)
    assert before.status_code == 200, before.text

    service.deactivate_role(ADA, role.id, ORG_A)

    refused = ask(gateway, integration, role)
    body = assert_refused(gateway, refused, 403, "ROLLE_DEAKTIVERT")
    assert role.navn in body["message"] and "deactivated" in body["message"]
    # its history stays: the grant, and the lookup made before, in the organisation's log
    assert service.get_role(ADA, role.id).antall_integrasjoner == 1
    logged = {record.request_id for record in gateway.audit.query(ORG_A, rolle_id=role.id)}
    assert {before.headers["X-Request-Id"], refused.headers["X-Request-Id"]} <= logged

    service.activate_role(ADA, role.id, ORG_A)

    assert ask(gateway, integration, role).status_code == 200


def test_a_job_ordered_before_deactivation_cannot_be_fetched_after_it(gateway: ServedGateway) -> None:
    integration, role = gateway.config.granted_role(["person-basis"], bruksomraader=(Bruksomraade.UTTREKK,))
    ordered = extract(gateway, integration, role)
    assert ordered.status_code == 200, ordered.text
    ExtractWorker(gateway.register.service.uttrekk).work_pending()
    batch_url = gateway.url(role, f"uttrekk/{ordered.json()['jobbId']}/batch/0")
    assert gateway.client.get(batch_url, headers=gateway.headers(integration)).status_code == 200

    admin(gateway).deactivate_role(ADA, role.id)

    batch = gateway.client.get(batch_url, headers=gateway.headers(integration))
    assert_refused(gateway, batch, 403, "ROLLE_DEAKTIVERT")


def test_a_role_not_granted_is_refused_as_not_granted_even_when_deactivated(gateway: ServedGateway) -> None:
    """Deactivation tells nothing to an integration that never held the role."""
    integration = gateway.config.integration(ORG_A)
    role = gateway.config.role(["navn"])
    admin(gateway).deactivate_role(ADA, role.id)
    assert_refused(gateway, lookup(gateway, integration, role), 403, "ROLLE_IKKE_TILDELT")
