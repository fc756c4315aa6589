"""`fiks-folkeregister admin`: the operator's tool on the server, working on the gateway's database."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from uuid import UUID

import typer

from fiks_folkeregister.admin.administrators import Administrator
from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.schemas import (
    AdministratorUt,
    BrukerUt,
    EndringUt,
    IntegrasjonUt,
    KatalogLovhjemmelUt,
    LovhjemmelUt,
    OrganisasjonUt,
    RolleUt,
    Schema,
    TildelingUt,
)
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.domain.tjenesteomrade import Lovhjemmel
from fiks_folkeregister.settings import Settings

admin_app = typer.Typer(
    no_args_is_help=True, help="Configure the gateway: organisations, roles, integrations."
)
org_app = typer.Typer(no_args_is_help=True, help="Organisations (municipalities, counties).")
role_app = typer.Typer(no_args_is_help=True, help="Roles: rights package, usage areas, information elements.")
integration_app = typer.Typer(
    no_args_is_help=True, help="Integrations (machine clients) and their passwords."
)
user_app = typer.Typer(no_args_is_help=True, help="Person users (case workers, known by identity number).")
operator_app = typer.Typer(no_args_is_help=True, help="Platform operators of the admin API.")
administrator_app = typer.Typer(no_args_is_help=True, help="Organisation administrators of the admin API.")
admin_app.add_typer(org_app, name="org")
admin_app.add_typer(role_app, name="role")
admin_app.add_typer(integration_app, name="integration")
admin_app.add_typer(user_app, name="user")
admin_app.add_typer(operator_app, name="operator")
admin_app.add_typer(administrator_app, name="administrator")
lovhjemmel_app = typer.Typer(no_args_is_help=True, help="The catalogue of legal bases roles choose from.")
admin_app.add_typer(lovhjemmel_app, name="lovhjemmel")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
GyldighetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--gyldighet",
        help="Where the role may be used: api, soekWeb, uttrekkWeb or asynkron; repeatable (api when left out).",
    ),
]


TjenesteomradeOption = Annotated[
    str | None,
    typer.Option(
        "--tjenesteomrade",
        help="The service area the role serves (BARNEVERN, HELSE, ..., STOTTE, ...); STOTTE when left out.",
    ),
]
LovhjemmelOption = Annotated[
    str | None,
    typer.Option(
        "--lovhjemmel",
        help="The text of a legal basis of the service area's catalogue ('admin role lovhjemler').",
    ),
]
TaggOption = Annotated[list[str] | None, typer.Option("--tagg", help="A tag; repeatable.")]


def console_actor() -> Actor:
    """The command line acts as the server's operator; the change log names the OS user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(navn=f"cli:{user}", kind=ActorKind.CONSOLE)


