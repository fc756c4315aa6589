"""Commands of the embedded token issuer (placeholder until the issuer lands)."""

import typer

token_app = typer.Typer(help="The embedded token issuer (a local Maskinporten).")
