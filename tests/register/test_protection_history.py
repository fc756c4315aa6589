"""Protection given without a move: no path of the register gives out the address from an older version.

The version from before the protection (and the event written then) held the same address as `ugradert`;
every path that serves old versions or event documents must grade it by the person's current protection.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from fiks_folkeregister.domain.informasjonselementer import ELEMENTS, Rettighetspakke
from fiks_folkeregister.register.service import RegisterService
from fiks_folkeregister.register.uttrekk.worker import ExtractWorker
from tests.register.conftest import MED, UTEN, ServedRegister
from tests.register.protection import (
    AnnulledMove,
    ProtectedHousehold,
    assert_not_revealed,
    gradings_shown,
    move_annul_then_protect,
    move_then_protect,
)

ALL_PARTS = [*ELEMENTS, "historikk"]
PACKAGES = {
    Rettighetspakke.OFFENTLIG_MED_HJEMMEL: (MED, "offentlig-med-hjemmel"),
    Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL: (UTEN, "offentlig-uten-hjemmel"),
}


def service(register: ServedRegister) -> RegisterService:
    return register.client.app.state.register.service  # type: ignore[attr-defined, no-any-return]


@pytest.fixture(scope="module", params=["fortrolig", "strengtFortrolig"])
def household(served_register: ServedRegister, request: pytest.FixtureRequest) -> ProtectedHousehold:
    seed = 31 if request.param == "fortrolig" else 32
    return move_then_protect(service(served_register).hendelser.log, request.param, seed)


def _get(register: ServedRegister, pakke: Rettighetspakke, resource: str, **params: Any) -> Any:
    scope, path = PACKAGES[pakke]
    response = register.client.get(register.url(path, resource), params=params, headers=register.auth(scope))
    return response


def _post(register: ServedRegister, pakke: Rettighetspakke, resource: str, body: Any, **params: Any) -> Any:
    scope, path = PACKAGES[pakke]
    return register.client.post(
        register.url(path, resource), params=params, json=body, headers=register.auth(scope)
    )


def test_the_version_before_held_the_address_ungraded(
    served_register: ServedRegister, household: ProtectedHousehold
) -> None:
    """The premise: stored as it was, the older version gives the address out as `ugradert`."""
    stored = served_register.repository.archived_documents(household.old_versions)
    assert len(stored) == len(household.old_versions)
    for version in stored.values():
        assert "ugradert" in gradings_shown(orjson.loads(version.dokument), household.address)


@pytest.mark.parametrize("pakke", list(PACKAGES))
def test_archived_versions_from_before_are_graded_by_todays_protection(
    served_register: ServedRegister, household: ProtectedHousehold, pakke: Rettighetspakke
) -> None:
    for version in household.old_versions:
        response = _get(served_register, pakke, f"personer/arkiv/{version}", part=ALL_PARTS)
        assert response.status_code == 200
        assert_not_revealed(response.json(), household, pakke)
    bulk = _post(
        served_register,
        pakke,
        "personer/bulkoppslag/arkiv",
        {"dokumentidentifikator": household.old_versions},
        part=ALL_PARTS,
    )
    assert bulk.status_code == 200
    assert len(bulk.json()["oppslag"]) == len(household.old_versions)
    assert_not_revealed(bulk.json(), household, pakke)


@pytest.mark.parametrize("pakke", list(PACKAGES))
def test_current_lookups_give_nothing_more(
    served_register: ServedRegister, household: ProtectedHousehold, pakke: Rettighetspakke
) -> None:
    for number in household.members:
        response = _get(served_register, pakke, f"personer/{number}", part=ALL_PARTS)
        assert response.status_code == 200
        assert_not_revealed(response.json(), household, pakke)
    bulk = _post(
        served_register,
        pakke,
        "personer/bulkoppslag",
        {"foedselsEllerDNummer": list(household.members)},
        part=ALL_PARTS,
    )
    assert_not_revealed(bulk.json(), household, pakke)


def test_event_documents_from_before_are_graded_by_todays_protection(
    served_register: ServedRegister, household: ProtectedHousehold
) -> None:
    pakke = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
    for event in household.move_events:
        response = _get(served_register, pakke, f"hendelser/{event}")
        assert response.status_code == 200
        assert response.json()["hendelse"]["hendelsestype"] == "endringIBostedsadresse"
        assert_not_revealed(response.json(), household, pakke)
    bulk = _post(
        served_register, pakke, "hendelser/bulkoppslag", {"dokumentidentifikator": household.move_events}
    )
    assert bulk.status_code == 200 and len(bulk.json()) == len(household.move_events)
    assert_not_revealed(bulk.json(), household, pakke)
    # offentlig-uten-hjemmel gets no event documents at all
    uten = _get(
        served_register, Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL, f"hendelser/{household.move_events[0]}"
    )
    assert uten.status_code == 403


def test_a_complete_extract_at_the_move_lists_the_old_versions_and_they_come_out_graded(
    served_register: ServedRegister, household: ProtectedHousehold
) -> None:
    background = served_register.client.app.state.extract_worker  # type: ignore[attr-defined]
    if background is not None:
        background.stop()  # the test works the job itself, so it is done when the batches are read
    pakke = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
    job = _get(served_register, pakke, "uttrekk/komplett", feedsekvensnr=household.move_sekvensnummer)
    assert job.status_code == 200
    ExtractWorker(service(served_register).uttrekk).work_pending()
    listed: list[str] = []
    number = 0
    while True:
        batch = _get(served_register, pakke, f"uttrekk/{job.json()['jobbId']}/batch/{number}")
        assert batch.status_code == 200, batch.text
        if not batch.json():
            break
        listed += batch.json()["dokumentidentifikator"]
        number += 1
    assert set(household.old_versions) <= set(listed)
    wanted = [version for version in listed if version in set(household.old_versions)]
    fetched = _post(
        served_register,
        pakke,
        "personer/bulkoppslag/arkiv",
        {"dokumentidentifikator": wanted},
        part=ALL_PARTS,
    )
    assert len(fetched.json()["oppslag"]) == len(wanted)
    assert_not_revealed(fetched.json(), household, pakke)


@pytest.fixture(scope="module", params=["fortrolig", "strengtFortrolig"])
def annulled(served_register: ServedRegister, request: pytest.FixtureRequest) -> AnnulledMove:
    seed = 33 if request.param == "fortrolig" else 34
    return move_annul_then_protect(service(served_register).hendelser.log, request.param, seed)


@pytest.mark.parametrize("pakke", list(PACKAGES))
def test_a_relatives_annulled_stay_at_a_protected_home_is_graded_in_every_path(
    served_register: ServedRegister, annulled: AnnulledMove, pakke: Rettighetspakke
) -> None:
    """A relative whose move there was annulled no longer holds the address (so the household rule cannot
    grade it), but the version and events from the move still name it: graded as the household is."""
    assert annulled.member not in annulled.protected
    stored = served_register.repository.archived_documents(annulled.versions)
    assert [gradings_shown(orjson.loads(v.dokument), annulled.address) for v in stored.values()] == [
        ["ugradert"]
    ]
    for version in annulled.versions:
        response = _get(served_register, pakke, f"personer/arkiv/{version}", part=ALL_PARTS)
        assert response.status_code == 200
        assert_not_revealed(response.json(), annulled, pakke)
    bulk = _post(
        served_register,
        pakke,
        "personer/bulkoppslag/arkiv",
        {"dokumentidentifikator": list(annulled.versions)},
        part=ALL_PARTS,
    )
    assert bulk.status_code == 200 and len(bulk.json()["oppslag"]) == len(annulled.versions)
    assert_not_revealed(bulk.json(), annulled, pakke)
    if pakke is Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL:
        return  # no event documents at all (tested above)
    for event in annulled.events:
        response = _get(served_register, pakke, f"hendelser/{event}")
        assert response.status_code == 200
        assert_not_revealed(response.json(), annulled, pakke)
    bulk = _post(
        served_register, pakke, "hendelser/bulkoppslag", {"dokumentidentifikator": list(annulled.events)}
    )
    assert bulk.status_code == 200 and len(bulk.json()) == len(annulled.events)
    assert_not_revealed(bulk.json(), annulled, pakke)
