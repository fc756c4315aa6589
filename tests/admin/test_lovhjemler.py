"""The editable catalogue of legal bases: the fixed catalogue is its seed; only the platform operator adds,
changes and removes entries (admin API, command line); every reader (roles, the Konfigurasjon API) sees it;
roles keep the legal basis they chose; every change in the change log."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.konfigurasjon import build_konfigurasjon_router
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.cli import app as cli_app
from fiks_folkeregister.domain.tjenesteomrade import STANDARD_LOVHJEMLER
from fiks_folkeregister.gateway.router import KONFIGURASJON_PREFIX
from tests.admin.conftest import CONSOLE, ORG_A
from tests.admin.test_admin_api import Api, assert_error
from tests.admin.test_admin_api import api as api
from tests.admin.test_admin_cli import cli as cli
from tests.admin.test_admin_cli import run, run_json

ADA = Actor(navn="ada", kind=ActorKind.ADMINISTRATOR, orgnr=ORG_A)
OPS = Actor(navn="ops", kind=ActorKind.OPERATOR)
NY = "Folkeregisterloven § 10-2"
URL = "https://lovdata.no/lov/2016-12-09-88/§10-2"


def refusal(call: Any, *args: Any, **kwargs: Any) -> AdminError:
    with pytest.raises(AdminError) as caught:
        call(*args, **kwargs)
    return caught.value


def catalogue_changes(service: AdminService) -> list[Any]:
    return [c for c in service.change_log(CONSOLE) if c.objekttype == "lovhjemmel"]


def test_the_fixed_catalogue_is_the_seed(service: AdminService) -> None:
    assert service.list_lovhjemler() == list(STANDARD_LOVHJEMLER)
    assert [e.id for e in service.list_lovhjemmel_katalog()] == sorted(
        e.id for e in service.list_lovhjemmel_katalog()
    )


def test_the_operator_adds_changes_and_removes_and_roles_keep_what_they_chose(two_orgs: AdminService) -> None:
    entry = two_orgs.create_lovhjemmel(OPS, f" {NY} ", ["TEKNISK", "STOTTE", "TEKNISK"], [URL])
    assert (entry.lovhjemmel.beskrivelse, [a.value for a in entry.lovhjemmel.omrader]) == (
        NY,
        ["TEKNISK", "STOTTE"],
    )
    assert [lov.beskrivelse for lov in two_orgs.list_lovhjemler("TEKNISK")] == [NY]

    role = two_orgs.create_role(
        ADA,
        ORG_A,
        "Teknisk",
        "offentlig-uten-hjemmel",
        ["sok-etter-person"],
        ["navn"],
        tjeneste_omrade="TEKNISK",
        lovhjemmel=NY,
    )
    assert role.lovhjemmel is not None and role.lovhjemmel.urler == (URL,)

    changed = two_orgs.update_lovhjemmel(OPS, entry.id, beskrivelse=NY + " første ledd", urler=[])
    assert changed.lovhjemmel.urler == () and changed.lovhjemmel.omrader == entry.lovhjemmel.omrader
    kept = two_orgs.get_role(ADA, role.rolle.id).lovhjemmel
    assert kept is not None and (kept.beskrivelse, kept.urler) == (NY, (URL,))  # the role keeps its choice

    two_orgs.delete_lovhjemmel(OPS, entry.id)
    assert two_orgs.list_lovhjemler("TEKNISK") == []
    assert two_orgs.get_role(ADA, role.rolle.id).lovhjemmel == kept
    error = refusal(
        two_orgs.create_role,
        ADA,
        ORG_A,
        "Ny",
        "offentlig-uten-hjemmel",
        ["sok-etter-person"],
        ["navn"],
        tjeneste_omrade="TEKNISK",
        lovhjemmel=NY,
    )
    assert (error.status, error.code) == (400, "UKJENT_LOVHJEMMEL")

    changes = catalogue_changes(two_orgs)
    assert [c.handling for c in changes] == [
        "lovhjemmel.slettet",
        "lovhjemmel.endret",
        "lovhjemmel.opprettet",
    ]
    assert changes[1].foer["beskrivelse"] == NY and changes[1].etter["beskrivelse"] == NY + " første ledd"
    assert changes[0].utfoert_av == "ops" and changes[0].etter is None


def test_an_administrator_may_read_but_not_change_the_catalogue(two_orgs: AdminService) -> None:
    first = two_orgs.list_lovhjemmel_katalog()[0]
    for call, args in (
        (two_orgs.create_lovhjemmel, (ADA, NY, ["TEKNISK"])),
        (two_orgs.update_lovhjemmel, (ADA, first.id)),
        (two_orgs.delete_lovhjemmel, (ADA, first.id)),
    ):
        error = refusal(call, *args)
        assert (error.status, error.code) == (403, "KREVER_OPERATOER")
    assert two_orgs.list_lovhjemler() == list(STANDARD_LOVHJEMLER)
    assert catalogue_changes(two_orgs) == []


@pytest.mark.parametrize(
    ("arguments", "code", "status"),
    [
        ((" ", ["TEKNISK"], []), "UGYLDIG_LOVHJEMMEL", 400),
        ((NY, [], []), "UGYLDIG_LOVHJEMMEL", 400),
        ((NY, ["SKOLE"], []), "UKJENT_TJENESTEOMRADE", 400),
        ((NY, ["TEKNISK"], ["lovdata.no/x"]), "UGYLDIG_LOVHJEMMEL", 400),
        ((NY, ["TEKNISK"], ["javascript:alert(1)"]), "UGYLDIG_LOVHJEMMEL", 400),
        (("Barnevernsloven § 13-4", ["TEKNISK"], []), "LOVHJEMMEL_FINNES", 409),
    ],
)
def test_invalid_entries_are_refused_and_nothing_changes(
    service: AdminService, arguments: tuple[Any, ...], code: str, status: int
) -> None:
    error = refusal(service.create_lovhjemmel, OPS, *arguments)
    assert (error.status, error.code) == (status, code) and error.message
    assert service.list_lovhjemler() == list(STANDARD_LOVHJEMLER)


def test_changing_to_a_taken_text_or_an_unknown_id_is_refused(service: AdminService) -> None:
    first, second = service.list_lovhjemmel_katalog()[:2]
    error = refusal(service.update_lovhjemmel, OPS, second.id, beskrivelse=first.lovhjemmel.beskrivelse)
    assert (error.status, error.code) == (409, "LOVHJEMMEL_FINNES")
    for call in (service.update_lovhjemmel, service.delete_lovhjemmel):
        error = refusal(call, OPS, 999_999)
        assert (error.status, error.code) == (404, "LOVHJEMMEL_FINNES_IKKE")
    assert service.list_lovhjemler() == list(STANDARD_LOVHJEMLER)


def test_the_admin_api_keeps_the_catalogue_and_the_konfigurasjon_api_reads_it(api: Api) -> None:
    body = {"beskrivelse": NY, "omrader": ["TEKNISK"], "urler": [URL]}
    assert_error(api.call("POST", "/lovhjemler", api.admin_a, json=body), 403, "KREVER_OPERATOER")
    made = api.call("POST", "/lovhjemler", api.operator, json=body)
    assert made.status_code == 201, made.text
    entry = made.json()
    assert (
        entry["beskrivelse"] == NY
        and entry["omrader"] == ["TEKNISK"]
        and isinstance(entry["lovhjemmelId"], int)
    )
    path = f"/lovhjemler/{entry['lovhjemmelId']}"
    changed = api.call("PATCH", path, api.operator, json={"urler": []})
    assert changed.status_code == 200 and changed.json()["urler"] == []
    assert_error(api.call("PATCH", path, api.admin_a, json={"urler": []}), 403, "KREVER_OPERATOER")
    assert_error(api.call("POST", "/lovhjemler", api.operator, json=body), 409, "LOVHJEMMEL_FINNES")

    app = FastAPI()
    app.include_router(build_konfigurasjon_router(api.service), prefix=KONFIGURASJON_PREFIX)
    with TestClient(app) as konfig:
        read = konfig.get(KONFIGURASJON_PREFIX + "/lovhjemler/TEKNISK", headers=api.admin_a)
        assert read.json() == [NY]
        assert api.call("DELETE", path, api.operator).status_code == 204
        assert konfig.get(KONFIGURASJON_PREFIX + "/lovhjemler/TEKNISK", headers=api.admin_a).json() == []
    assert_error(api.call("DELETE", path, api.operator), 404, "LOVHJEMMEL_FINNES_IKKE")


def test_the_command_line_keeps_the_catalogue(cli: Any) -> None:
    listed = run_json(cli, "admin", "lovhjemmel", "list", "--json")
    assert len(listed) == len(STANDARD_LOVHJEMLER)
    made = run_json(
        cli,
        "admin",
        "lovhjemmel",
        "create",
        "--beskrivelse",
        NY,
        "--omrade",
        "TEKNISK",
        "--url",
        URL,
        "--json",
    )
    assert made["beskrivelse"] == NY
    ident = str(made["lovhjemmelId"])
    changed = run_json(cli, "admin", "lovhjemmel", "update", ident, "--omrade", "STOTTE", "--json")
    assert changed["omrader"] == ["STOTTE"]
    assert NY in run(cli, "admin", "role", "lovhjemler", "--tjenesteomrade", "STOTTE")
    assert "Deleted" in run(cli, "admin", "lovhjemmel", "delete", ident)
    refused = cli.invoke(cli_app, ["admin", "lovhjemmel", "delete", ident])
    assert refused.exit_code == 1 and "LOVHJEMMEL_FINNES_IKKE" in refused.output
