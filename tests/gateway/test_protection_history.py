"""Protection given without a move, through the gateway: older versions and event documents stay protected."""

from __future__ import annotations

from typing import Any

import pytest

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke, elements_allowed
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle
from fiks_folkeregister.register.uttrekk.worker import ExtractWorker
from tests.gateway.conftest import Integration, ServedGateway
from tests.register.protection import (
    ProtectedHousehold,
    assert_not_revealed,
    move_annul_then_protect,
    move_then_protect,
)

EVERYTHING = (Bruksomraade.SOK_ETTER_PERSON, Bruksomraade.HENDELSESLISTE, Bruksomraade.UTTREKK)


@pytest.fixture(scope="module")
def households(served_gateway: ServedGateway) -> list[ProtectedHousehold]:
    log = served_gateway.register.service.hendelser.log
    return [move_then_protect(log, "fortrolig", 41), move_then_protect(log, "strengtFortrolig", 42)]


def _role(gateway: ServedGateway, pakke: Rettighetspakke) -> tuple[Integration, Rolle, list[str]]:
    parts = [*sorted(elements_allowed(pakke)), "historikk"]
    integration, role = gateway.config.granted_role(parts, pakke=pakke, bruksomraader=EVERYTHING)
    return integration, role, parts


def _call(
    gateway: ServedGateway, integration: Integration, role: Rolle, method: str, resource: str, **kw: Any
) -> Any:
    return gateway.client.request(
        method, gateway.url(role, resource), headers=gateway.headers(integration), **kw
    )


@pytest.mark.parametrize("pakke", list(Rettighetspakke))
def test_old_versions_through_the_gateway_are_graded_by_todays_protection(
    served_gateway: ServedGateway, households: list[ProtectedHousehold], pakke: Rettighetspakke
) -> None:
    integration, role, parts = _role(served_gateway, pakke)
    for household in households:
        for version in household.old_versions:
            one = _call(
                served_gateway, integration, role, "GET", f"personer/arkiv/{version}", params={"part": parts}
            )
            assert one.status_code == 200, one.text
            assert_not_revealed(one.json(), household, pakke)
        bulk = _call(
            served_gateway,
            integration,
            role,
            "POST",
            "personer/bulkoppslag/arkiv",
            params={"part": parts},
            json={"dokumentidentifikator": household.old_versions},
        )
        assert bulk.status_code == 200, bulk.text
        assert len(bulk.json()["oppslag"]) == len(household.old_versions)
        assert_not_revealed(bulk.json(), household, pakke)


def test_event_documents_through_the_gateway_are_graded_by_todays_protection(
    served_gateway: ServedGateway, households: list[ProtectedHousehold]
) -> None:
    pakke = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
    integration, role, _parts = _role(served_gateway, pakke)
    for household in households:
        for event in household.move_events:
            one = _call(served_gateway, integration, role, "GET", f"hendelser/{event}")
            assert one.status_code == 200, one.text
            assert_not_revealed(one.json(), household, pakke)
        bulk = _call(
            served_gateway,
            integration,
            role,
            "POST",
            "hendelser/bulkoppslag",
            json={"dokumentidentifikator": household.move_events},
        )
        assert bulk.status_code == 200 and len(bulk.json()) == len(household.move_events)
        assert_not_revealed(bulk.json(), household, pakke)


def test_a_complete_extract_through_the_gateway_hands_out_the_old_versions_graded(
    served_gateway: ServedGateway, households: list[ProtectedHousehold]
) -> None:
    pakke = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
    integration, role, parts = _role(served_gateway, pakke)
    household = households[1]
    job = _call(
        served_gateway,
        integration,
        role,
        "GET",
        "uttrekk/komplett",
        params={"feedsekvensnr": household.move_sekvensnummer},
    )
    assert job.status_code == 200, job.text
    ExtractWorker(served_gateway.register.service.uttrekk).work_pending()
    listed: list[str] = []
    number = 0
    while True:
        batch = _call(
            served_gateway, integration, role, "GET", f"uttrekk/{job.json()['jobbId']}/batch/{number}"
        )
        assert batch.status_code == 200, batch.text
        if not batch.json():
            break
        listed += batch.json()["dokumentidentifikator"]
        number += 1
    assert set(household.old_versions) <= set(listed)
    fetched = _call(
        served_gateway,
        integration,
        role,
        "POST",
        "personer/bulkoppslag/arkiv",
        params={"part": parts},
        json={"dokumentidentifikator": household.old_versions},
    )
    assert_not_revealed(fetched.json(), household, pakke)


@pytest.mark.parametrize("pakke", list(Rettighetspakke))
def test_a_relatives_annulled_stay_at_a_protected_home_is_graded_through_the_gateway(
    served_gateway: ServedGateway, pakke: Rettighetspakke
) -> None:
    """A spouse's move to the home was annulled before the household was protected there: the spouse's
    version and events from then are graded as the household's home is, on every path."""
    annulled = move_annul_then_protect(served_gateway.register.service.hendelser.log, "fortrolig", 43)
    integration, role, parts = _role(served_gateway, pakke)
    for version in annulled.versions:
        one = _call(
            served_gateway, integration, role, "GET", f"personer/arkiv/{version}", params={"part": parts}
        )
        assert one.status_code == 200, one.text
        assert_not_revealed(one.json(), annulled, pakke)
    bulk = _call(
        served_gateway,
        integration,
        role,
        "POST",
        "personer/bulkoppslag/arkiv",
        params={"part": parts},
        json={"dokumentidentifikator": list(annulled.versions)},
    )
    assert bulk.status_code == 200 and len(bulk.json()["oppslag"]) == len(annulled.versions)
    assert_not_revealed(bulk.json(), annulled, pakke)
    if pakke is Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL:
        return  # no event documents (tested in tests/register)
    for event in annulled.events:
        one = _call(served_gateway, integration, role, "GET", f"hendelser/{event}")
        assert one.status_code == 200, one.text
        assert_not_revealed(one.json(), annulled, pakke)
    bulk = _call(
        served_gateway,
        integration,
        role,
        "POST",
        "hendelser/bulkoppslag",
        json={"dokumentidentifikator": list(annulled.events)},
    )
    assert bulk.status_code == 200 and len(bulk.json()) == len(annulled.events)
    assert_not_revealed(bulk.json(), annulled, pakke)
