"""Checking, exporting and pruning the lookup log's chains (`fiks-folkeregister audit verify|export|prune`)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, delete, func, insert, select

from fiks_folkeregister.audit import kjede
from fiks_folkeregister.audit.kjede import ChainCheck, ChainSummary, Checkpoint, Finding
from fiks_folkeregister.audit.log import append_checkpoints, checkpoint_row, sign
from fiks_folkeregister.audit.signering import CheckpointSigner, CheckpointVerifier
from fiks_folkeregister.storage.database import as_utc
from fiks_folkeregister.storage.tables import (
    oppslagslogg,
    oppslagslogg_kjede,
    oppslagslogg_person,
    oppslagslogg_sjekkpunkt,
)

_CHUNK = 1000


@dataclass(frozen=True)
class StoredLink:
    """One record as stored: its fields as the chain encodes them, and the chain value stored with it."""

    id: int
    fields: dict[str, Any]
    hash: str | None

    @property
    def sekvens(self) -> int:
        return int(self.fields["sekvens"])

    @property
    def where(self) -> str:
        return f"id {self.id}, request {self.fields['requestId']}"


def verify_database(
    engine: Engine,
    verifier: CheckpointVerifier,
    orgnr: str | None = None,
    outside: Sequence[Checkpoint] = (),
) -> list[ChainSummary]:
    """Every chain (or one organisation's): each link recomputed, every checkpoint's signature checked.

    `outside`: checkpoints kept outside the database (the checkpoint file), checked with those inside.
    """
    with engine.connect() as connection:
        chains = set(connection.execute(select(oppslagslogg_kjede.c.kjede)).scalars())
        chains |= set(connection.execute(select(oppslagslogg_sjekkpunkt.c.kjede).distinct()).scalars())
        chains |= set(connection.execute(select(oppslagslogg.c.kjede).distinct()).scalars()) - {None}
        chains |= {checkpoint.kjede for checkpoint in outside}
        unchained = connection.execute(
            select(oppslagslogg.c.id, oppslagslogg.c.orgnr, oppslagslogg.c.request_id)
            .where((oppslagslogg.c.kjede.is_(None)) | (oppslagslogg.c.sekvens.is_(None)))
            .order_by(oppslagslogg.c.id)
        ).all()
        if orgnr is not None:
            chains = {orgnr} & chains or {orgnr}
            unchained = [row for row in unchained if row.orgnr == orgnr]
        summaries = []
        for chain in sorted(chains):
            summary = _verify_chain(connection, verifier, chain, [c for c in outside if c.kjede == chain])
            strays = [row for row in unchained if (row.orgnr or "") == chain]
            if summary.finding is None and strays:
                first = strays[0]
                summary.finding = Finding(
                    chain,
                    None,
                    "a record outside the chain (inserted)",
                    f"id {first.id}, request {first.request_id}",
                )
            summaries.append(summary)
        for row in unchained:
            if (row.orgnr or "") not in chains:
                summaries.append(
                    ChainSummary(
                        row.orgnr or "",
                        finding=Finding(
                            row.orgnr or "",
                            None,
                            "a record outside the chain (inserted)",
                            f"id {row.id}, request {row.request_id}",
                        ),
                    )
                )
                chains.add(row.orgnr or "")
    return summaries


def _verify_chain(
    connection: Connection, verifier: CheckpointVerifier, chain: str, outside: list[Checkpoint]
) -> ChainSummary:
    check = ChainCheck(chain, verifier.key_id, verifier.verify)
    check.checkpoints(list(dict.fromkeys([*_checkpoints(connection, chain), *outside])))
    links = _links(connection, chain)
    first = next(links, None)
    head = connection.execute(select(oppslagslogg_kjede).where(oppslagslogg_kjede.c.kjede == chain)).first()
    if first is None:  # no records left: only a pruning anchor at the head may account for them
        if head is not None and head.sekvens > 0:
            check.start(head.sekvens + 1)
    else:
        check.start(first.sekvens)
        for stored in _chained((first,), links):
            check.record(stored.sekvens, kjede.content_hash(stored.fields), stored.hash, stored.where)
            if check.failed:
                break
    summary = check.finish()
    if summary.finding is None and head is not None and head.sekvens > check.reached:
        summary.finding = Finding(
            chain,
            check.reached + 1,
            f"the chain's head says {head.sekvens} records, the log ends at {check.reached} (cut off after "
            "the newest checkpoint)",
        )
    return summary


def _chained(first: Iterable[StoredLink], rest: Iterator[StoredLink]) -> Iterator[StoredLink]:
    yield from first
    yield from rest


def _checkpoints(connection: Connection, chain: str, up_to: int | None = None) -> list[Checkpoint]:
    statement = select(oppslagslogg_sjekkpunkt).where(oppslagslogg_sjekkpunkt.c.kjede == chain)
    if up_to is not None:
        statement = statement.where(oppslagslogg_sjekkpunkt.c.sekvens <= up_to)
    return [
        _checkpoint(row) for row in connection.execute(statement.order_by(oppslagslogg_sjekkpunkt.c.sekvens))
    ]


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(
        kjede=row.kjede,
        sekvens=row.sekvens,
        hash=row.hash,
        tidspunkt=as_utc(row.tidspunkt),
        art=row.art,
        noekkel_id=row.noekkel_id,
        signatur=row.signatur,
    )


def _links(
    connection: Connection, chain: str, start: int = 0, end: int | None = None
) -> Iterator[StoredLink]:
    """A chain's records in sequence order (from `start`, up to `end`), read in chunks."""
    after = start - 1
    while True:
        statement = (
            select(oppslagslogg)
            .where(oppslagslogg.c.kjede == chain, oppslagslogg.c.sekvens > after)
            .order_by(oppslagslogg.c.sekvens)
            .limit(_CHUNK)
        )
        if end is not None:
            statement = statement.where(oppslagslogg.c.sekvens <= end)
        rows = connection.execute(statement).all()
        if not rows:
            return
        persons: dict[int, list[str]] = defaultdict(list)
        found = connection.execute(
            select(oppslagslogg_person.c.oppslag_id, oppslagslogg_person.c.identifikator)
            .where(oppslagslogg_person.c.oppslag_id.in_([row.id for row in rows]))
            .order_by(oppslagslogg_person.c.oppslag_id, oppslagslogg_person.c.posisjon)
        )
        for oppslag_id, identifikator in found:
            persons[oppslag_id].append(identifikator)
        for row in rows:
            yield StoredLink(row.id, _fields(row, persons.get(row.id, [])), row.hash)
        after = rows[-1].sekvens


def _fields(row: Any, personer: list[str]) -> dict[str, Any]:
    return kjede.fields_of(
        row, kjede=row.kjede, sekvens=row.sekvens, tidspunkt=as_utc(row.tidspunkt), personer=personer
    )


def _line(entry: dict[str, Any]) -> bytes:
    return kjede.canonical(entry) + b"\n"


# -- export -----------------------------------------------------------------------------------------


def export(
    engine: Engine, chain: str, fra: datetime, til: datetime, out: IO[bytes], key_id: str
) -> tuple[int, int]:
    """One organisation's records with `fra <= tidspunkt < til` as JSON Lines, verifiable offline.

    The lines: a header (`type: eksport`, with the chain value before the first record), then the chain
    in sequence order up to the newest checkpoint (sign one first with `AuditLog.checkpoint`): records in
    the period in full (`type: oppslag`), records between them or after the period up to that checkpoint
    only as their content hash (`type: ledd`, no personal data), then the checkpoints (`type: sjekkpunkt`).
    Returns (records in full, links in all).
    """
    with engine.connect() as connection:
        in_period = (oppslagslogg.c.kjede == chain) & (oppslagslogg.c.tidspunkt >= fra.astimezone(UTC))
        in_period &= oppslagslogg.c.tidspunkt < til.astimezone(UTC)
        first = connection.execute(select(func.min(oppslagslogg.c.sekvens)).where(in_period)).scalar()
        checkpoints = _checkpoints(connection, chain)
        end = max((c.sekvens for c in checkpoints), default=0)
        start = first if first is not None else end + 1
        previous = kjede.GENESIS.hex()
        if start > 1:
            before = connection.execute(
                select(oppslagslogg.c.hash).where(
                    oppslagslogg.c.kjede == chain, oppslagslogg.c.sekvens == start - 1
                )
            ).scalar()
            anchor = next((c.hash for c in checkpoints if c.sekvens == start - 1), None)
            previous = before or anchor or ""
        header = {
            "type": "eksport",
            "format": kjede.FORMAT,
            "kjede": chain,
            "fra": kjede.timestamp(fra),
            "til": kjede.timestamp(til),
            "noekkelId": key_id,
            "startSekvens": start,
            "forrigeHash": previous,
            "laget": kjede.timestamp(datetime.now(UTC)),
        }
        out.write(_line(header))
        full = links = 0
        for stored in _links(connection, chain, start, end):
            moment = datetime.fromisoformat(stored.fields["tidspunkt"])
            if fra <= moment < til:
                line = {"type": "oppslag", **stored.fields, "hash": stored.hash}
                full += 1
            else:
                line = {
                    "type": "ledd",
                    "sekvens": stored.sekvens,
                    "innholdshash": kjede.content_hash(stored.fields).hex(),
                    "hash": stored.hash,
                }
            out.write(_line(line))
            links += 1
        for checkpoint in checkpoints:
            if checkpoint.sekvens >= start - 1:
                out.write(_line({"type": "sjekkpunkt", **checkpoint.to_json()}))
    return full, links


def verify_export(lines: Iterable[bytes], verifier: CheckpointVerifier) -> ChainSummary:
    """An export checked with the public key alone: every link, and that it ends at a signed checkpoint."""
    header: dict[str, Any] | None = None
    entries: list[dict[str, Any]] = []
    checkpoints: list[Checkpoint] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
            kind = entry["type"]
            if kind == "eksport":
                header = entry
            elif kind == "sjekkpunkt":
                checkpoints.append(Checkpoint.from_json(entry))
            elif kind in ("oppslag", "ledd"):
                entries.append(entry)
            else:
                raise ValueError(f"unknown type {kind!r}")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            return ChainSummary(
                "?", finding=Finding("?", None, f"line {number} is not an export line ({error})")
            )
    if header is None or header.get("format") != kjede.FORMAT:
        return ChainSummary("?", finding=Finding("?", None, f"not an export in the format {kjede.FORMAT}"))
    chain = str(header["kjede"])
    check = ChainCheck(chain, verifier.key_id, verifier.verify)
    check.checkpoints(checkpoints)
    try:
        previous = bytes.fromhex(str(header["forrigeHash"]))
    except ValueError:
        previous = b""
    start = int(header["startSekvens"])
    check.start(start, previous if start > 1 and len(previous) == 32 else None)
    for entry in entries:
        if entry["type"] == "oppslag":
            fields = {k: v for k, v in entry.items() if k not in ("type", "hash")}
            if fields.get("kjede") != chain:
                check.record(int(entry["sekvens"]), b"", None, f"request {fields.get('requestId')}")
                break
            innholdshash = kjede.content_hash(fields)
            where = f"request {fields.get('requestId')}"
        else:
            innholdshash = bytes.fromhex(str(entry["innholdshash"]))
            where = "given by its content hash only"
        check.record(int(entry["sekvens"]), innholdshash, entry.get("hash"), where)
        if check.failed:
            break
    return check.finish(require_signed_end=True)


# -- retention --------------------------------------------------------------------------------------


def prune(
    engine: Engine, signer: CheckpointSigner, older_than: datetime, checkpoint_file: Path | None = None
) -> dict[str, int]:
    """Delete records older than `older_than`, chain by chain, keeping every newer one.

    A chain is cut after its newest record that has no newer record before it; a signed `sletting`
    checkpoint at that record, written in the same transaction, anchors the remaining chain. Checkpoints
    before the anchor go too. Returns how many records each chain lost.
    """
    cutoff = older_than.astimezone(UTC)
    removed: dict[str, int] = {}
    with engine.connect() as connection:
        chains = list(
            connection.execute(
                select(oppslagslogg_kjede.c.kjede).order_by(oppslagslogg_kjede.c.kjede)
            ).scalars()
        )
    for chain in chains:
        with engine.begin() as connection:
            in_chain = oppslagslogg.c.kjede == chain
            first_kept = connection.execute(
                select(func.min(oppslagslogg.c.sekvens)).where(in_chain, oppslagslogg.c.tidspunkt >= cutoff)
            ).scalar()
            oldest = connection.execute(select(func.min(oppslagslogg.c.sekvens)).where(in_chain)).scalar()
            if first_kept is None:
                last = connection.execute(select(func.max(oppslagslogg.c.sekvens)).where(in_chain)).scalar()
            else:
                last = first_kept - 1
            if oldest is None or last is None or last < oldest:
                continue
            anchor_hash = connection.execute(
                select(oppslagslogg.c.hash).where(in_chain, oppslagslogg.c.sekvens == last)
            ).scalar_one()
            anchor = sign(signer, chain, last, anchor_hash, datetime.now(UTC), kjede.SLETTING)
            gone = select(oppslagslogg.c.id).where(in_chain, oppslagslogg.c.sekvens <= last)
            connection.execute(delete(oppslagslogg_person).where(oppslagslogg_person.c.oppslag_id.in_(gone)))
            count = connection.execute(
                delete(oppslagslogg).where(in_chain, oppslagslogg.c.sekvens <= last)
            ).rowcount
            connection.execute(
                delete(oppslagslogg_sjekkpunkt).where(
                    oppslagslogg_sjekkpunkt.c.kjede == chain, oppslagslogg_sjekkpunkt.c.sekvens <= last
                )
            )
            connection.execute(insert(oppslagslogg_sjekkpunkt), [checkpoint_row(anchor)])
            removed[chain] = count
        if checkpoint_file is not None:
            append_checkpoints(checkpoint_file, [anchor])
    return removed
