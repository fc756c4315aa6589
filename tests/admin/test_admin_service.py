"""The configuration use cases: validation an administrator understands, isolation, and the change log."""

from __future__ import annotations

from uuid import uuid4

import pytest

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.domain.informasjonselementer import ALIASES, Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade
from tests.admin.conftest import CONSOLE, ORG_A, ORG_B

MED = "offentlig-med-hjemmel"
UTEN = "offentlig-uten-hjemmel"
ADMIN_A = Actor(navn="administrator:a", kind=ActorKind.ADMINISTRATOR, orgnr=ORG_A)


def refusal(call: object, *args: object, **kwargs: object) -> AdminError:
    with pytest.raises(AdminError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value


def test_an_organisation_gets_its_county_from_the_municipality(service: AdminService) -> None:
    org = service.create_organisation(CONSOLE, ORG_A, "Oslo kommune", "0301")

    assert (org.orgnr, org.navn, org.kommunenummer, org.fylkesnummer) == (ORG_A, "Oslo kommune", "0301", "03")
    assert [o.orgnr for o in service.list_organisations(CONSOLE)] == [ORG_A]


def test_organisation_errors(service: AdminService) -> None:
    service.create_organisation(CONSOLE, ORG_A, "A")

    assert refusal(service.create_organisation, CONSOLE, ORG_A, "Again").code == "ORGANISASJON_FINNES"
    assert refusal(service.create_organisation, CONSOLE, "12345678", "Short").code == "UGYLDIG_ORGNR"
    assert refusal(service.create_organisation, CONSOLE, ORG_B, "B", "301").code == "UGYLDIG_KOMMUNENUMMER"
    assert refusal(service.create_organisation, CONSOLE, ORG_B, "  ").code == "UGYLDIG_NAVN"
    assert refusal(service.create_organisation, ADMIN_A, ORG_B, "B").status == 403
    assert refusal(service.get_organisation, CONSOLE, ORG_B).code == "ORGANISASJON_FINNES_IKKE"


def test_a_role_stores_its_elements_expanded_and_history_as_a_flag(two_orgs: AdminService) -> None:
    stored = two_orgs.create_role(
        CONSOLE,
        ORG_A,
        "Saksbehandler",
        MED,
        ["sok-etter-person"],
        ["person-basis", "familierelasjon", "historikk"],
    )

    role = two_orgs.get_role(CONSOLE, stored.rolle.id).rolle
    assert role.elementer == ALIASES["person-basis"] | {"familierelasjon"}
    assert role.historikk is True
    assert role.rettighetspakke is Rettighetspakke.OFFENTLIG_MED_HJEMMEL
    assert role.bruksomraader == {Bruksomraade.SOK_ETTER_PERSON}
    assert role.orgnr == ORG_A


def test_a_role_cannot_hold_what_its_rights_package_may_not_receive(two_orgs: AdminService) -> None:
    error = refusal(
        two_orgs.create_role,
        CONSOLE,
        ORG_A,
        "Barnevern",
        UTEN,
        ["sok-etter-person"],
        ["navn", "familierelasjon", "relasjon-utvidet"],
    )

    assert error.code == "ELEMENT_IKKE_TILLATT"
    assert error.details == {
        "rettighetspakke": UTEN,
        "elementer": ["familierelasjon", "foreldreansvar"],
    }
    assert "may not receive: familierelasjon, foreldreansvar" in error.message
    assert two_orgs.list_roles(CONSOLE, ORG_A) == []


@pytest.mark.parametrize(
    ("rettighetspakke", "bruksomraader", "deler", "code"),
    [
        ("offentlig", ["sok-etter-person"], ["navn"], "UKJENT_RETTIGHETSPAKKE"),
        (MED, ["sok"], ["navn"], "UKJENT_BRUKSOMRAADE"),
        (MED, [], ["navn"], "MANGLER_BRUKSOMRAADE"),
        (MED, ["uttrekk"], ["navn", "skostoerrelse"], "UKJENT_PART"),
        (MED, ["uttrekk"], ["historikk"], "MANGLER_ELEMENTER"),
    ],
)
def test_role_definition_errors(
    two_orgs: AdminService, rettighetspakke: str, bruksomraader: list[str], deler: list[str], code: str
) -> None:
    error = refusal(two_orgs.create_role, CONSOLE, ORG_A, "R", rettighetspakke, bruksomraader, deler)

    assert (error.status, error.code) == (400, code)


def test_unknown_names_are_listed_in_the_error(two_orgs: AdminService) -> None:
    error = refusal(two_orgs.create_role, CONSOLE, ORG_A, "R", MED, ["sok", "uttrekk", "x"], ["navn"])

    assert error.details is not None
    assert error.details["ukjente"] == ["sok", "x"]


def test_role_names_are_unique_within_an_organisation_only(two_orgs: AdminService) -> None:
    two_orgs.create_role(CONSOLE, ORG_A, "Saksbehandler", MED, ["uttrekk"], ["navn"])
    two_orgs.create_role(CONSOLE, ORG_B, "Saksbehandler", MED, ["uttrekk"], ["navn"])

    error = refusal(two_orgs.create_role, CONSOLE, ORG_A, "Saksbehandler", MED, ["uttrekk"], ["kjoenn"])
    assert (error.status, error.code) == (409, "ROLLE_FINNES")


def test_a_role_for_an_unknown_organisation_leaves_nothing_behind(service: AdminService) -> None:
    error = refusal(service.create_role, CONSOLE, ORG_A, "R", MED, ["uttrekk"], ["navn"])

    assert (error.status, error.code) == (404, "ORGANISASJON_FINNES_IKKE")
    assert service.change_log(CONSOLE) == []


def test_updating_a_role_validates_the_whole_role_and_logs_before_and_after(two_orgs: AdminService) -> None:
    stored = two_orgs.create_role(CONSOLE, ORG_A, "R", MED, ["uttrekk"], ["navn", "familierelasjon"])

    error = refusal(two_orgs.update_role, CONSOLE, stored.rolle.id, rettighetspakke=UTEN)
    assert error.code == "ELEMENT_IKKE_TILLATT"
    assert error.details is not None and error.details["elementer"] == ["familierelasjon"]

    updated = two_orgs.update_role(CONSOLE, stored.rolle.id, deler=["navn", "historikk"], beskrivelse="Ny")
    assert updated.rolle.elementer == {"navn"}
    assert updated.rolle.historikk is True
    assert updated.rolle.beskrivelse == "Ny"
    assert updated.rolle.bruksomraader == {Bruksomraade.UTTREKK}

    change = two_orgs.change_log(CONSOLE, ORG_A, limit=1)[0]
    assert change.handling == "rolle.endret"
    assert change.utfoert_av == "cli:tester"
    assert change.foer is not None and change.etter is not None
    assert change.foer["elementer"] == ["familierelasjon", "navn"]
    assert change.etter["elementer"] == ["navn"]
    assert (change.foer["historikk"], change.etter["historikk"]) == (False, True)


def test_every_change_is_in_the_change_log_without_secrets(two_orgs: AdminService) -> None:
    role = two_orgs.create_role(CONSOLE, ORG_A, "R", MED, ["uttrekk"], ["navn"])
    made = two_orgs.create_integration(CONSOLE, ORG_A, "Fagsystem")
    two_orgs.grant(CONSOLE, made.integrasjon.id, role.rolle.id)
    rotated = two_orgs.rotate_password(CONSOLE, made.integrasjon.id)
    two_orgs.revoke(CONSOLE, made.integrasjon.id, role.rolle.id)
    two_orgs.delete_role(CONSOLE, role.rolle.id)
    admin = two_orgs.create_administrator(CONSOLE, "Ada", ORG_A)

    changes = two_orgs.change_log(CONSOLE, ORG_A)
    assert [c.handling for c in reversed(changes)] == [
        "organisasjon.opprettet",
        "rolle.opprettet",
        "integrasjon.opprettet",
        "tildeling.opprettet",
        "integrasjon.passord_byttet",
        "tildeling.tilbakekalt",
        "rolle.slettet",
        "administrator.opprettet",
    ]
    everything = repr([(c.foer, c.etter) for c in changes])
    for secret in (made.passord, rotated.passord, admin.api_noekkel, "argon2"):
        assert secret not in everything
    revoked = changes[2]
    assert revoked.foer is not None and revoked.foer["tilbakekalt"] is None
    assert revoked.etter is not None and revoked.etter["tilbakekaltAv"] == "cli:tester"
    assert changes[1].etter is None and changes[1].foer is not None  # the deleted role, before


def test_a_grant_joins_an_integration_and_a_role_of_the_same_organisation(two_orgs: AdminService) -> None:
    role_b = two_orgs.create_role(CONSOLE, ORG_B, "R", MED, ["uttrekk"], ["navn"])
    integration_a = two_orgs.create_integration(CONSOLE, ORG_A, "I").integrasjon

    error = refusal(two_orgs.grant, CONSOLE, integration_a.id, role_b.rolle.id)
    assert (error.status, error.code) == (400, "ROLLE_ANNEN_ORGANISASJON")
    assert error.details == {"rolleOrgnr": ORG_B, "integrasjonOrgnr": ORG_A}
    # an organisation's administrator does not even learn that B's role exists
    error = refusal(two_orgs.grant, ADMIN_A, integration_a.id, role_b.rolle.id)
    assert (error.status, error.code) == (404, "ROLLE_FINNES_IKKE")
    assert two_orgs.list_grants(CONSOLE, ORG_A) == []


def test_granting_twice_changes_nothing_and_revoking_twice_is_refused(two_orgs: AdminService) -> None:
    role = two_orgs.create_role(CONSOLE, ORG_A, "R", MED, ["uttrekk"], ["navn"])
    integration = two_orgs.create_integration(CONSOLE, ORG_A, "I").integrasjon

    first, created = two_orgs.grant(CONSOLE, integration.id, role.rolle.id)
    again, created_again = two_orgs.grant(CONSOLE, integration.id, role.rolle.id)
    assert (created, created_again) == (True, False)
    assert again == first

    two_orgs.revoke(CONSOLE, integration.id, role.rolle.id)
    assert refusal(two_orgs.revoke, CONSOLE, integration.id, role.rolle.id).code == "TILDELING_FINNES_IKKE"
    assert two_orgs.list_grants(CONSOLE, ORG_A) == []
    assert len(two_orgs.list_grants(CONSOLE, ORG_A, include_revoked=True)) == 1

    _, regranted = two_orgs.grant(CONSOLE, integration.id, role.rolle.id)
    assert regranted is True


def test_a_role_in_use_cannot_be_deleted(two_orgs: AdminService) -> None:
    role = two_orgs.create_role(CONSOLE, ORG_A, "R", MED, ["uttrekk"], ["navn"])
    integration = two_orgs.create_integration(CONSOLE, ORG_A, "I").integrasjon
    two_orgs.grant(CONSOLE, integration.id, role.rolle.id)

    error = refusal(two_orgs.delete_role, CONSOLE, role.rolle.id)

    assert (error.status, error.code) == (409, "ROLLE_I_BRUK")
    assert error.details == {"integrasjoner": [str(integration.id)]}
    assert two_orgs.get_role(CONSOLE, role.rolle.id).rolle.navn == "R"


def test_deleting_an_integration_removes_its_grants(two_orgs: AdminService) -> None:
    role = two_orgs.create_role(CONSOLE, ORG_A, "R", MED, ["uttrekk"], ["navn"])
    integration = two_orgs.create_integration(CONSOLE, ORG_A, "I").integrasjon
    two_orgs.grant(CONSOLE, integration.id, role.rolle.id)

    two_orgs.delete_integration(CONSOLE, integration.id)

    assert two_orgs.list_integrations(CONSOLE, ORG_A) == []
    assert two_orgs.list_grants(CONSOLE, ORG_A, include_revoked=True) == []
    two_orgs.delete_role(CONSOLE, role.rolle.id)


def test_an_integration_is_operated_by_its_owner_unless_a_vendor_is_named(two_orgs: AdminService) -> None:
    own = two_orgs.create_integration(CONSOLE, ORG_A, "Own").integrasjon
    vendor = two_orgs.create_integration(CONSOLE, ORG_A, "Vendor", autorisert_orgnr="999888771").integrasjon

    assert own.autorisert_orgnr == ORG_A
    assert vendor.autorisert_orgnr == "999888771"
    error = refusal(two_orgs.create_integration, CONSOLE, ORG_A, "Bad", autorisert_orgnr="99988877")
    assert (error.code, error.details) == ("UGYLDIG_ORGNR", {"felt": "autorisertOrgnr"})
    assert refusal(two_orgs.create_integration, CONSOLE, "111222339", "I").code == "ORGANISASJON_FINNES_IKKE"


def test_an_organisation_administrator_sees_only_its_own_organisation(two_orgs: AdminService) -> None:
    role_b = two_orgs.create_role(CONSOLE, ORG_B, "R", MED, ["uttrekk"], ["navn"])
    integration_b = two_orgs.create_integration(CONSOLE, ORG_B, "I").integrasjon

    assert [o.orgnr for o in two_orgs.list_organisations(ADMIN_A)] == [ORG_A]
    for call, args in (
        (two_orgs.get_organisation, (ORG_B,)),
        (two_orgs.list_roles, (ORG_B,)),
        (two_orgs.get_role, (role_b.rolle.id,)),
        (two_orgs.update_role, (role_b.rolle.id,)),
        (two_orgs.delete_role, (role_b.rolle.id,)),
        (two_orgs.list_integrations, (ORG_B,)),
        (two_orgs.get_integration, (integration_b.id,)),
        (two_orgs.rotate_password, (integration_b.id,)),
        (two_orgs.delete_integration, (integration_b.id,)),
        (two_orgs.list_grants, (ORG_B,)),
        (two_orgs.change_log, (ORG_B,)),
        (two_orgs.lookup_log, (ORG_B,)),
    ):
        assert refusal(call, ADMIN_A, *args).status == 404, call.__name__
    assert refusal(two_orgs.change_log, ADMIN_A).status == 403
    assert two_orgs.get_role(CONSOLE, role_b.rolle.id).rolle.navn == "R"


def test_api_keys_authenticate_until_deactivated(two_orgs: AdminService) -> None:
    operator = two_orgs.create_administrator(CONSOLE, "Ops")
    admin = two_orgs.create_administrator(CONSOLE, "Ada", ORG_A)

    as_operator = two_orgs.authenticate(operator.api_noekkel)
    as_admin = two_orgs.authenticate(admin.api_noekkel)
    assert as_operator is not None and as_operator.kind is ActorKind.OPERATOR and as_operator.orgnr is None
    assert as_admin is not None and as_admin.kind is ActorKind.ADMINISTRATOR and as_admin.orgnr == ORG_A
    assert two_orgs.authenticate(admin.api_noekkel + "x") is None
    assert two_orgs.authenticate("not-a-key") is None

    two_orgs.deactivate_administrator(CONSOLE, admin.administrator.id)
    assert two_orgs.authenticate(admin.api_noekkel) is None
    assert (
        refusal(two_orgs.create_administrator, CONSOLE, "X", "111222339").code == "ORGANISASJON_FINNES_IKKE"
    )
    assert refusal(two_orgs.deactivate_administrator, CONSOLE, uuid4()).code == "ADMINISTRATOR_FINNES_IKKE"
