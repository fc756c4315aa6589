"""People as principals: person users, person grants, role gyldighet and person administrators, through the
service, the directory the gateway reads, the admin API and the command line."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from fiks_folkeregister.admin.access import PLATFORM, AccessDirectory
from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.cli import app
from tests.admin.conftest import CONSOLE, ORG_A, ORG_B
from tests.admin.test_admin_api import Api, assert_error, create_role
from tests.admin.test_admin_api import api as api
from tests.admin.test_admin_cli import cli as cli
from tests.admin.test_admin_cli import org, run, run_json

KARI = "06076301709"  # a valid fødselsnummer (synthetic test data)
OLA = "15021951940"
MED = "offentlig-med-hjemmel"
SOK = ["sok-etter-person"]


def admin_of(orgnr: str) -> Actor:
    return Actor(navn=f"administrator:x:{orgnr}", kind=ActorKind.ADMINISTRATOR, orgnr=orgnr)


def portal_role(service: AdminService, orgnr: str = ORG_A, navn: str = "Portal", **kw: Any) -> Any:
    return service.create_role(CONSOLE, orgnr, navn, MED, SOK, ["navn"], gyldighet=["soekWeb"], **kw).rolle


# -- service and directory ---------------------------------------------------------------------------


def test_a_person_user_granted_a_portal_role_is_found_and_a_revocation_counts_at_once(
    two_orgs: AdminService, engine: Engine
) -> None:
    service, directory = two_orgs, AccessDirectory(engine)
    user = service.create_user(CONSOLE, ORG_A, KARI, " Kari Saksbehandler ")
    assert (user.orgnr, user.foedselsnummer, user.navn, user.aktiv) == (
        ORG_A,
        KARI,
        "Kari Saksbehandler",
        True,
    )
    role = portal_role(service)
    api_only = service.create_role(CONSOLE, ORG_A, "Maskin", MED, SOK, ["navn"]).rolle
    assert api_only.gyldighet == frozenset({"api"})  # api when left out

    assert directory.person_roles(KARI) == []
    assert directory.person_lookup(KARI, role.id).granted is False

    _, created = service.grant_user(CONSOLE, user.id, role.id)
    assert created is True
    assert service.grant_user(CONSOLE, user.id, role.id)[1] is False  # idempotent
    service.grant_user(CONSOLE, user.id, api_only.id)

    [(found_user, found_role)] = directory.person_roles(KARI)  # only roles carrying soekWeb
    assert (found_user.id, found_user.navn, found_role.id) == (user.id, "Kari Saksbehandler", role.id)
    assert [r.id for _, r in directory.person_roles(KARI, "api")] == [api_only.id]
    looked = directory.person_lookup(KARI, role.id)
    assert looked.granted and looked.user is not None and looked.user.id == user.id and looked.role == role
    refused = directory.person_lookup(KARI, api_only.id)
    assert (refused.granted, refused.role) == (False, api_only)  # granted, but not a portal role

    service.revoke_user(CONSOLE, user.id, role.id)
    assert directory.person_roles(KARI) == []
    assert directory.person_lookup(KARI, role.id).granted is False
    with pytest.raises(AdminError) as again:
        service.revoke_user(CONSOLE, user.id, role.id)
    assert (again.value.status, again.value.code) == (404, "TILDELING_FINNES_IKKE")


def test_a_deactivated_user_holds_no_role_any_more(two_orgs: AdminService, engine: Engine) -> None:
    service, directory = two_orgs, AccessDirectory(engine)
    user = service.create_user(CONSOLE, ORG_A, KARI, "Kari")
    role = portal_role(service)
    service.grant_user(CONSOLE, user.id, role.id)

    after = service.deactivate_user(CONSOLE, user.id)

    assert after.aktiv is False
    assert directory.person_roles(KARI) == []
    looked = directory.person_lookup(KARI, role.id)
    assert looked.granted is False and looked.user is not None and looked.user.aktiv is False


def test_unknown_person_and_unknown_role_in_the_lookup(two_orgs: AdminService, engine: Engine) -> None:
    service, directory = two_orgs, AccessDirectory(engine)
    role = portal_role(service)
    nobody = directory.person_lookup(OLA, role.id)
    assert (nobody.user, nobody.role, nobody.granted) == (None, role, False)
    service.create_user(CONSOLE, ORG_A, OLA, "Ola")
    no_role = directory.person_lookup(OLA, uuid4())
    assert (no_role.user, no_role.role, no_role.granted) == (None, None, False)


def test_a_person_in_two_organisations_gets_each_organisations_roles(
    two_orgs: AdminService, engine: Engine
) -> None:
    service, directory = two_orgs, AccessDirectory(engine)
    in_a = service.create_user(CONSOLE, ORG_A, KARI, "Kari i A")
    in_b = service.create_user(CONSOLE, ORG_B, KARI, "Kari i B")
    role_a, role_b = portal_role(service, ORG_A), portal_role(service, ORG_B)
    service.grant_user(CONSOLE, in_a.id, role_a.id)
    service.grant_user(CONSOLE, in_b.id, role_b.id)

    assert [(u.orgnr, r.id) for u, r in directory.person_roles(KARI)] == [
        (ORG_A, role_a.id),
        (ORG_B, role_b.id),
    ]
    # The user in A may not act in B's role, though the same person is granted it as B's user.
    assert directory.person_lookup(KARI, role_b.id).user == next(
        u for u, _ in directory.person_roles(KARI) if u.orgnr == ORG_B
    )
    # A role of another organisation cannot be granted to a user: it is not found there.
    with pytest.raises(AdminError) as across:
        service.grant_user(CONSOLE, in_a.id, role_b.id)
    assert (across.value.status, across.value.code) == (404, "ROLLE_FINNES_IKKE")


@pytest.mark.parametrize(
    ("fnr", "why"),
    [
        ("0607630170", "must be 11 digits"),
        ("0607630170x", "must be 11 digits"),
        ("06076301708", "invalid check digits"),
    ],
)
def test_an_invalid_identity_number_is_refused_saying_why(two_orgs: AdminService, fnr: str, why: str) -> None:
    with pytest.raises(AdminError) as refused:
        two_orgs.create_user(CONSOLE, ORG_A, fnr, "Kari")
    assert (refused.value.status, refused.value.code) == (400, "UGYLDIG_FOEDSELSNUMMER")
    assert why in refused.value.message
    assert two_orgs.list_users(CONSOLE, ORG_A) == []  # nothing half-written


def test_duplicate_user_is_409_and_other_organisations_users_are_404(two_orgs: AdminService) -> None:
    service = two_orgs
    user = service.create_user(CONSOLE, ORG_A, KARI, "Kari")
    with pytest.raises(AdminError) as duplicate:
        service.create_user(CONSOLE, ORG_A, KARI, "Kari igjen")
    assert (duplicate.value.status, duplicate.value.code) == (409, "BRUKER_FINNES")
    assert [u.navn for u in service.list_users(CONSOLE, ORG_A)] == ["Kari"]

    admin_b = admin_of(ORG_B)
    for attempt in (
        lambda: service.get_user(admin_b, user.id),
        lambda: service.deactivate_user(admin_b, user.id),
        lambda: service.grant_user(admin_b, user.id, portal_role(service, ORG_B, "B").id),
        lambda: service.list_users(admin_b, ORG_A),
        lambda: service.create_user(admin_b, ORG_A, OLA, "Ola"),
    ):
        with pytest.raises(AdminError) as hidden:
            attempt()
        assert hidden.value.status == 404
    with pytest.raises(AdminError) as everyone:
        service.list_users(admin_b)
    assert (everyone.value.status, everyone.value.code) == (403, "KREVER_OPERATOER")
    with pytest.raises(AdminError) as unknown:
        service.grant_user(CONSOLE, uuid4(), portal_role(service, ORG_A, "A2").id)
    assert (unknown.value.status, unknown.value.code) == (404, "BRUKER_FINNES_IKKE")


def test_the_change_log_records_users_and_person_grants(two_orgs: AdminService) -> None:
    service = two_orgs
    user = service.create_user(CONSOLE, ORG_A, KARI, "Kari")
    role = portal_role(service)
    service.grant_user(CONSOLE, user.id, role.id)
    service.revoke_user(CONSOLE, user.id, role.id)
    service.deactivate_user(CONSOLE, user.id)

    changes = service.change_log(CONSOLE, ORG_A)
    handlings = [c.handling for c in changes[:4]]
    assert handlings == [
        "bruker.deaktivert",
        "tildeling.tilbakekalt",
        "tildeling.opprettet",
        "rolle.opprettet",
    ]
    revoked = changes[1]
    assert revoked.objekt_id == f"bruker:{user.id}/{role.id}"
    assert revoked.etter is not None and revoked.etter["brukerId"] == str(user.id)
    assert revoked.etter["integrasjonId"] is None and revoked.etter["tilbakekaltAv"] == "cli:tester"
    assert changes[0].foer is not None and changes[0].foer["aktiv"] is True
    assert changes[0].etter is not None and changes[0].etter["aktiv"] is False


def test_a_role_a_person_holds_cannot_be_deleted(two_orgs: AdminService) -> None:
    user = two_orgs.create_user(CONSOLE, ORG_A, KARI, "Kari")
    role = portal_role(two_orgs)
    two_orgs.grant_user(CONSOLE, user.id, role.id)
    with pytest.raises(AdminError) as in_use:
        two_orgs.delete_role(CONSOLE, role.id)
    assert (in_use.value.status, in_use.value.code) == (409, "ROLLE_I_BRUK")
    assert in_use.value.details is not None and in_use.value.details["brukere"] == [str(user.id)]


@pytest.mark.parametrize(("gyldighet", "code"), [(["web"], "UKJENT_GYLDIGHET"), ([], "MANGLER_GYLDIGHET")])
def test_a_role_with_an_unknown_or_no_gyldighet_is_refused(
    two_orgs: AdminService, gyldighet: list[str], code: str
) -> None:
    with pytest.raises(AdminError) as refused:
        two_orgs.create_role(CONSOLE, ORG_A, "R", MED, SOK, ["navn"], gyldighet=gyldighet)
    assert (refused.value.status, refused.value.code) == (400, code)
    assert "api, soekWeb, uttrekkWeb, asynkron" in refused.value.message
    assert two_orgs.list_roles(CONSOLE, ORG_A) == []


def test_update_role_changes_gyldighet_and_keeps_it_otherwise(two_orgs: AdminService) -> None:
    role = two_orgs.create_role(CONSOLE, ORG_A, "R", MED, SOK, ["navn"]).rolle
    changed = two_orgs.update_role(CONSOLE, role.id, gyldighet=["api", "soekWeb"]).rolle
    assert changed.gyldighet == frozenset({"api", "soekWeb"})
    kept = two_orgs.update_role(CONSOLE, role.id, beskrivelse="x").rolle
    assert kept.gyldighet == frozenset({"api", "soekWeb"})


def test_person_administrators(two_orgs: AdminService, engine: Engine) -> None:
    directory = AccessDirectory(engine)
    made = two_orgs.create_person_administrator(CONSOLE, KARI, "Kari Admin", ORG_A)
    two_orgs.create_person_administrator(CONSOLE, KARI, "Kari Drift", None)
    assert made.foedselsnummer == KARI and made.orgnr == ORG_A
    assert directory.person_administrator(KARI) == sorted([ORG_A, PLATFORM])
    assert directory.person_administrator(OLA) == []
    with pytest.raises(AdminError) as twice:
        two_orgs.create_person_administrator(CONSOLE, KARI, "Kari", ORG_A)
    assert (twice.value.status, twice.value.code) == (409, "ADMINISTRATOR_FINNES")
    with pytest.raises(AdminError) as not_platform:
        two_orgs.create_person_administrator(admin_of(ORG_A), OLA, "Ola", ORG_A)
    assert not_platform.value.status == 403

    two_orgs.deactivate_administrator(CONSOLE, made.id)
    assert directory.person_administrator(KARI) == [PLATFORM]
    # A person administrator has no API key: nothing authenticates as them.
    assert two_orgs.authenticate("fiksadm_") is None


# -- admin API ---------------------------------------------------------------------------------------


def test_api_users_and_person_grants(api: Api) -> None:
    created = api.call(
        "POST", f"/organisasjoner/{ORG_A}/brukere", api.admin_a, json={"foedselsnummer": KARI, "navn": "Kari"}
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert {k: user[k] for k in ("orgnr", "foedselsnummer", "navn", "aktiv")} == {
        "orgnr": ORG_A,
        "foedselsnummer": KARI,
        "navn": "Kari",
        "aktiv": True,
    }
    user_id = user["brukerId"]
    listed = api.call("GET", f"/organisasjoner/{ORG_A}/brukere", api.admin_a).json()
    assert [u["brukerId"] for u in listed] == [user_id]

    role_id = create_role(api, api.admin_a, gyldighet=["soekWeb", "api"])
    role = api.call("GET", f"/organisasjoner/{ORG_A}/roller/{role_id}", api.admin_a).json()
    assert role["gyldighet"] == ["api", "soekWeb"]
    assert api.call(
        "GET", f"/organisasjoner/{ORG_A}/roller/{create_role(api, api.admin_a, navn='B')}", api.admin_a
    ).json()["gyldighet"] == ["api"]

    path = f"/organisasjoner/{ORG_A}/brukere/{user_id}/roller/{role_id}"
    granted = api.call("PUT", path, api.admin_a)
    assert granted.status_code == 201, granted.text
    assert (granted.json()["brukerId"], granted.json()["integrasjonId"]) == (user_id, None)
    assert api.call("PUT", path, api.admin_a).status_code == 200
    grants = api.call("GET", f"/organisasjoner/{ORG_A}/tildelinger", api.admin_a).json()
    assert [(g["brukerId"], g["rolleId"]) for g in grants] == [(user_id, role_id)]

    revoked = api.call("DELETE", path, api.admin_a)
    assert revoked.status_code == 200 and revoked.json()["tilbakekalt"] is not None
    assert_error(api.call("DELETE", path, api.admin_a), 404, "TILDELING_FINNES_IKKE")

    deactivated = api.call("DELETE", f"/organisasjoner/{ORG_A}/brukere/{user_id}", api.admin_a)
    assert deactivated.status_code == 200 and deactivated.json()["aktiv"] is False


def test_api_user_errors(api: Api) -> None:
    users_a = f"/organisasjoner/{ORG_A}/brukere"
    body = assert_error(
        api.call("POST", users_a, api.admin_a, json={"foedselsnummer": "06076301708", "navn": "Kari"}),
        400,
        "UGYLDIG_FOEDSELSNUMMER",
    )
    assert "invalid check digits" in body["message"]
    assert_error(
        api.call("POST", users_a, api.admin_a, json={"foedselsnummer": KARI}), 400, "UGYLDIG_FORESPOERSEL"
    )
    user_id = api.call("POST", users_a, api.admin_a, json={"foedselsnummer": KARI, "navn": "K"}).json()[
        "brukerId"
    ]
    assert_error(
        api.call("POST", users_a, api.admin_a, json={"foedselsnummer": KARI, "navn": "K"}),
        409,
        "BRUKER_FINNES",
    )
    # Another organisation's administrator finds neither the organisation's users nor the user.
    assert_error(api.call("GET", users_a, api.admin_b), 404, "ORGANISASJON_FINNES_IKKE")
    assert_error(api.call("GET", f"{users_a}/{user_id}", api.admin_b), 404, "BRUKER_FINNES_IKKE")
    assert_error(
        api.call("GET", f"/organisasjoner/{ORG_B}/brukere/{user_id}", api.admin_b), 404, "BRUKER_FINNES_IKKE"
    )
    assert_error(
        api.call("DELETE", f"/organisasjoner/{ORG_B}/brukere/{user_id}", api.admin_b),
        404,
        "BRUKER_FINNES_IKKE",
    )
    # A grant across organisations: B's role to A's user, even by the operator, is not found.
    role_b = create_role(api, api.admin_b, ORG_B)
    assert_error(
        api.call("PUT", f"/organisasjoner/{ORG_B}/brukere/{user_id}/roller/{role_b}", api.admin_b),
        404,
        "BRUKER_FINNES_IKKE",
    )
    assert_error(
        api.call("PUT", f"/organisasjoner/{ORG_A}/brukere/{user_id}/roller/{role_b}", api.operator),
        404,
        "ROLLE_FINNES_IKKE",
    )
    assert_error(
        api.call("PUT", f"{users_a}/{uuid4()}/roller/{role_b}", api.admin_a), 404, "BRUKER_FINNES_IKKE"
    )
    assert_error(
        api.call(
            "POST",
            f"/organisasjoner/{ORG_A}/roller",
            api.admin_a,
            json={
                "navn": "X",
                "rettighetspakke": MED,
                "bruksomraader": SOK,
                "elementer": ["navn"],
                "gyldighet": ["soekweb"],
            },
        ),
        400,
        "UKJENT_GYLDIGHET",
    )


# -- command line ------------------------------------------------------------------------------------


def test_cli_users_person_grants_and_gyldighet(cli: CliRunner) -> None:
    org(cli)
    org(cli, ORG_B)
    user = run_json(
        cli, "admin", "user", "create", "--orgnr", ORG_A, "--foedselsnummer", KARI, "--navn", "Kari", "--json"
    )
    assert (user["foedselsnummer"], user["navn"], user["aktiv"], user["orgnr"]) == (KARI, "Kari", True, ORG_A)
    assert "Created person user" in run(
        cli, "admin", "user", "create", "--orgnr", ORG_B, "--foedselsnummer", KARI, "--navn", "Kari B"
    )
    role_args = ["--rettighetspakke", MED, "--bruksomraade", "sok-etter-person", "--part", "navn", "--json"]
    portal = run_json(
        cli,
        "admin",
        "role",
        "create",
        "--orgnr",
        ORG_A,
        "--navn",
        "Portal",
        "--gyldighet",
        "soekWeb",
        "--gyldighet",
        "api",
        *role_args,
    )
    assert portal["rolle"]["gyldighet"] == ["api", "soekWeb"]
    plain = run_json(cli, "admin", "role", "create", "--orgnr", ORG_A, "--navn", "Maskin", *role_args)
    assert plain["rolle"]["gyldighet"] == ["api"]

    granted = run_json(cli, "admin", "grant", "--bruker", KARI, "--rolle", portal["rolleId"], "--json")
    assert (granted["brukerId"], granted["ny"]) == (user["brukerId"], True)
    grants = run_json(cli, "admin", "grants", "--orgnr", ORG_A, "--json")
    assert [(g["brukerId"], g["integrasjonId"]) for g in grants] == [(user["brukerId"], None)]
    assert "Revoked" in run(cli, "admin", "revoke", "--bruker", KARI, "--rolle", portal["rolleId"])

    listed = run_json(cli, "admin", "user", "list", "--orgnr", ORG_A, "--json")
    assert [u["brukerId"] for u in listed] == [user["brukerId"]]
    everyone = run_json(cli, "admin", "user", "list", "--json")
    assert [(u["orgnr"], u["navn"]) for u in everyone] == [(ORG_A, "Kari"), (ORG_B, "Kari B")]
    gone = run_json(cli, "admin", "user", "deactivate", "--orgnr", ORG_A, "--foedselsnummer", KARI, "--json")
    assert gone["aktiv"] is False
    assert "deactivated" in run(cli, "admin", "user", "list", "--orgnr", ORG_A)
    # organisations keep showing their id in Fiks
    assert all(o["fiksOrgId"] for o in run_json(cli, "admin", "org", "list", "--json"))


def test_cli_errors_a_user_can_cause(cli: CliRunner) -> None:
    org(cli)
    org(cli, ORG_B)

    def refused(*args: str) -> str:
        result = cli.invoke(app, list(args))
        assert result.exit_code == 1, result.output
        return result.output

    assert "invalid check digits" in refused(
        "admin", "user", "create", "--orgnr", ORG_A, "--foedselsnummer", "06076301708", "--navn", "K"
    )
    assert "must be 11 digits" in refused(
        "admin", "user", "create", "--orgnr", ORG_A, "--foedselsnummer", "123", "--navn", "K"
    )
    run(cli, "admin", "user", "create", "--orgnr", ORG_A, "--foedselsnummer", KARI, "--navn", "K")
    assert "BRUKER_FINNES" in refused(
        "admin", "user", "create", "--orgnr", ORG_A, "--foedselsnummer", KARI, "--navn", "K"
    )
    role_b = run_json(
        cli,
        "admin",
        "role",
        "create",
        "--orgnr",
        ORG_B,
        "--navn",
        "B",
        "--rettighetspakke",
        MED,
        "--bruksomraade",
        "sok-etter-person",
        "--part",
        "navn",
    )["rolleId"]
    # KARI is a user of A only: B's role cannot be granted to her
    assert "BRUKER_FINNES_IKKE" in refused("admin", "grant", "--bruker", KARI, "--rolle", role_b)
    assert "BRUKER_FINNES_IKKE" in refused(
        "admin", "user", "deactivate", "--orgnr", ORG_B, "--foedselsnummer", KARI
    )
    assert "exactly one of --integrasjon and --bruker" in refused("admin", "grant", "--rolle", role_b)
    assert "UKJENT_GYLDIGHET" in refused(
        "admin",
        "role",
        "create",
        "--orgnr",
        ORG_A,
        "--navn",
        "X",
        "--rettighetspakke",
        MED,
        "--bruksomraade",
        "sok-etter-person",
        "--part",
        "navn",
        "--gyldighet",
        "web",
    )


def test_cli_person_administrator(cli: CliRunner) -> None:
    org(cli)
    made = run_json(
        cli,
        "admin",
        "administrator",
        "create",
        "--orgnr",
        ORG_A,
        "--foedselsnummer",
        KARI,
        "--navn",
        "Kari",
        "--json",
    )
    assert (made["foedselsnummer"], made["orgnr"]) == (KARI, ORG_A)
    assert "apiNoekkel" not in made
    listed = run_json(cli, "admin", "administrator", "list", "--json")
    assert [a["foedselsnummer"] for a in listed] == [KARI]


def test_cli_person_operator(cli: CliRunner) -> None:
    made = run_json(
        cli, "admin", "operator", "create", "--foedselsnummer", OLA, "--navn", "Ola Drift", "--json"
    )
    assert (made["foedselsnummer"], made["orgnr"]) == (OLA, None)
    assert "apiNoekkel" not in made
    listed = run_json(cli, "admin", "administrator", "list", "--json")
    assert [(a["foedselsnummer"], a["orgnr"]) for a in listed] == [(OLA, None)]
    refused = cli.invoke(app, ["admin", "operator", "create", "--foedselsnummer", "123", "--navn", "X"])
    assert refused.exit_code == 1 and "UGYLDIG_FOEDSELSNUMMER" in refused.output


def test_what_a_person_administers_now(two_orgs: AdminService) -> None:
    made = two_orgs.create_person_administrator(CONSOLE, KARI, "Kari Admin", ORG_B)
    two_orgs.create_person_administrator(CONSOLE, KARI, "Kari Drift", None)
    two_orgs.create_person_administrator(CONSOLE, KARI, "Kari Admin", ORG_A)
    found = two_orgs.person_administrations(KARI)
    assert sorted((record.orgnr or "") for record in found) == sorted(["", ORG_A, ORG_B])
    assert all(record.foedselsnummer == KARI and record.deaktivert is None for record in found)
    two_orgs.deactivate_administrator(CONSOLE, made.id)
    assert ORG_B not in [record.orgnr for record in two_orgs.person_administrations(KARI)]
    assert two_orgs.person_administrations(OLA) == []
