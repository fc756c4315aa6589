"""The set-up check behind the Konfigurasjon API's `POST /verifiser`: per subsystem OK, not done
(`IKKE_UTFORT`) or failed (`FEILET`), with what was checked.

Real checks: the organisation is registered; it has integrations; it has active roles, each held by someone
(deactivated roles left out; or, asked about one role, that role exists in the organisation, is active and
is held). Not performed (answered
`IKKE_UTFORT`, saying so): agreements (the gateway records none) and whether the register is reachable
(the configuration side has no port to the register)."""

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from fiks_folkeregister.admin.base import Actor
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.service import AdminService


class Status(StrEnum):
    OK = "OK"
    IKKE_UTFORT = "IKKE_UTFORT"
    FEILET = "FEILET"


@dataclass(frozen=True, slots=True)
class Subsystem:
    navn: str
    verifikasjon_beskrivelse: str
    status: Status
    beskrivelse: str


def verify(service: AdminService, actor: Actor, orgnr: str, rolle_id: UUID | None) -> list[Subsystem]:
    """Every subsystem's result for the organisation (already known to be visible to the actor)."""
    integrations = service.list_integrations(actor, orgnr)
    roles = service.list_roles(actor, orgnr)
    held = {grant.rolle_id for grant in service.list_grants(actor, orgnr)}
    return [
        Subsystem(
            "Avtaler",
            "Avtaler om bruk av Folkeregisteret er registrert",
            Status.IKKE_UTFORT,
            "Gatewayen registrerer ikke avtaler; dette kontrolleres ikke her.",
        ),
        Subsystem(
            "Integrasjoner",
            "Organisasjonen har minst én integrasjon",
            Status.OK if integrations else Status.FEILET,
            f"{len(integrations)} integrasjon(er)",
        ),
        _roles(service, actor, orgnr, rolle_id, [r.rolle.id for r in roles if r.aktiv], held),
        Subsystem(
            "Folkeregisteret",
            "Folkeregisteret svarer",
            Status.IKKE_UTFORT,
            "Konfigurasjonssiden når ikke registeret; dette kontrolleres ikke her.",
        ),
    ]


def _roles(
    service: AdminService,
    actor: Actor,
    orgnr: str,
    rolle_id: UUID | None,
    role_ids: list[UUID],
    held: set[UUID],
) -> Subsystem:
    if rolle_id is not None:
        try:
            role = service.get_role(actor, rolle_id, orgnr)
        except AdminError:
            return Subsystem("Roller", "Rollen finnes og er tildelt", Status.FEILET, "Rollen finnes ikke")
        if not role.aktiv:
            return Subsystem("Roller", "Rollen finnes og er tildelt", Status.FEILET, "Rollen er deaktivert")
        ok = rolle_id in held
        return Subsystem(
            "Roller",
            "Rollen finnes og er tildelt",
            Status.OK if ok else Status.FEILET,
            "Rollen er tildelt" if ok else "Rollen er ikke tildelt noen integrasjon eller person",
        )
    unheld = [role for role in role_ids if role not in held]
    ok = bool(role_ids) and not unheld
    if not role_ids:
        detail = "Organisasjonen har ingen aktive roller"
    elif unheld:
        detail = f"{len(unheld)} av {len(role_ids)} roller er ikke tildelt noen"
    else:
        detail = f"{len(role_ids)} roller, alle tildelt"
    return Subsystem(
        "Roller", "Organisasjonen har roller, og hver er tildelt", Status.OK if ok else Status.FEILET, detail
    )
