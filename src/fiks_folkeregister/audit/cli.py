"""`fiks-folkeregister audit`: who looked up a person (Folkeregisterloven § 10-1)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from fiks_folkeregister.audit.log import AuditRecord
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
    }


@audit_app.command("person")
def person(
    identifikator: Annotated[str, typer.Argument(help="The person's identity number (11 digits).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who looked up this person: when, which organisation, role and integration, and what was asked."""
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
        typer.echo(f"No lookups of {identifikator} are recorded.")
        return
    for record in records:
        typer.echo(
            f"{record.tidspunkt:%Y-%m-%d %H:%M:%S}Z  org {record.orgnr or '-'}  "
            f"role {record.rolle_id or '-'}  "
            f"integration {record.integrasjon_id or '-'}  client {record.klient_orgnr or '-'}  "
            f"{record.ressurs}  {record.utfall} {record.status}"
        )
