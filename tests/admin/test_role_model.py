"""The Fiks role model's stored fields: service area, legal basis, tags, active or not, and holder counts;
through the service, the admin API and the command line, each change in the change log with before/after."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import insert, select

from fiks_folkeregister.admin.access import AccessDirectory
from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.roles import StoredRole
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.cli import app as cli_app
from fiks_folkeregister.storage.database import create_gateway_engine, migrate
from fiks_folkeregister.storage.tables import integrasjon, organisasjon, rolle, tildeling
from tests.admin.conftest import CONSOLE, ORG_A, ORG_B
from tests.admin.test_admin_api import Api, assert_error
from tests.admin.test_admin_api import api as api
from tests.admin.test_admin_cli import cli as cli
from tests.admin.test_admin_cli import org, run, run_json
from tests.admin.test_fiks_org_id_migration import _alembic

BARNEVERN_LOV = "Barnevernsloven § 13-4"
ADMIN_A = Actor(navn="ada", kind=ActorKind.ADMINISTRATOR, orgnr=ORG_A)
ADMIN_B = Actor(navn="bo", kind=ActorKind.ADMINISTRATOR, orgnr=ORG_B)


def refusal(call: Any, *args: Any, **kwargs: Any) -> AdminError:
    with pytest.raises(AdminError) as caught:
        call(*args, **kwargs)
    return caught.value


def make_role(service: AdminService, orgnr: str = ORG_A, navn: str = "Barnevern", **extra: Any) -> StoredRole:
    return service.create_role(
        CONSOLE, orgnr, navn, "offentlig-med-hjemmel", ["sok-etter-person"], ["person-basis"], **extra
    )


def role_changes(service: AdminService) -> list[Any]:
    return [change for change in service.change_log(CONSOLE, ORG_A) if change.objekttype == "rolle"]


# -- the service ------------------------------------------------------------------------------------


def test_a_role_holds_service_area_legal_basis_and_tags(two_orgs: AdminService) -> None:
    made = make_role(
        two_orgs, tjeneste_omrade="BARNEVERN", lovhjemmel=BARNEVERN_LOV, tagger=["barn", " akutt ", "barn"]
    )

    read = two_orgs.get_role(CONSOLE, made.rolle.id)
    assert read.tjeneste_omrade.value == "BARNEVERN"
    assert read.lovhjemmel is not None and read.lovhjemmel.beskrivelse == BARNEVERN_LOV
    assert read.lovhjemmel.urler == ("https://lovdata.no/lov/2021-06-18-97/§13-4",)
    assert read.tagger == ("barn", "akutt")
    assert read.aktiv and read.rolle.aktiv
    assert (read.antall_personer, read.antall_integrasjoner) == (0, 0)


def test_a_role_without_them_serves_support_functions_without_legal_basis(two_orgs: AdminService) -> None:
    made = make_role(two_orgs)
    assert made.tjeneste_omrade.value == "STOTTE"
    assert made.lovhjemmel is None and made.tagger == () and made.aktiv


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"tjeneste_omrade": "SKOLE"}, "UKJENT_TJENESTEOMRADE"),
        ({"tjeneste_omrade": "HELSE", "lovhjemmel": BARNEVERN_LOV}, "UKJENT_LOVHJEMMEL"),
        ({"lovhjemmel": "Barnevernsloven § 13-4"}, "UKJENT_LOVHJEMMEL"),  # STOTTE has no legal basis
        ({"tagger": ["x"]}, "UGYLDIG_TAGG"),
        ({"tagger": ["<script>"]}, "UGYLDIG_TAGG"),
        ({"tagger": ["a" * 101]}, "UGYLDIG_TAGG"),
    ],
)
def test_invalid_fields_are_refused_and_nothing_is_written(
    two_orgs: AdminService, extra: dict[str, Any], code: str
) -> None:
    error = refusal(make_role, two_orgs, **extra)
    assert (error.status, error.code) == (400, code)
    assert error.message
    assert two_orgs.list_roles(CONSOLE, ORG_A) == []
    assert [c for c in two_orgs.change_log(CONSOLE, ORG_A) if c.objekttype == "rolle"] == []


def test_an_unknown_legal_basis_is_refused_naming_the_areas_choices(two_orgs: AdminService) -> None:
    error = refusal(make_role, two_orgs, tjeneste_omrade="HELSE", lovhjemmel="Gravferdsloven § 9")
    assert error.details["gyldige"] == ["Helse- og omsorgstjenesteloven § 12-1"]
    assert "Helse- og omsorgstjenesteloven § 12-1" in error.message


def test_updating_the_fields_keeps_the_rest_and_logs_before_and_after(two_orgs: AdminService) -> None:
    made = make_role(two_orgs, tjeneste_omrade="BARNEVERN", lovhjemmel=BARNEVERN_LOV, tagger=["barn"])

    tagged = two_orgs.update_role(CONSOLE, made.rolle.id, tagger=["ny", "tagg"])
    assert tagged.tagger == ("ny", "tagg")
    assert tagged.lovhjemmel == made.lovhjemmel and tagged.tjeneste_omrade == made.tjeneste_omrade

    # a new area whose catalogue lacks the kept legal basis: refused, nothing changed
    error = refusal(two_orgs.update_role, CONSOLE, made.rolle.id, tjeneste_omrade="HELSE")
    assert (error.status, error.code) == (400, "UKJENT_LOVHJEMMEL")
    assert two_orgs.get_role(CONSOLE, made.rolle.id).tjeneste_omrade.value == "BARNEVERN"

    moved = two_orgs.update_role(
        CONSOLE, made.rolle.id, tjeneste_omrade="HELSE", lovhjemmel="Helse- og omsorgstjenesteloven § 12-1"
    )
    assert moved.tjeneste_omrade.value == "HELSE"
    assert moved.lovhjemmel is not None and moved.lovhjemmel.beskrivelse.startswith("Helse")
    cleared = two_orgs.update_role(CONSOLE, made.rolle.id, lovhjemmel="")
    assert cleared.lovhjemmel is None and cleared.tjeneste_omrade.value == "HELSE"

    changes = role_changes(two_orgs)
    assert [c.handling for c in changes] == ["rolle.endret"] * 3 + ["rolle.opprettet"]
    newest = changes[0]
    assert newest.foer is not None and newest.etter is not None
    assert newest.foer["lovhjemmel"]["beskrivelse"].startswith("Helse") and newest.etter["lovhjemmel"] is None
    assert changes[2].foer["tagger"] == ["barn"] and changes[2].etter["tagger"] == ["ny", "tagg"]


def test_deactivating_and_activating_are_logged_and_repeating_them_changes_nothing(
    two_orgs: AdminService,
) -> None:
    made = make_role(two_orgs)

    off = two_orgs.deactivate_role(ADMIN_A, made.rolle.id)
    assert not off.aktiv and not two_orgs.get_role(CONSOLE, made.rolle.id).aktiv
    assert not two_orgs.deactivate_role(ADMIN_A, made.rolle.id).aktiv
    on = two_orgs.activate_role(ADMIN_A, made.rolle.id, ORG_A)
    assert on.aktiv and two_orgs.get_role(CONSOLE, made.rolle.id).aktiv

    changes = role_changes(two_orgs)
    assert [c.handling for c in changes] == ["rolle.aktivert", "rolle.deaktivert", "rolle.opprettet"]
    assert changes[1].utfoert_av == "ada"
    assert (changes[1].foer or {})["aktiv"] is True and (changes[1].etter or {})["aktiv"] is False
    assert (changes[0].foer or {})["aktiv"] is False and (changes[0].etter or {})["aktiv"] is True


def test_another_organisations_role_is_not_found(two_orgs: AdminService) -> None:
    made = make_role(two_orgs)
    for call in (two_orgs.deactivate_role, two_orgs.activate_role, two_orgs.get_role):
        error = refusal(call, ADMIN_B, made.rolle.id)
        assert (error.status, error.code) == (404, "ROLLE_FINNES_IKKE")
    assert (refusal(two_orgs.remove_tag, ADMIN_B, made.rolle.id, "x").status) == 404
    assert (refusal(two_orgs.deactivate_role, ADMIN_A, made.rolle.id, ORG_B).status) == 404
    assert two_orgs.get_role(CONSOLE, made.rolle.id).aktiv


def test_tags_are_added_and_removed_one_by_one(two_orgs: AdminService) -> None:
    made = make_role(two_orgs, tagger=["barn"])
    assert two_orgs.add_tag(ADMIN_A, made.rolle.id, "skole").tagger == ("barn", "skole")
    assert two_orgs.add_tag(ADMIN_A, made.rolle.id, "skole").tagger == ("barn", "skole")
    assert two_orgs.remove_tag(ADMIN_A, made.rolle.id, "barn").tagger == ("skole",)
    error = refusal(two_orgs.remove_tag, ADMIN_A, made.rolle.id, "barn")
    assert (error.status, error.code) == (400, "UKJENT_TAGG")
    assert (refusal(two_orgs.add_tag, ADMIN_A, made.rolle.id, "?").code) == "UGYLDIG_TAGG"
    assert two_orgs.get_role(CONSOLE, made.rolle.id).tagger == ("skole",)
    handlings = [c.handling for c in role_changes(two_orgs)]
    assert handlings == ["rolle.endret", "rolle.endret", "rolle.opprettet"]  # the repeated add logged nothing


def test_a_role_counts_the_persons_and_integrations_holding_it(two_orgs: AdminService) -> None:
    made = make_role(two_orgs)
    other = make_role(two_orgs, navn="Annen")
    first = two_orgs.create_integration(CONSOLE, ORG_A, "Fagsystem").integrasjon
    second = two_orgs.create_integration(CONSOLE, ORG_A, "Arkiv").integrasjon
    kari = two_orgs.create_user(CONSOLE, ORG_A, "06076301709", "Kari")
    ola = two_orgs.create_user(CONSOLE, ORG_A, "13097248022", "Ola")
    for integration in (first, second):
        two_orgs.grant(CONSOLE, integration.id, made.rolle.id)
    for user in (kari, ola):
        two_orgs.grant_user(CONSOLE, user.id, made.rolle.id)
    two_orgs.revoke(CONSOLE, second.id, made.rolle.id)
    two_orgs.deactivate_user(CONSOLE, ola.id)

    read = two_orgs.get_role(CONSOLE, made.rolle.id)
    assert (read.antall_personer, read.antall_integrasjoner) == (1, 1)
    listed = {
        r.rolle.navn: (r.antall_personer, r.antall_integrasjoner) for r in two_orgs.list_roles(ADMIN_A, ORG_A)
    }
    assert listed == {"Barnevern": (1, 1), "Annen": (0, 0)}
    assert other.rolle.id != made.rolle.id


def test_the_legal_basis_catalogue_is_read_per_service_area(two_orgs: AdminService) -> None:
    assert [lov.beskrivelse for lov in two_orgs.list_lovhjemler("OMSORG")] == [
        "Helse- og omsorgstjenesteloven § 12-1"
    ]
    assert two_orgs.list_lovhjemler("TEKNISK") == []
    assert len(two_orgs.list_lovhjemler()) == 7
    assert refusal(two_orgs.list_lovhjemler, "SKOLE").code == "UKJENT_TJENESTEOMRADE"


# -- the admin API ------------------------------------------------------------------------------------


ROLE_BODY = {
    "navn": "Barnevern",
    "rettighetspakke": "offentlig-med-hjemmel",
    "bruksomraader": ["sok-etter-person"],
    "elementer": ["person-basis"],
    "tjenesteOmrade": "BARNEVERN",
    "lovhjemmel": BARNEVERN_LOV,
    "tagger": ["barn"],
}


def test_the_admin_api_shows_and_changes_the_new_fields(api: Api) -> None:
    created = api.call("POST", f"/organisasjoner/{ORG_A}/roller", api.admin_a, json=ROLE_BODY)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["tjenesteOmrade"] == "BARNEVERN"
    assert body["lovhjemmel"] == {
        "beskrivelse": BARNEVERN_LOV,
        "omrader": ["BARNEVERN"],
        "urler": ["https://lovdata.no/lov/2021-06-18-97/§13-4"],
    }
    assert (body["aktiv"], body["tagger"], body["antallPersoner"], body["antallIntegrasjoner"]) == (
        True,
        ["barn"],
        0,
        0,
    )
    path = f"/organisasjoner/{ORG_A}/roller/{body['rolleId']}"

    changed = api.call("PATCH", path, api.admin_a, json={"tagger": ["a1", "b2"], "lovhjemmel": ""})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["tagger"], changed.json()["lovhjemmel"]) == (["a1", "b2"], None)

    off = api.call("PUT", path + "/deaktiver", api.admin_a)
    assert off.status_code == 200 and off.json()["aktiv"] is False
    assert api.call("GET", path, api.admin_a).json()["aktiv"] is False
    assert api.call("PUT", path + "/aktiver", api.admin_a).json()["aktiv"] is True

    assert api.call("PUT", path + "/tagger/c3", api.admin_a).json()["tagger"] == ["a1", "b2", "c3"]
    assert api.call("DELETE", path + "/tagger/a1", api.admin_a).json()["tagger"] == ["b2", "c3"]
    assert_error(api.call("DELETE", path + "/tagger/a1", api.admin_a), 400, "UKJENT_TAGG")

    # another organisation's administrator: 404 on every role path; nothing changed
    for method, suffix in (("PUT", "/deaktiver"), ("PUT", "/aktiver"), ("PUT", "/tagger/x1"), ("GET", "")):
        assert_error(api.call(method, path + suffix, api.admin_b), 404, "ROLLE_FINNES_IKKE")
    assert api.call("GET", path, api.admin_a).json()["aktiv"] is True


def test_the_admin_api_refuses_invalid_fields_with_their_code(api: Api) -> None:
    for changes, code in (
        ({"tjenesteOmrade": "SKOLE"}, "UKJENT_TJENESTEOMRADE"),
        ({"lovhjemmel": "Gravferdsloven § 9"}, "UKJENT_LOVHJEMMEL"),
        ({"tagger": [" "]}, "UGYLDIG_TAGG"),
    ):
        body = assert_error(
            api.call("POST", f"/organisasjoner/{ORG_A}/roller", api.admin_a, json=ROLE_BODY | changes),
            400,
            code,
        )
        assert body["errorJson"]
    assert api.call("GET", f"/organisasjoner/{ORG_A}/roller", api.admin_a).json() == []


def test_the_admin_api_lists_the_legal_basis_catalogue(api: Api) -> None:
    found = api.call("GET", "/lovhjemler?omrade=GRAVFERDSMYNDIGHET", api.admin_a)
    assert found.status_code == 200
    assert [lov["beskrivelse"] for lov in found.json()] == ["Gravferdsloven § 9"]
    assert_error(api.call("GET", "/lovhjemler?omrade=X", api.admin_a), 400, "UKJENT_TJENESTEOMRADE")
    assert_error(api.call("GET", "/lovhjemler"), 401, "MANGLER_AUTENTISERING")


# -- the command line ------------------------------------------------------------------------------------


def test_the_command_line_sets_the_fields_and_deactivates(cli: Any) -> None:
    org(cli)
    created = run_json(
        cli,
        *("admin", "role", "create", "--orgnr", ORG_A, "--navn", "Barnevern"),
        *("--rettighetspakke", "offentlig-med-hjemmel", "--bruksomraade", "sok-etter-person"),
        *("--part", "person-basis", "--tjenesteomrade", "BARNEVERN", "--lovhjemmel", BARNEVERN_LOV),
        *("--tagg", "barn", "--tagg", "akutt", "--json"),
    )
    shown = created["rolle"]
    assert (shown["tjenesteOmrade"], shown["lovhjemmel"]["beskrivelse"], shown["tagger"]) == (
        "BARNEVERN",
        BARNEVERN_LOV,
        ["barn", "akutt"],
    )
    rolle_id = created["rolleId"]
    updated = run_json(cli, "admin", "role", "update", rolle_id, "--tagg", "ny", "--lovhjemmel", "", "--json")
    assert (updated["tagger"], updated["lovhjemmel"]) == (["ny"], None)
    assert run_json(cli, "admin", "role", "update", rolle_id, "--uten-tagger", "--json")["tagger"] == []

    assert "Deactivated role" in run(cli, "admin", "role", "deactivate", rolle_id)
    assert run_json(cli, "admin", "role", "show", rolle_id, "--json")["aktiv"] is False
    assert "DEAKTIVERT" in run(cli, "admin", "role", "list", "--orgnr", ORG_A)
    assert run_json(cli, "admin", "role", "activate", rolle_id, "--json")["aktiv"] is True

    refused = cli.invoke(
        cli_app,
        ["admin", "role", "update", rolle_id, "--tjenesteomrade", "SKOLE"],
    )
    assert refused.exit_code == 1 and "UKJENT_TJENESTEOMRADE" in refused.output
    assert "Gravferdsloven § 9" in run(
        cli, "admin", "role", "lovhjemler", "--tjenesteomrade", "GRAVFERDSMYNDIGHET"
    )


# -- the migration ---------------------------------------------------------------------------------------


def test_existing_roles_become_active_support_roles_and_keep_working(database_url: str) -> None:
    engine = create_gateway_engine(database_url)
    url = engine.url.render_as_string(hide_password=False)
    now = datetime.now(UTC)
    role_id, integration_id = uuid4(), uuid4()
    try:
        _alembic(url, "g0007")
        with engine.begin() as connection:  # rows as g0007 knew them (no column g0008 adds)
            connection.execute(
                insert(organisasjon).values(orgnr=ORG_A, navn="K", opprettet=now, fiks_org_id=uuid4())
            )
            connection.execute(
                insert(rolle).values(
                    id=role_id,
                    orgnr=ORG_A,
                    navn="R",
                    beskrivelse="gammel",
                    rettighetspakke="offentlig-med-hjemmel",
                    bruksomraader=["sok-etter-person"],
                    deler=["navn"],
                    elementer=["navn"],
                    historikk=False,
                    gyldighet=["api"],
                    opprettet=now,
                    endret=now,
                )
            )
            connection.execute(
                insert(integrasjon).values(
                    id=integration_id,
                    orgnr=ORG_A,
                    navn="I",
                    beskrivelse="",
                    autorisert_orgnr=ORG_A,
                    passord_hash="x",
                    passord_endret=now,
                    opprettet=now,
                )
            )
            connection.execute(
                insert(tildeling).values(
                    integrasjon_id=integration_id, rolle_id=role_id, opprettet=now, opprettet_av="test"
                )
            )

        migrate(engine)  # as the gateway upgrades at start: its own engine, foreign keys on (SQLite)
        if engine.dialect.name == "sqlite":  # off only while the upgrade ran: on again for every connection
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

        with engine.connect() as connection:
            row = connection.execute(select(rolle).where(rolle.c.id == role_id)).one()
        assert (row.tjeneste_omrade, row.lovhjemmel, row.aktiv, row.tagger) == ("STOTTE", None, True, [])
        found = AccessDirectory(engine).lookup(integration_id, role_id)
        assert found.granted and found.role is not None and found.role.aktiv
        assert found.role.elementer == frozenset({"navn"}) and found.role.beskrivelse == "gammel"
    finally:
        engine.dispose()
