"""The command line: ``fiks-folkeregister``. Thin: each room contributes its own sub-commands."""

from __future__ import annotations

import typer

from fiks_folkeregister.identity.cli import token_app
from fiks_folkeregister.register.cli import register_app

app = typer.Typer(no_args_is_help=True, help="Gateway to the Norwegian population register, and its embedded register.")
app.add_typer(register_app, name="register")
app.add_typer(token_app, name="token")


def main() -> None:
    app()
