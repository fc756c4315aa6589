"""Commands of the embedded token issuer: print an access token, register clients.

An entrypoint: what it works on is built by the composition root (`app.py`), imported inside each command
so that `--help` and the other commands do not load every room (docs/architecture.md, "Entrypoints").
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from fiks_folkeregister.identity.clients import ClientRegistry, RegisteredClient, UnknownClientError
from fiks_folkeregister.identity.tokens import is_orgnr, parse_scope
from fiks_folkeregister.settings import Settings

CLI_CLIENT_ID = "fiks-folkeregister-cli"

token_app = typer.Typer(
    help="The embedded token issuer (a local Maskinporten). Without a sub-command: print an access token.",
)
client_app = typer.Typer(no_args_is_help=True, help="Clients registered with the embedded token issuer.")
token_app.add_typer(client_app, name="client")


def _orgnr(value: str | None) -> str | None:
    if value is not None and not is_orgnr(value):
        raise typer.BadParameter(f"not a valid organisation number (9 digits, mod 11 check digit): {value!r}")
    return value


@token_app.callback(invoke_without_command=True)
def token(
    ctx: typer.Context,
    orgnr: Annotated[
        str | None,
        typer.Option("--orgnr", help="Organisation number (9 digits) the token is for.", callback=_orgnr),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="A scope such as ks:fiks; repeat for more, or space-separate."),
    ] = None,
    lifetime: Annotated[
        int | None, typer.Option("--lifetime", min=1, help="Seconds until the token expires.")
    ] = None,
    client_id: Annotated[
        str, typer.Option("--client-id", help="The token's client_id claim.")
    ] = CLI_CLIENT_ID,
    audience: Annotated[
        str | None,
        typer.Option(
            "--audience", help="The token's aud; default the gateway's (FIKSREG_GATEWAY_TOKEN_AUDIENCE)."
        ),
    ] = None,
) -> None:
    """Print a fresh access token (only the token, so `$(fiks-folkeregister token ...)` works)."""
    if ctx.invoked_subcommand is not None:
        return
    if orgnr is None or not scope:
        typer.echo(ctx.get_usage(), err=True)
        typer.echo(
            "Error: --orgnr and at least one --scope are required to issue a token "
            "(or use a sub-command such as 'client create').",
            err=True,
        )
        raise typer.Exit(code=2)
    try:
        scopes = parse_scope(" ".join(scope))
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="'--scope'") from error
    from fiks_folkeregister.app import build_token_issuer

    settings = Settings()
    issuer = build_token_issuer(settings)
    typer.echo(
        issuer.issue(
            orgnr,
            scopes,
            client_id,
            lifetime_seconds=lifetime,
            audience=audience or settings.gateway_token_audience,
        )
    )


@client_app.command("create")
def create_client(
    orgnr: Annotated[
        str,
        typer.Option("--orgnr", help="Organisation number (9 digits) operating the client.", callback=_orgnr),
    ],
    name: Annotated[str | None, typer.Option("--name", help="Organisation name in the certificate.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {clientId, certificatePath, keyPath}.")
    ] = False,
) -> None:
    """Register a client: a new key pair and self-signed certificate for the JWT-bearer grant."""
    client = ClientRegistry(Settings().issuer_dir).create(orgnr, name)
    certificate_path = str(client.certificate_path.resolve())
    key_path = str(client.key_path.resolve())
    if as_json:
        typer.echo(
            json.dumps(
                {"clientId": client.client_id, "certificatePath": certificate_path, "keyPath": key_path}
            )
        )
        return
    typer.echo(f"clientId:    {client.client_id}")
    typer.echo(f"orgnr:       {client.orgnr}")
    typer.echo(f"certificate: {certificate_path}")
    typer.echo(f"key:         {key_path}  (private, keep it secret)")


ClientIdArgument = Annotated[str, typer.Argument(help="The client's id (clientId).")]
DelegatingOrgnr = Annotated[
    str,
    typer.Option("--orgnr", help="Organisation number (9 digits) delegating to the client.", callback=_orgnr),
]


def _change_delegation(client_id: str, orgnr: str, add: bool) -> RegisteredClient:
    registry = ClientRegistry(Settings().issuer_dir)
    try:
        if add:
            return registry.delegate(client_id, orgnr)
        return registry.revoke_delegation(client_id, orgnr)
    except UnknownClientError:
        typer.echo(f"Error: no client {client_id!r} is registered", err=True)
        raise typer.Exit(code=1) from None


@client_app.command("delegate")
def delegate(client_id: ClientIdArgument, orgnr: DelegatingOrgnr) -> None:
    """Record that an organisation has delegated to the client: it may then ask for tokens on its behalf."""
    client = _change_delegation(client_id, orgnr, add=True)
    typer.echo(f"{orgnr} has delegated to {client.client_id} ({client.orgnr})")


@client_app.command("undelegate")
def undelegate(client_id: ClientIdArgument, orgnr: DelegatingOrgnr) -> None:
    """Remove an organisation's delegation: grants naming it are refused from now on."""
    client = _change_delegation(client_id, orgnr, add=False)
    typer.echo(f"{orgnr} no longer delegates to {client.client_id} ({client.orgnr})")


@client_app.command("list")
def list_clients(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Every registered client with its organisation and the organisations that delegated to it."""
    clients = ClientRegistry(Settings().issuer_dir).list()
    if as_json:
        rows = [
            {
                "clientId": client.client_id,
                "orgnr": client.orgnr,
                "name": client.name,
                "delegations": sorted(client.delegations),
            }
            for client in clients
        ]
        typer.echo(json.dumps(rows))
        return
    for client in clients:
        delegations = ", ".join(sorted(client.delegations)) or "-"
        typer.echo(f"{client.client_id}  {client.orgnr}  {client.name}  delegations: {delegations}")
