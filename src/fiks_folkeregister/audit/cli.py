"""`fiks-folkeregister audit`: who looked up a person (Folkeregisterloven § 10-1).

An entrypoint: what it works on is built by the composition root (`app.py`), imported inside each command
so that `--help` and the other commands do not load every room (docs/architecture.md, "Entrypoints").
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from fiks_folkeregister.audit.kjede import ChainSummary
from fiks_folkeregister.audit.log import AuditRecord, read_checkpoint_file
from fiks_folkeregister.audit.revisjon import export, prune, verify_database, verify_export
from fiks_folkeregister.audit.signering import CheckpointSigner, CheckpointVerifier
from fiks_folkeregister.settings import Settings

audit_app = typer.Typer(no_args_is_help=True, help="The audit log of lookups.")


def record_out(record: AuditRecord) -> dict[str, Any]:
    """A record with the admin API's field names."""
    return {
        "tidspunkt": record.tidspunkt.isoformat(),
        "requestId": record.request_id,
        "orgnr": record.orgnr,
        "rolleId": str(record.rolle_id) if record.rolle_id else None,
        "integrasjonId": str(record.integrasjon_id) if record.integrasjon_id else None,
        "klientOrgnr": record.klient_orgnr,
        "ressurs": record.ressurs,
        "parametre": dict(record.parametre),
        "personer": list(record.personer),
        "utfall": record.utfall,
        "status": record.status,
        "feilkode": record.feilkode,
        "kanal": record.kanal,
        "prinsipal": record.prinsipal,
        "personFoedselsnummer": record.person_foedselsnummer,
        "personNavn": record.person_navn,
        "saksnummer": record.saksnummer,
        "formaal": record.formaal,
    }