@contextmanager
def _service() -> Iterator[AdminService]:
    """The admin service on the configured database; an `AdminError` becomes a message and exit code 1."""
    from fiks_folkeregister.app import build_admin

    admin = build_admin(Settings())
    try:
        yield admin.service
    except AdminError as error:
        typer.echo(f"Error ({error.code}): {error.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        admin.engine.dispose()


def _print_json(value: Any) -> None:
    """JSON for scripts; a record (or a list of them) in its one public schema (`admin/schemas.py`)."""
    if isinstance(value, Schema):
        value = value.to_json()
    elif isinstance(value, list):
        value = [item.to_json() if isinstance(item, Schema) else item for item in value]
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


# -- organisations ---------------------------------------------------------------------------------


@org_app.command("create")
def org_create(
    orgnr: Annotated[str, typer.Option(help="Organisation number (9 digits).")],
    navn: Annotated[str, typer.Option(help="Name, e.g. 'Eksempel kommune'.")],
    kommunenummer: Annotated[str | None, typer.Option(help="Municipality number (4 digits).")] = None,
    fylkesnummer: Annotated[
        str | None, typer.Option(help="County number (2 digits); default from it.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Register an organisation."""
    with _service() as service:
        org = service.create_organisation(console_actor(), orgnr, navn, kommunenummer, fylkesnummer)
    if as_json:
        _print_json(OrganisasjonUt.of(org))
    else:
        typer.echo(f"Created organisation {org.orgnr} ({org.navn})")


@org_app.command("list")
def org_list(as_json: JsonOption = False) -> None:
    """Every organisation."""
    with _service() as service:
        orgs = service.list_organisations(console_actor())
    if as_json:
        _print_json([OrganisasjonUt.of(org) for org in orgs])
        return
    for org in orgs:
        typer.echo(f"{org.orgnr}  {org.kommunenummer or '----'}  {org.navn}")


# -- roles -----------------------------------------------------------------------------------------


@role_app.command("create")
def role_create(
    orgnr: Annotated[str, typer.Option(help="The organisation the role belongs to.")],
    navn: Annotated[str, typer.Option(help="The role's name.")],
    rettighetspakke: Annotated[str, typer.Option(help="offentlig-med-hjemmel or offentlig-uten-hjemmel.")],
    bruksomraade: Annotated[
        list[str],
        typer.Option("--bruksomraade", help="sok-etter-person, hendelsesliste or uttrekk; repeatable."),
    ],
    part: Annotated[
        list[str], typer.Option("--part", help="An element or alias (or 'historikk'); repeatable.")
    ],
    beskrivelse: Annotated[str, typer.Option(help="What the role is for.")] = "",
    gyldighet: GyldighetOption = None,
    tjenesteomrade: TjenesteomradeOption = None,
    lovhjemmel: LovhjemmelOption = None,
    tagg: TaggOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a role; prints {"rolleId": ...} (JSON either way, so scripts can read it)."""
    with _service() as service:
        stored = service.create_role(
            console_actor(),
            orgnr,
            navn,
            rettighetspakke,
            bruksomraade,
            part,
            beskrivelse,
            gyldighet or None,
            tjeneste_omrade=tjenesteomrade,
            lovhjemmel=lovhjemmel,
            tagger=tagg or (),
        )
    _print_json(
        {"rolleId": str(stored.rolle.id)} | ({"rolle": RolleUt.of(stored).to_json()} if as_json else {})
    )


@role_app.command("list")
def role_list(
    orgnr: Annotated[str, typer.Option(help="The organisation.")], as_json: JsonOption = False
) -> None:
    """The organisation's roles."""
    with _service() as service:
        roles = service.list_roles(console_actor(), orgnr)
    if as_json:
        _print_json([RolleUt.of(r) for r in roles])
        return
    for stored in roles:
        role = stored.rolle
        typer.echo(
            f"{role.id}  {role.navn}  {role.rettighetspakke.value}  "
            f"{','.join(sorted(b.value for b in role.bruksomraader))}  {','.join(sorted(role.gyldighet))}  "
            f"{stored.tjeneste_omrade.value}  {len(role.elementer)} elements"
            f"{'  +historikk' if role.historikk else ''}{'' if role.aktiv else '  DEAKTIVERT'}"
        )


@role_app.command("show")
def role_show(
    rolle: Annotated[UUID, typer.Argument(help="The role id.")], as_json: JsonOption = False
) -> None:
    """One role, with its expanded elements."""
    with _service() as service:
        stored = service.get_role(console_actor(), rolle)
    out = RolleUt.of(stored).to_json()
    if as_json:
        _print_json(out)
        return
    for key, value in out.items():
        typer.echo(f"{key:16} {', '.join(value) if isinstance(value, list) else value}")


@role_app.command("update")
def role_update(
    rolle: Annotated[UUID, typer.Argument(help="The role id.")],
    navn: Annotated[str | None, typer.Option(help="New name.")] = None,
    beskrivelse: Annotated[str | None, typer.Option(help="New description.")] = None,
    rettighetspakke: Annotated[str | None, typer.Option(help="New rights package.")] = None,
    bruksomraade: Annotated[
        list[str] | None, typer.Option("--bruksomraade", help="Replaces the usage areas; repeatable.")
    ] = None,
    part: Annotated[
        list[str] | None, typer.Option("--part", help="Replaces elements (and 'historikk'); repeatable.")
    ] = None,
    gyldighet: GyldighetOption = None,
    tjenesteomrade: TjenesteomradeOption = None,
    lovhjemmel: Annotated[
        str | None,
        typer.Option("--lovhjemmel", help="A legal basis of the service area's catalogue; '' removes it."),
    ] = None,
    tagg: Annotated[list[str] | None, typer.Option("--tagg", help="Replaces the tags; repeatable.")] = None,
    uten_tagger: Annotated[bool, typer.Option("--uten-tagger", help="Remove every tag.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Change a role: what is given replaces what was; the rest stays."""
    with _service() as service:
        stored = service.update_role(
            console_actor(),
            rolle,
            navn=navn,
            beskrivelse=beskrivelse,
            rettighetspakke=rettighetspakke,
            bruksomraader=bruksomraade or None,
            deler=part or None,
            gyldighet=gyldighet or None,
            tjeneste_omrade=tjenesteomrade,
            lovhjemmel=lovhjemmel,
            tagger=[] if uten_tagger else (tagg or None),
        )
    if as_json:
        _print_json(RolleUt.of(stored))
    else:
        typer.echo(f"Updated role {stored.rolle.id} ({stored.rolle.navn})")


@role_app.command("deactivate")
def role_deactivate(
    rolle: Annotated[UUID, typer.Argument(help="The role id.")], as_json: JsonOption = False
) -> None:
    """Deactivate a role: from the next request on it authorises nothing (grants and logs are kept)."""
    with _service() as service:
        stored = service.deactivate_role(console_actor(), rolle)
    if as_json:
        _print_json(RolleUt.of(stored))
    else:
        typer.echo(f"Deactivated role {stored.rolle.id} ({stored.rolle.navn})")


@role_app.command("activate")
def role_activate(
    rolle: Annotated[UUID, typer.Argument(help="The role id.")], as_json: JsonOption = False
) -> None:
    """Activate a deactivated role: its active grants work again."""
    with _service() as service:
        stored = service.activate_role(console_actor(), rolle)
    if as_json:
        _print_json(RolleUt.of(stored))
    else:
        typer.echo(f"Activated role {stored.rolle.id} ({stored.rolle.navn})")


@role_app.command("lovhjemler")
def role_legal_bases(
    tjenesteomrade: Annotated[
        str | None, typer.Option("--tjenesteomrade", help="Only the legal bases of this service area.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The catalogue of legal bases a role's --lovhjemmel is chosen from."""
    with _service() as service:
        catalogue = service.list_lovhjemler(tjenesteomrade)
    if as_json:
        _print_json([LovhjemmelUt.of(lov) for lov in catalogue])
        return
    for lov in catalogue:
        typer.echo(_legal_basis_line(lov))


# -- the catalogue of legal bases ------------------------------------------------------------------


def _legal_basis_line(lov: Lovhjemmel) -> str:
    """A legal basis as both listings print it: its description, service areas and links."""
    return f"{lov.beskrivelse}  [{','.join(a.value for a in lov.omrader)}]  {' '.join(lov.urler)}"


OmradeOption = Annotated[
    list[str] | None, typer.Option("--omrade", help="A service area it serves; repeatable.")
]
UrlOption = Annotated[list[str] | None, typer.Option("--url", help="A link to the law; repeatable.")]


@lovhjemmel_app.command("list")
def lovhjemmel_list(
    tjenesteomrade: Annotated[
        str | None, typer.Option("--tjenesteomrade", help="Only this service area's.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The catalogue, with each entry's id."""
    with _service() as service:
        entries = service.list_lovhjemmel_katalog(tjenesteomrade)
    if as_json:
        _print_json([KatalogLovhjemmelUt.of_entry(entry) for entry in entries])
        return
    for entry in entries:
        typer.echo(f"{entry.id}  {_legal_basis_line(entry.lovhjemmel)}")


@lovhjemmel_app.command("create")
def lovhjemmel_create(
    beskrivelse: Annotated[str, typer.Option(help="The legal basis's text (unique).")],
    omrade: OmradeOption = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a legal basis to the catalogue."""
    with _service() as service:
        entry = service.create_lovhjemmel(console_actor(), beskrivelse, omrade or [], url or [])
    if as_json:
        _print_json(KatalogLovhjemmelUt.of_entry(entry))
    else:
        typer.echo(f"Created legal basis {entry.id} ({entry.lovhjemmel.beskrivelse})")


@lovhjemmel_app.command("update")
def lovhjemmel_update(
    lovhjemmel: Annotated[int, typer.Argument(help="The entry's id ('admin lovhjemmel list').")],
    beskrivelse: Annotated[str | None, typer.Option(help="New text.")] = None,
    omrade: Annotated[list[str] | None, typer.Option("--omrade", help="Replaces the service areas.")] = None,
    url: Annotated[list[str] | None, typer.Option("--url", help="Replaces the links.")] = None,
    uten_url: Annotated[bool, typer.Option("--uten-url", help="Remove every link.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Change an entry; roles that chose it keep what they chose."""
    with _service() as service:
        entry = service.update_lovhjemmel(
            console_actor(),
            lovhjemmel,
            beskrivelse=beskrivelse,
            omrader=omrade or None,
            urler=[] if uten_url else (url or None),
        )
    if as_json:
        _print_json(KatalogLovhjemmelUt.of_entry(entry))
    else:
        typer.echo(f"Updated legal basis {entry.id} ({entry.lovhjemmel.beskrivelse})")


@lovhjemmel_app.command("delete")
def lovhjemmel_delete(lovhjemmel: Annotated[int, typer.Argument(help="The entry's id.")]) -> None:
    """Remove an entry from the catalogue; roles that chose it keep what they chose."""
    with _service() as service:
        entry = service.delete_lovhjemmel(console_actor(), lovhjemmel)
    typer.echo(f"Deleted legal basis {entry.id} ({entry.lovhjemmel.beskrivelse})")


@role_app.command("delete")
def role_delete(
    rolle: Annotated[UUID, typer.Argument(help="The role id.")], as_json: JsonOption = False
) -> None:
    """Delete a role that no integration holds (revoke its grants first)."""
    with _service() as service:
        stored = service.delete_role(console_actor(), rolle)
    if as_json:
        _print_json({"rolleId": str(stored.rolle.id), "slettet": True})
    else:
        typer.echo(f"Deleted role {stored.rolle.id} ({stored.rolle.navn})")


# -- integrations ----------------------------------------------------------------------------------


@integration_app.command("create")
def integration_create(
    orgnr: Annotated[str, typer.Option(help="The organisation that owns the integration.")],
    navn: Annotated[str, typer.Option(help="The integration's name.")],
    autorisert_orgnr: Annotated[
        str | None, typer.Option("--autorisert-orgnr", help="Who operates it (a vendor); default the owner.")
    ] = None,
    beskrivelse: Annotated[str, typer.Option(help="What it is for.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Create an integration; prints its id and password (JSON either way). The password is shown only now."""
    with _service() as service:
        made = service.create_integration(console_actor(), orgnr, navn, autorisert_orgnr, beskrivelse)
    _print_json(
        {
            "integrasjonId": str(made.integrasjon.id),
            "integrasjonPassord": made.passord,
            "autorisertOrgnr": made.integrasjon.autorisert_orgnr,
        }
    )


@integration_app.command("list")
def integration_list(
    orgnr: Annotated[str, typer.Option(help="The organisation.")], as_json: JsonOption = False
) -> None:
    """The organisation's integrations (never their passwords)."""
    with _service() as service:
        integrations = service.list_integrations(console_actor(), orgnr)
    if as_json:
        _print_json([IntegrasjonUt.of(i) for i in integrations])
        return
    for integration in integrations:
        typer.echo(f"{integration.id}  {integration.navn}  operated by {integration.autorisert_orgnr}")


@integration_app.command("show")
def integration_show(
    integrasjon: Annotated[UUID, typer.Argument(help="The integration id.")], as_json: JsonOption = False
) -> None:
    """One integration."""
    with _service() as service:
        integration = service.get_integration(console_actor(), integrasjon)
    out = IntegrasjonUt.of(integration).to_json()
    if as_json:
        _print_json(out)
        return
    for key, value in out.items():
        typer.echo(f"{key:16} {value}")


@integration_app.command("rotate-password")
def integration_rotate_password(
    integrasjon: Annotated[UUID, typer.Option("--integrasjon", help="The integration id.")],
    as_json: JsonOption = False,
) -> None:
    """A new password (printed once, JSON either way); the old one stops working at once."""
    with _service() as service:
        made = service.rotate_password(console_actor(), integrasjon)
    _print_json({"integrasjonId": str(made.integrasjon.id), "integrasjonPassord": made.passord})


@integration_app.command("delete")
def integration_delete(
    integrasjon: Annotated[UUID, typer.Argument(help="The integration id.")], as_json: JsonOption = False
) -> None:
    """Delete an integration and its grants."""
    with _service() as service:
        integration = service.delete_integration(console_actor(), integrasjon)
    if as_json:
        _print_json({"integrasjonId": str(integration.id), "slettet": True})
    else:
        typer.echo(f"Deleted integration {integration.id} ({integration.navn})")


# -- grants ----------------------------------------------------------------------------------------


IntegrationOption = Annotated[
    UUID | None, typer.Option("--integrasjon", help="The integration id (or --bruker).")
]
PersonOption = Annotated[
    str | None,
    typer.Option(
        "--bruker", help="A person user's fødselsnummer, in the role's organisation (or --integrasjon)."
    ),
]


def _holder(
    service: AdminService, integrasjon: UUID | None, bruker: str | None, rolle: UUID
) -> tuple[str, UUID]:
    """("integrasjon" or "bruker", the holder's id); the person is found in the role's organisation."""
    if (integrasjon is None) == (bruker is None):
        raise AdminError(400, "UGYLDIG_FORESPOERSEL", "Give exactly one of --integrasjon and --bruker")
    if integrasjon is not None:
        return "integrasjon", integrasjon
    assert bruker is not None
    role = service.get_role(console_actor(), rolle)
    return "bruker", service.find_user(console_actor(), role.rolle.orgnr, bruker).id


@admin_app.command("grant")
def grant(
    rolle: Annotated[UUID, typer.Option("--rolle", help="The role id (same organisation).")],
    integrasjon: IntegrationOption = None,
    bruker: PersonOption = None,
    as_json: JsonOption = False,
) -> None:
    """Grant a role to an integration or a person user (nothing changes if they already hold it)."""
    with _service() as service:
        kind, holder = _holder(service, integrasjon, bruker, rolle)
        if kind == "integrasjon":
            made, created = service.grant(console_actor(), holder, rolle)
        else:
            made, created = service.grant_user(console_actor(), holder, rolle)
    if as_json:
        _print_json(TildelingUt.of(made).to_json() | {"ny": created})
    else:
        who = f"integration {holder}" if kind == "integrasjon" else f"person user {holder}"
        typer.echo(f"{'Granted' if created else 'Already granted'}: role {rolle} to {who}")


@admin_app.command("revoke")
def revoke(
    rolle: Annotated[UUID, typer.Option("--rolle", help="The role id.")],
    integrasjon: IntegrationOption = None,
    bruker: PersonOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke a grant; the next request with it is refused, in every gateway process."""
    with _service() as service:
        kind, holder = _holder(service, integrasjon, bruker, rolle)
        if kind == "integrasjon":
            revoked = service.revoke(console_actor(), holder, rolle)
        else:
            revoked = service.revoke_user(console_actor(), holder, rolle)
    if as_json:
        _print_json(TildelingUt.of(revoked))
    else:
        who = f"integration {holder}" if kind == "integrasjon" else f"person user {holder}"
        typer.echo(f"Revoked: role {rolle} from {who}")


@admin_app.command("grants")
def grants(
    orgnr: Annotated[str, typer.Option(help="The organisation.")],
    all_: Annotated[bool, typer.Option("--all", help="Include revoked grants.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The organisation's grants."""
    with _service() as service:
        found = service.list_grants(console_actor(), orgnr, include_revoked=all_)
    if as_json:
        _print_json([TildelingUt.of(g) for g in found])
        return
    for item in found:
        state = f"revoked {item.tilbakekalt:%Y-%m-%d %H:%M}" if item.tilbakekalt else "active"
        holder = f"integrasjon {item.integrasjon_id}" if item.integrasjon_id else f"bruker {item.bruker_id}"
        typer.echo(f"{holder}  {item.rolle_id}  {state}")


@admin_app.command("changes")
def changes(
    orgnr: Annotated[str | None, typer.Option(help="Only this organisation's changes.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    as_json: JsonOption = False,
) -> None:
    """The configuration change log, newest first (who, what, before and after)."""
    with _service() as service:
        found = service.change_log(console_actor(), orgnr, limit)
    if as_json:
        _print_json([EndringUt.of(c) for c in found])
        return
    for change in found:
        typer.echo(
            f"{change.tidspunkt:%Y-%m-%d %H:%M:%S}  {change.utfoert_av}  {change.orgnr or '-':9}  "
            f"{change.handling}  {change.objekt_id}"
        )


# -- person users ----------------------------------------------------------------------------------

FnrOption = Annotated[str, typer.Option("--foedselsnummer", help="The person's fødselsnummer or d-nummer.")]


@user_app.command("create")
def user_create(
    orgnr: Annotated[str, typer.Option(help="The organisation the person works for.")],
    foedselsnummer: FnrOption,
    navn: Annotated[str, typer.Option(help="The display name.")],
    as_json: JsonOption = False,
) -> None:
    """Create a person user (a case worker), who logs in to the portal through ID-porten."""
    with _service() as service:
        user = service.create_user(console_actor(), orgnr, foedselsnummer, navn)
    if as_json:
        _print_json(BrukerUt.of(user))
    else:
        typer.echo(f"Created person user {user.id} ({user.navn}) in {user.orgnr}")


@user_app.command("list")
def user_list(
    orgnr: Annotated[str | None, typer.Option(help="Only this organisation's.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Person users (of every organisation, or of one)."""
    with _service() as service:
        users = service.list_users(console_actor(), orgnr)
    if as_json:
        _print_json([BrukerUt.of(user) for user in users])
        return
    for user in users:
        typer.echo(
            f"{user.id}  {user.foedselsnummer}  {'active' if user.aktiv else 'deactivated':11}  {user.navn}"
        )


@user_app.command("deactivate")
def user_deactivate(
    orgnr: Annotated[str, typer.Option(help="The organisation.")],
    foedselsnummer: FnrOption,
    as_json: JsonOption = False,
) -> None:
    """No role works for the person from their next request on (their grants are kept, inactive)."""
    with _service() as service:
        found = service.find_user(console_actor(), orgnr, foedselsnummer)
        user = service.deactivate_user(console_actor(), found.id)
    if as_json:
        _print_json(BrukerUt.of(user))
    else:
        typer.echo(f"Deactivated person user {user.id} ({user.navn})")


@user_app.command("activate")
def user_activate(
    orgnr: Annotated[str, typer.Option(help="The organisation.")],
    foedselsnummer: FnrOption,
    as_json: JsonOption = False,
) -> None:
    """A deactivated person may act again in the roles still granted them, from their next request on."""
    with _service() as service:
        found = service.find_user(console_actor(), orgnr, foedselsnummer)
        user = service.activate_user(console_actor(), found.id)
    if as_json:
        _print_json(BrukerUt.of(user))
    else:
        typer.echo(f"Activated person user {user.id} ({user.navn})")


# -- administrators --------------------------------------------------------------------------------


def _print_key(admin: Administrator, api_key: str, as_json: bool) -> None:
    if as_json:
        _print_json(AdministratorUt.of(admin).to_json() | {"apiNoekkel": api_key})
        return
    typer.echo(f"Administrator {admin.id} ({admin.navn}) created. Its API key, shown only now:")
    typer.echo(api_key)


@operator_app.command("create")
def operator_create(
    navn: Annotated[str, typer.Option(help="Who the operator is.")],
    foedselsnummer: Annotated[
        str | None,
        typer.Option(
            "--foedselsnummer", help="A person operator, who logs in through ID-porten (no API key)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A platform operator (creates organisations and administrators): with --foedselsnummer a person who
    logs in to the administration pages through ID-porten; without, an API key, printed once."""
    with _service() as service:
        if foedselsnummer is not None:
            person = service.create_person_administrator(console_actor(), foedselsnummer, navn, None)
        else:
            made = service.create_administrator(console_actor(), navn, None)
    if foedselsnummer is None:
        _print_key(made.administrator, made.api_noekkel, as_json)
    elif as_json:
        _print_json(AdministratorUt.of(person))
    else:
        typer.echo(f"Person operator {person.id} ({person.navn}) of the platform created")


@administrator_app.command("create")
def administrator_create(
    orgnr: Annotated[str, typer.Option(help="The organisation administered.")],
    navn: Annotated[str, typer.Option(help="Who the administrator is.")],
    foedselsnummer: Annotated[
        str | None,
        typer.Option(
            "--foedselsnummer", help="A person administrator, who logs in through ID-porten (no API key)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """An organisation's administrator (manages only that organisation): with --foedselsnummer a person
    who logs in through ID-porten; without, an API key for automation, printed once."""
    with _service() as service:
        if foedselsnummer is not None:
            person = service.create_person_administrator(console_actor(), foedselsnummer, navn, orgnr)
        else:
            made = service.create_administrator(console_actor(), navn, orgnr)
    if foedselsnummer is None:
        _print_key(made.administrator, made.api_noekkel, as_json)
    elif as_json:
        _print_json(AdministratorUt.of(person))
    else:
        typer.echo(f"Person administrator {person.id} ({person.navn}) of {person.orgnr} created")


@administrator_app.command("list")
def administrator_list(
    orgnr: Annotated[str | None, typer.Option(help="Only this organisation's.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Operators and administrators (never their keys)."""
    with _service() as service:
        found = service.list_administrators(console_actor(), orgnr)
    if as_json:
        _print_json([AdministratorUt.of(a) for a in found])
        return
    for admin in found:
        state = "deactivated" if admin.deaktivert else "active"
        typer.echo(f"{admin.id}  {admin.orgnr or 'operator ':9}  {state:11}  {admin.navn}")


@administrator_app.command("deactivate")
def administrator_deactivate(
    administrator: Annotated[UUID, typer.Argument(help="The administrator id.")], as_json: JsonOption = False
) -> None:
    """Its API key stops working on the next request (operators and organisation administrators alike)."""
    with _service() as service:
        admin = service.deactivate_administrator(console_actor(), administrator)
    if as_json:
        _print_json(AdministratorUt.of(admin))
    else:
        typer.echo(f"Deactivated administrator {admin.id} ({admin.navn})")
