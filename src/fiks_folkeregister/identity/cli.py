"""Commands of the embedded token issuer: print an access token, register clients."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from fiks_folkeregister.identity.clients import ClientRegistry
from fiks_folkeregister.identity.issuer import TokenIssuer
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
        raise typer.BadParameter(f"an organisation number is exactly 9 digits, got {value!r}")
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
    issuer = TokenIssuer.from_settings(Settings())
    typer.echo(issuer.issue(orgnr, scopes, client_id, lifetime_seconds=lifetime))


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
