"""The command line: ``fiks-folkeregister``. Thin: each room contributes its own sub-commands."""

from __future__ import annotations

from typing import Annotated

import typer

from fiks_folkeregister.admin.cli import admin_app
from fiks_folkeregister.audit.cli import audit_app
from fiks_folkeregister.identity.cli import token_app
from fiks_folkeregister.register.cli import register_app

app = typer.Typer(
    no_args_is_help=True, help="Gateway to the Norwegian population register, and its embedded register."
)
app.add_typer(register_app, name="register")
app.add_typer(token_app, name="token")
app.add_typer(admin_app, name="admin")
app.add_typer(audit_app, name="audit")


@app.command()
def serve(
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8080,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    workers: Annotated[int, typer.Option(min=1, max=64)] = 1,
) -> None:
    """Serve the gateway: the mirrored register API, the admin API and the embedded token issuer."""
    import uvicorn

    uvicorn.run(
        "fiks_folkeregister.app:gateway_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


def main() -> None:
    app()
