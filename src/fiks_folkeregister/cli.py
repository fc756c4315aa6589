"""The command line: ``fiks-folkeregister``. Thin: each room contributes its own sub-commands."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from pydantic import ValidationError

from fiks_folkeregister.admin.cli import admin_app
from fiks_folkeregister.audit.cli import audit_app
from fiks_folkeregister.identity.cli import token_app
from fiks_folkeregister.register.cli import register_app
from fiks_folkeregister.settings import Settings

app = typer.Typer(
    no_args_is_help=True, help="Gateway to the Norwegian population register, and its embedded register."
)
app.add_typer(register_app, name="register")
app.add_typer(token_app, name="token")
app.add_typer(admin_app, name="admin")
app.add_typer(audit_app, name="audit")


@app.callback()
def data_directory_notice(ctx: typer.Context) -> None:
    """Say where data went when a command stored the first of it in a data directory: run from another
    folder, a command would otherwise quietly start an empty register and gateway there."""
    if ctx.resilient_parsing:
        return
    try:
        settings = Settings()
    except ValidationError:
        return  # the command itself reports the bad setting
    location = new_data_directory(settings)
    if location is None:
        return

    def after() -> None:
        if not ctx.meta.get(ANNOUNCED) and new_data_directory(settings) is None:
            typer.echo(f"Stored data in a new data directory, {location}.", err=True)

    ctx.call_on_close(after)


#: Set in `ctx.meta` by a command that named the new data directory itself (the servers, as they start).
ANNOUNCED = "fiks_folkeregister.data_directory_announced"


def new_data_directory(settings: Settings) -> str | None:
    """Where the data directory is and why, when it holds none of the stores the settings keep there."""
    data_dir = settings.data_dir.resolve()
    stores = [settings.issuer_dir]
    if not settings.register_database_url:
        stores.append(data_dir / "register.sqlite3")
    if not settings.database_url:
        stores.append(data_dir / "gateway.sqlite3")
    if any(store.exists() for store in stores):
        return None
    if os.environ.get("FIKSREG_DATA_DIR"):
        return f"{data_dir} (from FIKSREG_DATA_DIR)"
    return f"{data_dir} (./data of the current directory; set FIKSREG_DATA_DIR to use another)"


def announce_new_data_directory(ctx: typer.Context) -> None:
    """For a server: name a new data directory before serving from it (it is filled as it starts)."""
    location = new_data_directory(Settings())
    if location is not None:
        typer.echo(f"Serving from a new data directory, {location}: nothing is stored there yet.", err=True)
        ctx.meta[ANNOUNCED] = True


@app.command()
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8080,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    workers: Annotated[int, typer.Option(min=1, max=64)] = 1,
) -> None:
    """Serve the gateway: the mirrored register API, the admin API and the embedded token issuer."""
    import uvicorn

    from fiks_folkeregister.operations.logs import configure_logging

    announce_new_data_directory(ctx)
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_format == "json")  # the supervisor's lines too
    if workers > 1:
        prepare_metrics_directory()
    uvicorn.run(
        "fiks_folkeregister.app:gateway_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,  # the app routes every logger through its own JSON handler
        access_log=False,  # the app logs each request itself, without the path (it holds identity numbers)
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
        # A worker busy starting on a loaded machine is not a hung one: the default 5 s killed such workers
        # (`--workers N` restarted them forever).
        timeout_worker_healthcheck=60,
    )


def prepare_metrics_directory() -> None:
    """Several workers share their metrics through files in PROMETHEUS_MULTIPROC_DIR: an empty directory of
    this server's own (a new temporary one unless set), before any worker starts."""
    import tempfile
    from pathlib import Path

    from fiks_folkeregister.operations.metrics import MULTIPROCESS_DIR

    directory = os.environ.get(MULTIPROCESS_DIR)
    if not directory:
        os.environ[MULTIPROCESS_DIR] = tempfile.mkdtemp(prefix="fiksreg-metrics-")
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    for stale in Path(directory).glob("*.db"):  # values of an earlier run's processes
        stale.unlink()


def main() -> None:
    app()
