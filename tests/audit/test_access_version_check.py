"""A record awaited with the access version its request's access was read at is stored only if that version
still holds in the transaction that stores it (`AuditLog.record_async`'s `tilgangsversjon`): otherwise nothing
of it is stored and its waiter learns the version now in force, while the batch's other records are stored
and the hash chain stays whole."""

from __future__ import annotations

import asyncio
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine, text

from fiks_folkeregister.audit.log import AccessChangedError, AuditLog
from fiks_folkeregister.audit.revisjon import verify_database
from fiks_folkeregister.audit.signering import CheckpointSigner
from tests.audit.test_audit_log import ORG_A, lookup
from tests.own_loop import run

ORG_B = "987654325"


def _version(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT versjon FROM tilgangsversjon")).scalar_one())


def _add_organisation(engine: Engine, orgnr: str = ORG_B) -> None:
    """An administrator's change to what the access read reads: a new organisation."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisasjon (orgnr, navn, opprettet, fiks_org_id) "
                "VALUES (:orgnr, 'B', CURRENT_TIMESTAMP, :id)"
            ),
            {"orgnr": orgnr, "id": str(uuid4())},
        )


def _change_access(engine: Engine) -> None:
    """An administrator's change to what the access read reads: an organisation's request rate."""
    with engine.begin() as connection:
        connection.execute(text("UPDATE organisasjon SET forespoersler_per_minutt = 7"))


def _stored_ids(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(text("SELECT request_id FROM oppslagslogg")).scalars())


def test_a_record_read_at_the_version_in_force_is_stored(engine: Engine) -> None:
    log = AuditLog(engine)
    record = lookup()

    run(log.record_async(record, tilgangsversjon=_version(engine)))

    assert _stored_ids(engine) == {record.request_id}


def test_a_record_read_before_a_change_is_refused_and_the_batch_others_are_stored(
    engine: Engine, tmp_path: Path
) -> None:
    signer = CheckpointSigner(tmp_path / "keys" / "checkpoint-key.pem")
    log = AuditLog(engine, signer=signer, checkpoint_records=2)
    run(log.record_async(lookup()))  # the chain has a head this process knows
    read_at = _version(engine)
    # An organisation is made with its own chain: the check also spans a batch of several chains.
    _add_organisation(engine)
    _change_access(engine)
    now = _version(engine)
    assert now == read_at + 2
    stale, unchecked, current, other_chain = lookup(), lookup(), lookup(), lookup(orgnr=ORG_B)

    async def batch() -> list[BaseException | None]:
        # One turn of the loop: the four records reach the writer together, as one batch.
        return await asyncio.gather(
            log.record_async(stale, tilgangsversjon=read_at),
            log.record_async(unchecked),
            log.record_async(current, tilgangsversjon=now),
            log.record_async(other_chain, tilgangsversjon=now),
            return_exceptions=True,
        )

    outcomes = run(batch())

    refused = outcomes[0]
    assert isinstance(refused, AccessChangedError)
    assert refused.tilgangsversjon == now
    assert outcomes[1:] == [None, None, None]
    stored = _stored_ids(engine)
    assert stale.request_id not in stored
    assert {unchecked.request_id, current.request_id, other_chain.request_id} <= stored
    log.close()
    summaries = verify_database(engine, signer)
    assert [(s.kjede, s.records, s.finding) for s in summaries] == [
        (ORG_A, 3, None),
        (ORG_B, 1, None),
    ]


def test_a_refused_record_is_refused_again_until_read_afresh(engine: Engine) -> None:
    log = AuditLog(engine)
    read_at = _version(engine)
    _add_organisation(engine)

    with pytest.raises(AccessChangedError):
        run(log.record_async(lookup(), tilgangsversjon=read_at))
    with pytest.raises(AccessChangedError):  # the first writes a head: the chain's lock path, same check
        run(log.record_async(lookup(), tilgangsversjon=read_at))

    assert _stored_ids(engine) == set()
