"""Commands of the embedded register: seed a population, list example persons, serve the API.

An entrypoint: what it works on is built by the composition root (`app.py`), imported inside each command
so that `--help` and the other commands do not load every room (docs/architecture.md, "Entrypoints").
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from fiks_folkeregister.settings import Settings

register_app = typer.Typer(no_args_is_help=True, help="The embedded national population register.")


@register_app.command()
def seed(
    persons: Annotated[int, typer.Option(min=1, max=10_000_000, help="How many persons to create.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same population.")] = 1,
    reference_date: Annotated[
        str | None, typer.Option(help="The population's 'today' (YYYY-MM-DD); default today.")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Delete an existing population first.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Build a deterministic synthetic population in the register's database."""
    from fiks_folkeregister.app import build_register
    from fiks_folkeregister.register.seeding import seed_population

    try:
        today = date.fromisoformat(reference_date) if reference_date else date.today()
    except ValueError:
        raise typer.BadParameter(
            f"'{reference_date}' is not a date (YYYY-MM-DD)", param_hint="--reference-date"
        ) from None
    register = build_register(Settings())
    existing = register.repository.count_persons()
    if existing and not replace:
        typer.echo(f"The register already holds {existing} persons; use --replace to start over.", err=True)
        raise typer.Exit(1)
    if existing:
        register.repository.delete_population()
    with Progress(
        TextColumn("Seeding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), disable=quiet
    ) as bar:
        task = bar.add_task("seed", total=persons)
        examples = seed_population(
            register.repository, persons, seed, today, progress=lambda n: bar.advance(task, n)
        )
    typer.echo(
        f"Seeded {persons} persons (seed {seed}, reference date {today}); {len(examples)} example categories."
    )


@register_app.command()
def examples(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Identity numbers of test persons by category, chosen when the population was seeded."""
    from fiks_folkeregister.app import build_register

    found = build_register(Settings()).repository.examples()
    if not found:
        typer.echo("The register has no population yet: run `fiks-folkeregister register seed`.", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    for category, numbers in found.items():
        typer.echo(f"{category:28} {' '.join(numbers)}")


@register_app.command()
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8080,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    workers: Annotated[int, typer.Option(min=1, max=64)] = 1,
) -> None:
    """Serve the register's API and the embedded token issuer."""
    import uvicorn

    from fiks_folkeregister.cli import announce_new_data_directory

    announce_new_data_directory(ctx)
    uvicorn.run(
        "fiks_folkeregister.app:register_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


@register_app.command()
def simulate(
    events: Annotated[int, typer.Option(min=1, max=100_000_000, help="How many events to write.")] = 1000,
    rate: Annotated[
        float | None, typer.Option(min=0.1, help="Events per second at most; default as fast as possible.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed; default a new one each run.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Let life go on: births, deaths, moves, marriages … each written as new versions and events."""
    import random
    import time

    from fiks_folkeregister.app import build_register
    from fiks_folkeregister.register.hendelser.log import BATCH_EVENTS
    from fiks_folkeregister.register.simulator import Simulator

    register = build_register(Settings())
    if not register.repository.count_persons():
        typer.echo("The register has no population yet: run `fiks-folkeregister register seed`.", err=True)
        raise typer.Exit(1)
    facts = register.repository.population_facts()
    day = max(date.fromisoformat(facts.get("referenceDate", date.today().isoformat())), date.today())
    simulator = Simulator(seed if seed is not None else random.SystemRandom().randrange(2**31), day)
    log = register.service.hendelser.log
    batch = max(1, min(BATCH_EVENTS, int(rate))) if rate else BATCH_EVENTS
    started = time.monotonic()
    written = 0
    with Progress(
        TextColumn("Simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), disable=quiet
    ) as bar:
        task = bar.add_task("simulate", total=events)
        while written < events:
            count = log.simulate(simulator, min(batch, events - written), batch_events=batch)
            written += count
            bar.advance(task, count)
            if rate:
                ahead = written / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
    elapsed = time.monotonic() - started
    typer.echo(
        f"Wrote {written} events in {elapsed:.1f} s ({written / max(elapsed, 1e-9):.0f}/s); "
        f"newest sequence number {log.latest()}."
    )
