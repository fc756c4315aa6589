"""Who may log in to the portal and with which roles, read from the admin side's person users and grants."""

from __future__ import annotations

from pathlib import Path

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.app import build_admin
from fiks_folkeregister.portal.directory import AdminPersonDirectory
from fiks_folkeregister.settings import Settings

CONSOLE = Actor(navn="cli:tester", kind=ActorKind.CONSOLE)
ORGNR = "910000004"
FNR = "17912099997"


def test_only_active_users_granted_soekweb_roles_are_offered(tmp_path: Path) -> None:
    admin = build_admin(Settings(data_dir=tmp_path))
    service = admin.service
    directory = AdminPersonDirectory(admin.access, admin.engine)
    service.create_organisation(CONSOLE, ORGNR, "Demo kommune", "0301")
    portal_role = service.create_role(
        CONSOLE,
        ORGNR,
        "Barnevern",
        "offentlig-med-hjemmel",
        ["sok-etter-person"],
        ["person-basis", "historikk"],
        gyldighet=["soekWeb"],
    ).rolle
    api_role = service.create_role(
        CONSOLE, ORGNR, "Fagsystem", "offentlig-med-hjemmel", ["sok-etter-person"], ["person-basis"]
    ).rolle
    assert directory.person_user(FNR) is None
    user = service.create_user(CONSOLE, ORGNR, FNR, "Kari Saksbehandler")
    found = directory.person_user(FNR)
    assert found is not None and (found.navn, found.orgnr, found.organisasjon) == (
        "Kari Saksbehandler",
        ORGNR,
        "Demo kommune",
    )
    assert directory.portal_roles(FNR) == []
    service.grant_user(CONSOLE, user.id, portal_role.id)
    service.grant_user(CONSOLE, user.id, api_role.id)
    offered = directory.portal_roles(FNR)
    assert [(choice.rolle.navn, choice.organisasjon, choice.rolle.historikk) for choice in offered] == [
        ("Barnevern", "Demo kommune", True)
    ]
    service.revoke_user(CONSOLE, user.id, portal_role.id)
    assert directory.portal_roles(FNR) == []
    service.grant_user(CONSOLE, user.id, portal_role.id)
    service.deactivate_user(CONSOLE, user.id)
    assert directory.person_user(FNR) is None and directory.portal_roles(FNR) == []


def test_a_deactivated_role_is_no_longer_offered_until_activated(tmp_path: Path) -> None:
    admin = build_admin(Settings(data_dir=tmp_path))
    service = admin.service
    directory = AdminPersonDirectory(admin.access, admin.engine)
    service.create_organisation(CONSOLE, ORGNR, "Demo kommune", "0301")
    role = service.create_role(
        CONSOLE,
        ORGNR,
        "Barnevern",
        "offentlig-med-hjemmel",
        ["sok-etter-person"],
        ["person-basis"],
        gyldighet=["soekWeb"],
    ).rolle
    user = service.create_user(CONSOLE, ORGNR, FNR, "Kari Saksbehandler")
    service.grant_user(CONSOLE, user.id, role.id)
    assert [choice.rolle.id for choice in directory.portal_roles(FNR)] == [role.id]

    service.deactivate_role(CONSOLE, role.id)
    assert directory.portal_roles(FNR) == []
    assert directory.person_user(FNR) is not None  # the person still logs in; only the role is gone

    service.activate_role(CONSOLE, role.id)
    assert [choice.rolle.id for choice in directory.portal_roles(FNR)] == [role.id]
    admin.engine.dispose()