@audit_app.command("person")
def person(
    identifikator: Annotated[str, typer.Argument(help="The person's identity number (11 digits).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who looked up this person, or tried to: when, which organisation, role and integration, what was
    asked and how it ended (ok, avvist or feil, with the status and error code). Attempts are the records
    whose parameters name the number (as path parameter, query parameter or in a bulk lookup's list)."""
    from fiks_folkeregister.app import build_admin

    if not (len(identifikator) == 11 and identifikator.isdigit()):
        raise typer.BadParameter(f"an identity number is 11 digits, got {identifikator!r}")
    admin = build_admin(Settings())
    try:
        records = admin.audit.lookups_of_person(identifikator)
    finally:
        admin.engine.dispose()
    if as_json:
        typer.echo(
            json.dumps(
                [{k: v for k, v in record_out(r).items() if k != "personer"} for r in records],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    if not records:
        typer.echo(f"No lookups of {identifikator}, and no attempts, are recorded.")
        return
    for record in records:
        typer.echo(
            f"{record.tidspunkt:%Y-%m-%d %H:%M:%S}Z  org {record.orgnr or '-'}  "
            f"role {record.rolle_id or '-'}  "
            + (
                f"person {record.person_navn} ({record.person_foedselsnummer})  {record.kanal}  "
                if record.prinsipal == "person"
                else f"integration {record.integrasjon_id or '-'}  client {record.klient_orgnr or '-'}  "
            )
            + f"{record.ressurs}  {record.utfall} {record.status}"
            + (f" {record.feilkode}" if record.feilkode else "")
            + (f"  sak {record.saksnummer}" if record.saksnummer else "")
        )


# -- tamper evidence ------------------------------------------------------------------------------


def _verifier(public_key: Path | None) -> CheckpointVerifier:
    """The public key given, else the deployment's checkpoint key (never made here: verifying needs one)."""
    if public_key is not None:
        try:
            return CheckpointVerifier.from_pem(public_key.read_bytes())
        except (OSError, ValueError) as error:
            raise typer.BadParameter(f"{public_key}: not a readable Ed25519 public key ({error})") from None
    path = Settings().audit_key_path
    if not path.exists():
        raise typer.BadParameter(
            f"no checkpoint key at {path} (FIKSREG_AUDIT_SIGNING_KEY); give the public key with --public-key"
        )
    return CheckpointSigner(path)


def _moment(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{name} must be an ISO 8601 date or time, got {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _summary_line(summary: ChainSummary) -> str:
    name = summary.kjede or "(no organisation)"
    if summary.finding is not None:
        return f"FAILED  {summary.finding}"
    if summary.records == 0:
        return f"ok      chain {name}: no records left; signed up to record {summary.signed_up_to}"
    unsigned = summary.last - summary.signed_up_to
    tail = f", {unsigned} newer record(s) not yet under a checkpoint" if unsigned > 0 else ""
    return (
        f"ok      chain {name}: records {summary.first}–{summary.last} hold, "
        f"{summary.checkpoints} signed checkpoint(s), the newest at record {summary.signed_up_to}{tail}"
    )


@audit_app.command("verify")
def verify(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation's chain.")] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Check an export (from `audit export`) instead of the database."),
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key", help="PEM public key (from `audit public-key`); default the deployment's key."
        ),
    ] = None,
) -> None:
    """Check the lookup log's hash chains and signed checkpoints; name the first record that does not hold."""
    verifier = _verifier(public_key)
    if file is not None:
        with file.open("rb") as handle:
            summaries = [verify_export(handle, verifier)]
    else:
        from fiks_folkeregister.app import build_admin

        settings = Settings()
        admin = build_admin(settings)
        try:
            outside = read_checkpoint_file(settings.audit_checkpoint_path)
            summaries = verify_database(admin.engine, verifier, org, outside)
        finally:
            admin.engine.dispose()
    for summary in summaries:
        typer.echo(_summary_line(summary))
    if not summaries:
        typer.echo("no chains: nothing has been logged")
    if any(summary.finding is not None for summary in summaries):
        raise typer.Exit(1)


@audit_app.command("export")
def export_command(
    org: Annotated[str, typer.Option("--org", help="The organisation number.")],
    fra: Annotated[str, typer.Option("--from", help="From (inclusive), ISO 8601; UTC if no offset.")],
    til: Annotated[str, typer.Option("--to", help="Until (exclusive), ISO 8601; UTC if no offset.")],
    out: Annotated[Path | None, typer.Option("--out", help="File to write; default standard output.")] = None,
) -> None:
    """Write an organisation's records of a period as JSON Lines with their chain values and checkpoints."""
    from fiks_folkeregister.app import build_admin

    start, end = _moment(fra, "--from"), _moment(til, "--to")
    if start >= end:
        raise typer.BadParameter("--from must be before --to")
    settings = Settings()
    admin = build_admin(settings)
    try:
        admin.audit.checkpoint(chains=[org])  # the export ends at a signed checkpoint
        key_id = CheckpointSigner(settings.audit_key_path).key_id
        if out is None:
            full, links = export(admin.engine, org, start, end, sys.stdout.buffer, key_id)
        else:
            with out.open("wb") as handle:
                full, links = export(admin.engine, org, start, end, handle, key_id)
    finally:
        admin.engine.dispose()
    typer.echo(f"{full} record(s) of {org} in full, {links} link(s) in all", err=True)


@audit_app.command("public-key")
def public_key_command() -> None:
    """Print the checkpoint key's public half (PEM): what an auditor needs for `audit verify --file`."""
    typer.echo(CheckpointSigner(Settings().audit_key_path).public_pem(), nl=False)


@audit_app.command("prune")
def prune_command(
    older_than: Annotated[
        int | None,
        typer.Option("--older-than", min=1, help="Days; default FIKSREG_AUDIT_RETENTION_DAYS."),
    ] = None,
) -> None:
    """Delete lookup records older than the retention period; a signed checkpoint anchors what remains."""
    from fiks_folkeregister.app import build_admin

    settings = Settings()
    days = older_than or settings.audit_retention_days
    admin = build_admin(settings)
    try:
        removed = prune(
            admin.engine,
            CheckpointSigner(settings.audit_key_path),
            datetime.now(UTC) - timedelta(days=days),
            settings.audit_checkpoint_path,
        )
    finally:
        admin.engine.dispose()
    for chain, count in removed.items():
        typer.echo(f"chain {chain or '(no organisation)'}: {count} record(s) older than {days} days removed")
    if not removed:
        typer.echo(f"nothing older than {days} days")


# -- insight ----------------------------------------------------------------------------------------


@audit_app.command("innsyn")
def innsyn_command(
    identifikator: Annotated[str, typer.Argument(help="The person's fødselsnummer or d-nummer.")],
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation's lookups.")] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="json, or the letter to the person: html or pdf.")
    ] = "json",
    out: Annotated[Path | None, typer.Option("--out", help="File to write; default standard output.")] = None,
) -> None:
    """A person's insight (Folkeregisterloven § 10-1): every lookup that gave out data about them, under
    every number they have had, with organisation, role, channel, time and elements; never who asked."""
    from fiks_folkeregister.admin.cli import console_actor
    from fiks_folkeregister.admin.errors import AdminError
    from fiks_folkeregister.app import build_admin, build_insight
    from fiks_folkeregister.audit.innsyn import InvalidIdentityNumberError
    from fiks_folkeregister.audit.innsynsbrev import render_html, render_pdf

    if output_format not in ("json", "html", "pdf"):
        raise typer.BadParameter("--format is json, html or pdf")
    if output_format == "pdf" and out is None:
        raise typer.BadParameter("a PDF needs --out FILE")
    settings = Settings()
    admin = build_admin(settings)
    try:
        try:
            navn = admin.service.get_organisation(console_actor(), org).navn if org else None
        except AdminError as error:
            raise typer.BadParameter(error.message) from None
        try:
            report = build_insight(settings, admin).report(identifikator, orgnr=org)
        except InvalidIdentityNumberError as error:
            raise typer.BadParameter(str(error)) from None
    finally:
        admin.engine.dispose()
    if output_format == "json":
        content = json.dumps(report.to_json(), indent=2, ensure_ascii=False).encode() + b"\n"
    elif output_format == "html":
        content = render_html(report, navn).encode()
    else:
        content = render_pdf(report, navn)
    if out is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        out.write_bytes(content)
        typer.echo(f"{len(report.oppslag)} lookup(s) written to {out}", err=True)
