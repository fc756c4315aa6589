"""A deactivated person user is activated again: through the service (the directory the gateway reads sees
it at once), the admin API and the command line; in the change log; another organisation's user is 404."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from fiks_folkeregister.admin.access import AccessDirectory
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.cli import app
from tests.admin.conftest import CONSOLE, ORG_A, ORG_B
from tests.admin.test_admin_api import Api, assert_error
from tests.admin.test_admin_api import api as api
from tests.admin.test_admin_cli import cli as cli
from tests.admin.test_admin_cli import org, run, run_json
from tests.admin.test_person_users import KARI, admin_of, portal_role


def test_an_activated_user_holds_their_roles_again_and_it_is_logged(
    two_orgs: AdminService, engine: Engine
) -> None:
    service, directory = two_orgs, AccessDirectory(engine)
    user = service.create_user(CONSOLE, ORG_A, KARI, "Kari")
    role = portal_role(service)
    service.grant_user(CONSOLE, user.id, role.id)
    service.deactivate_user(CONSOLE, user.id)
    assert directory.person_roles(KARI) == []

    after = service.activate_user(admin_of(ORG_A), user.id, ORG_A)

    assert after.aktiv is True and service.get_user(CONSOLE, user.id).aktiv is True
    [(found_user, found_role)] = directory.person_roles(KARI)
    assert (found_user.id, found_role.id) == (user.id, role.id)
    assert directory.person_lookup(KARI, role.id).granted is True
    newest = service.change_log(CONSOLE, ORG_A)[0]
    assert (newest.handling, newest.objekttype, newest.objekt_id) == (
        "bruker.aktivert",
        "bruker",
        str(user.id),
    )
    assert newest.utfoert_av == f"administrator:x:{ORG_A}"
    assert newest.foer is not None and newest.foer["aktiv"] is False
    assert newest.etter is not None and newest.etter["aktiv"] is True

    changes = len(service.change_log(CONSOLE, ORG_A))
    assert service.activate_user(CONSOLE, user.id).aktiv is True  # already active: nothing written
    assert len(service.change_log(CONSOLE, ORG_A)) == changes


def test_another_organisations_or_an_unknown_user_is_not_found_and_stays_deactivated(
    two_orgs: AdminService,
) -> None:
    service = two_orgs
    user = service.create_user(CONSOLE, ORG_A, KARI, "Kari")
    service.deactivate_user(CONSOLE, user.id)
    changes = len(service.change_log(CONSOLE, ORG_A))
    for attempt in (
        lambda: service.activate_user(admin_of(ORG_B), user.id),
        lambda: service.activate_user(admin_of(ORG_B), user.id, ORG_A),
        lambda: service.activate_user(CONSOLE, user.id, ORG_B),
    ):
        with pytest.raises(AdminError) as hidden:
            attempt()
        assert hidden.value.status == 404
    with pytest.raises(AdminError) as unknown:
        service.activate_user(CONSOLE, uuid4())
    assert (unknown.value.status, unknown.value.code) == (404, "BRUKER_FINNES_IKKE")
    assert service.get_user(CONSOLE, user.id).aktiv is False
    assert len(service.change_log(CONSOLE, ORG_A)) == changes


def test_api_activates_a_user_and_hides_another_organisations(api: Api) -> None:
    users_a = f"/organisasjoner/{ORG_A}/brukere"
    user_id = api.call("POST", users_a, api.admin_a, json={"foedselsnummer": KARI, "navn": "Kari"}).json()[
        "brukerId"
    ]
    assert api.call("DELETE", f"{users_a}/{user_id}", api.admin_a).json()["aktiv"] is False

    assert_error(api.call("PUT", f"{users_a}/{user_id}/aktiver", api.admin_b), 404, "BRUKER_FINNES_IKKE")
    assert_error(
        api.call("PUT", f"/organisasjoner/{ORG_B}/brukere/{user_id}/aktiver", api.admin_b),
        404,
        "BRUKER_FINNES_IKKE",
    )
    assert api.call("GET", f"{users_a}/{user_id}", api.admin_a).json()["aktiv"] is False

    activated = api.call("PUT", f"{users_a}/{user_id}/aktiver", api.admin_a)
    assert activated.status_code == 200, activated.text
    assert (activated.json()["brukerId"], activated.json()["aktiv"]) == (user_id, True)
    assert api.call("GET", f"{users_a}/{user_id}", api.admin_a).json()["aktiv"] is True
    assert api.call("PUT", f"{users_a}/{user_id}/aktiver").status_code == 401


def test_cli_activates_a_user(cli: CliRunner) -> None:
    org(cli)
    run(cli, "admin", "user", "create", "--orgnr", ORG_A, "--foedselsnummer", KARI, "--navn", "Kari")
    run(cli, "admin", "user", "deactivate", "--orgnr", ORG_A, "--foedselsnummer", KARI)
    assert "Activated person user" in run(
        cli, "admin", "user", "activate", "--orgnr", ORG_A, "--foedselsnummer", KARI
    )
    listed = run_json(cli, "admin", "user", "list", "--orgnr", ORG_A, "--json")
    assert [(u["navn"], u["aktiv"]) for u in listed] == [("Kari", True)]
    again = run_json(cli, "admin", "user", "activate", "--orgnr", ORG_A, "--foedselsnummer", KARI, "--json")
    assert again["aktiv"] is True

    unknown = cli.invoke(
        app, ["admin", "user", "activate", "--orgnr", ORG_A, "--foedselsnummer", "15021951940"]
    )
    assert unknown.exit_code == 1 and "BRUKER_FINNES_IKKE" in unknown.output
