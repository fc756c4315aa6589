"""Tamper evidence: the hash chains and signed checkpoints catch every change made behind the writer's back."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import orjson
import pytest
from sqlalchemy import Engine, text

from fiks_folkeregister.audit.kjede import ChainSummary
from fiks_folkeregister.audit.log import AuditLog, AuditRecord, read_checkpoint_file
from fiks_folkeregister.audit.revisjon import export, prune, verify_database, verify_export
from fiks_folkeregister.audit.signering import CheckpointSigner, CheckpointVerifier

ORG_A = "921234562"
ORG_B = "987654325"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def signer(tmp_path: Path) -> CheckpointSigner:
    return CheckpointSigner(tmp_path / "keys" / "checkpoint-key.pem")


def lookup(orgnr: str | None, hour: int, person: str = "06076301709", **changes: object) -> AuditRecord:
    fields: dict[str, object] = {
        "tidspunkt": T0 + timedelta(hours=hour),
        "request_id": f"req-{orgnr}-{hour}",
        "orgnr": orgnr,
        "rolle_id": uuid4(),
        "integrasjon_id": uuid4(),
        "klient_orgnr": "999888771",
        "ressurs": "GET personer/{personidentifikator}",
        "parametre": {"personidentifikator": person, "part": ["navn"], "n": 2**70, "x": 0.1},
        "personer": (person,),
        "utfall": "ok",
        "status": 200,
    }
    fields.update(changes)
    return AuditRecord(**fields)  # type: ignore[arg-type]


@pytest.fixture
def written(engine: Engine, signer: CheckpointSigner) -> AuditLog:
    """Six records of A (checkpoints at 4 and, at shutdown, 6), two of B, one refusal without organisation."""
    log = AuditLog(engine, signer=signer, checkpoint_records=4)
    for hour in range(6):
        log.record(lookup(ORG_A, hour, person=f"0101011{hour:04d}"))
    log.record(lookup(ORG_B, 0))
    log.record(lookup(ORG_B, 1, personer=(), utfall="avvist", status=403, feilkode="DEL_IKKE_TILLATT"))
    log.record(lookup(None, 2, personer=(), utfall="avvist", status=401, feilkode="UGYLDIG_TOKEN"))
    log.close()
    return log


def chain(summaries: list[ChainSummary], kjede: str) -> ChainSummary:
    (found,) = [s for s in summaries if s.kjede == kjede]
    return found


def run(engine: Engine, *statements: str) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def finding(engine: Engine, signer: CheckpointSigner, kjede: str = ORG_A) -> tuple[int | None, str]:
    summaries = verify_database(engine, signer)
    for other in summaries:
        if other.kjede != kjede:
            assert other.finding is None, other.finding  # tampering with A never blames B
    found = chain(summaries, kjede).finding
    assert found is not None, "the tampering was not detected"
    return found.sekvens, found.reason


def test_an_untouched_log_verifies(engine: Engine, signer: CheckpointSigner, written: AuditLog) -> None:
    summaries = verify_database(engine, signer)

    assert [(s.kjede, s.records, s.last, s.signed_up_to, s.finding) for s in summaries] == [
        ("", 1, 1, 1, None),
        (ORG_A, 6, 6, 6, None),
        (ORG_B, 2, 2, 2, None),
    ]
    assert chain(summaries, ORG_A).checkpoints == 2  # every 4 records, and at shutdown
    assert [s.kjede for s in verify_database(engine, signer, ORG_B)] == [ORG_B]


def test_a_changed_field_is_named(engine: Engine, signer: CheckpointSigner, written: AuditLog) -> None:
    run(engine, f"UPDATE oppslagslogg SET status = 404 WHERE kjede = '{ORG_A}' AND sekvens = 3")

    sekvens, reason = finding(engine, signer)

    assert sekvens == 3
    assert "does not match" in reason
    assert f"request req-{ORG_A}-2" in str(chain(verify_database(engine, signer), ORG_A).finding)


def test_a_changed_person_of_a_record_is_named(
    engine: Engine, signer: CheckpointSigner, written: AuditLog
) -> None:
    run(
        engine,
        "UPDATE oppslagslogg_person SET identifikator = '31129999999' WHERE oppslag_id = "
        f"(SELECT id FROM oppslagslogg WHERE kjede = '{ORG_A}' AND sekvens = 2)",
    )

    assert finding(engine, signer)[0] == 2


def test_a_deleted_record_is_named(engine: Engine, signer: CheckpointSigner, written: AuditLog) -> None:
    victim = f"(SELECT id FROM oppslagslogg WHERE kjede = '{ORG_A}' AND sekvens = 3)"
    run(
        engine,
        f"DELETE FROM oppslagslogg_person WHERE oppslag_id = {victim}",
        f"DELETE FROM oppslagslogg WHERE id = {victim}",
    )

    sekvens, reason = finding(engine, signer)

    assert (sekvens, reason) == (3, "record 3 is missing (deleted): the chain jumps to 4")


def test_deleting_and_renumbering_is_caught(
    engine: Engine, signer: CheckpointSigner, written: AuditLog
) -> None:
    run(
        engine,
        f"DELETE FROM oppslagslogg_person WHERE oppslag_id IN (SELECT id FROM oppslagslogg WHERE kjede = '{ORG_A}' AND sekvens = 3)",
        f"DELETE FROM oppslagslogg WHERE kjede = '{ORG_A}' AND sekvens = 3",
        f"UPDATE oppslagslogg SET sekvens = sekvens - 1 WHERE kjede = '{ORG_A}' AND sekvens > 3",
        f"UPDATE oppslagslogg_kjede SET sekvens = 5 WHERE kjede = '{ORG_A}'",
        f"DELETE FROM oppslagslogg_sjekkpunkt WHERE kjede = '{ORG_A}' AND sekvens = 6",
    )

    assert finding(engine, signer)[0] == 3


def test_an_inserted_record_is_named(engine: Engine, signer: CheckpointSigner, written: AuditLog) -> None:
    run(
        engine,
        "INSERT INTO oppslagslogg (tidspunkt, request_id, orgnr, ressurs, parametre, utfall, status, kanal) "
        f"VALUES ('2026-11-01 12:30:00', 'forged', '{ORG_A}', 'GET personer/{{personidentifikator}}', '{{}}', "
        "'ok', 200, 'api')",
    )

    sekvens, reason = finding(engine, signer)

    assert sekvens is None
    assert "outside the chain (inserted)" in reason
    assert "request forged" in str(chain(verify_database(engine, signer), ORG_A).finding)


def test_a_record_inserted_into_the_sequence_is_named(
    engine: Engine, signer: CheckpointSigner, written: AuditLog
) -> None:
    # The forger copies record 2's chain value and shifts the later records up to make room.
    run(
        engine,
        f"UPDATE oppslagslogg SET sekvens = sekvens + 100 WHERE kjede = '{ORG_A}' AND sekvens >= 3",
        f"UPDATE oppslagslogg SET sekvens = sekvens - 99 WHERE kjede = '{ORG_A}' AND sekvens >= 103",
        "INSERT INTO oppslagslogg (tidspunkt, request_id, orgnr, ressurs, parametre, utfall, status, kanal, "
        "kjede, sekvens, hash) SELECT tidspunkt, 'forged', orgnr, ressurs, parametre, utfall, status, kanal, "
        f"kjede, 3, hash FROM oppslagslogg WHERE kjede = '{ORG_A}' AND sekvens = 2",
    )

    assert finding(engine, signer)[0] == 3


def test_two_swapped_records_are_caught(engine: Engine, signer: CheckpointSigner, written: AuditLog) -> None:
    run(
        engine,
        f"UPDATE oppslagslogg SET sekvens = -2 WHERE kjede = '{ORG_A}' AND sekvens = 2",
        f"UPDATE oppslagslogg SET sekvens = 2 WHERE kjede = '{ORG_A}' AND sekvens = 3",
        f"UPDATE oppslagslogg SET sekvens = 3 WHERE kjede = '{ORG_A}' AND sekvens = -2",
    )

    assert finding(engine, signer)[0] == 2


def test_swapped_contents_with_their_hashes_are_caught(
    engine: Engine, signer: CheckpointSigner, written: AuditLog
) -> None:
    # Moving whole rows (chain value included) still breaks the links: each value covers its predecessor.
    run(
        engine,
        f"UPDATE oppslagslogg SET sekvens = -2, hash = 'x' WHERE kjede = '{ORG_A}' AND sekvens = 2",
        f"UPDATE oppslagslogg SET sekvens = 2 WHERE kjede = '{ORG_A}' AND sekvens = 3",
        f"UPDATE oppslagslogg SET sekvens = 3 WHERE kjede = '{ORG_A}' AND sekvens = -2",
    )

    assert finding(engine, signer)[0] == 2


def test_the_newest_records_cut_off_are_caught_by_the_checkpoint(
    engine: Engine, signer: CheckpointSigner, written: AuditLog
) -> None:
    newest = f"(SELECT id FROM oppslagslogg WHERE kjede = '{ORG_A}' AND sekvens > 4)"
    run(
        engine,
        f"DELETE FROM oppslagslogg_person WHERE oppslag_id IN {newest}",
        f"DELETE FROM oppslagslogg WHERE id IN {newest}",
        # a careful forger also winds the chain's head back
        f"UPDATE oppslagslogg_kjede SET sekvens = 4, hash = (SELECT hash FROM oppslagslogg WHERE kjede = '{ORG_A}' AND sekvens = 4) WHERE kjede = '{ORG_A}'",
    )

    sekvens, reason = finding(engine, signer)

    assert sekvens == 5
    assert "covers records up to 6 (cut off)" in reason


def test_a_changed_checkpoint_does_not_verify(
    engine: Engine, signer: CheckpointSigner, written: AuditLog
) -> None:
    run(engine, f"UPDATE oppslagslogg_sjekkpunkt SET sekvens = 5 WHERE kjede = '{ORG_A}' AND sekvens = 6")

    sekvens, reason = finding(engine, signer)

    assert sekvens == 5
    assert "signature" in reason


def test_another_key_does_not_verify(engine: Engine, written: AuditLog, tmp_path: Path) -> None:
    stranger = CheckpointSigner(tmp_path / "other-key.pem")

    summaries = verify_database(engine, stranger)

    assert all(s.finding is not None and "another key" in s.finding.reason for s in summaries)


def test_the_chain_head_is_shared_by_several_writers(engine: Engine, signer: CheckpointSigner) -> None:
    """Two logs on one database (as two processes have) extend the same chain without forking it."""
    first, second = AuditLog(engine, signer=signer), AuditLog(engine, signer=signer)
    for hour in range(4):
        (first if hour % 2 else second).record(lookup(ORG_A, hour))
    first.checkpoint()  # the head moves under the second writer without a new record
    second.record(lookup(ORG_A, 4))
    second.close()

    summary = chain(verify_database(engine, signer), ORG_A)
    assert (summary.last, summary.checkpoints, summary.signed_up_to, summary.finding) == (5, 2, 5, None)


def test_an_export_verifies_offline_with_only_the_public_key(
    engine: Engine, signer: CheckpointSigner, written: AuditLog, tmp_path: Path
) -> None:
    written.record(lookup(ORG_A, 7, person="01010119999"))  # after the period
    written.checkpoint()
    out = io.BytesIO()

    full, links = export(engine, ORG_A, T0 + timedelta(hours=2), T0 + timedelta(hours=4), out, signer.key_id)

    lines = out.getvalue().splitlines()
    auditor = CheckpointVerifier.from_pem(signer.public_pem().encode())
    summary = verify_export(lines, auditor)
    assert summary.finding is None, summary.finding
    assert (full, links) == (2, 5)  # records 3 and 4 in full, 5-7 as links up to the checkpoint at 7
    assert b"01010119999" not in out.getvalue()  # outside the period: no personal data
    assert [orjson.loads(line)["type"] for line in lines[1:6]] == [
        "oppslag",
        "oppslag",
        "ledd",
        "ledd",
        "ledd",
    ]

    changed = [
        line.replace(b'"status":200', b'"status":404') if b'"sekvens":4' in line else line for line in lines
    ]
    found = verify_export(changed, auditor).finding
    assert found is not None and found.sekvens == 4

    dropped = [line for line in lines if b'"sekvens":3,' not in line or b'"type":"sjekkpunkt"' in line]
    assert verify_export(dropped, auditor).finding is not None

    unsigned = [line for line in lines if b'"type":"sjekkpunkt"' not in line]
    found = verify_export(unsigned, auditor).finding
    assert found is not None and "signed checkpoint" in found.reason

    stranger = CheckpointSigner(tmp_path / "stranger.pem")
    assert verify_export(lines, stranger).finding is not None

    empty = io.BytesIO()
    assert export(engine, ORG_A, T0 - timedelta(days=2), T0 - timedelta(days=1), empty, signer.key_id) == (
        0,
        0,
    )
    assert verify_export(empty.getvalue().splitlines(), auditor).finding is None


def test_pruning_keeps_the_rest_verifiable(
    engine: Engine, signer: CheckpointSigner, written: AuditLog
) -> None:
    removed = prune(engine, signer, T0 + timedelta(hours=3))

    assert removed == {ORG_A: 3, ORG_B: 2, "": 1}
    summaries = verify_database(engine, signer)
    assert all(s.finding is None for s in summaries), [s.finding for s in summaries]
    assert (chain(summaries, ORG_A).first, chain(summaries, ORG_A).last) == (4, 6)
    with engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM oppslagslogg_person")).scalar_one()
    assert left == 3

    # the chain goes on after pruning, and deleting below the anchor is still caught
    written.record(lookup(ORG_B, 9))
    assert chain(verify_database(engine, signer), ORG_B).finding is None
    run(
        engine,
        f"DELETE FROM oppslagslogg_person WHERE oppslag_id IN (SELECT id FROM oppslagslogg WHERE kjede = '{ORG_A}' AND sekvens = 4)",
        f"DELETE FROM oppslagslogg WHERE kjede = '{ORG_A}' AND sekvens = 4",
    )
    assert finding(engine, signer) == (4, "record 4 is missing (deleted): the chain jumps to 5")
    # a chain pruned empty holds by its anchor alone; its records deleted after that do not
    b_gone = f"(SELECT id FROM oppslagslogg WHERE kjede = '{ORG_B}')"
    run(
        engine,
        f"DELETE FROM oppslagslogg_person WHERE oppslag_id IN {b_gone}",
        f"DELETE FROM oppslagslogg WHERE id IN {b_gone}",
    )
    found = chain(verify_database(engine, signer), ORG_B).finding
    assert found is not None
    assert (found.sekvens, found.reason) == (
        3,
        "the chain's head says 3 records, the log ends at 2 (cut off after the newest checkpoint)",
    )
    run(engine, f"DELETE FROM oppslagslogg_sjekkpunkt WHERE kjede = '{ORG_A}' AND art = 'sletting'")
    found = chain(verify_database(engine, signer), ORG_A).finding
    assert found is not None and found.sekvens == 1
    assert "no signed pruning checkpoint" in found.reason


def test_records_written_before_the_chain_are_chained_by_the_migration(
    database_url: str, signer: CheckpointSigner
) -> None:
    from alembic import command
    from alembic.config import Config

    from fiks_folkeregister.storage.database import MIGRATIONS, create_gateway_engine, migrate

    engine = create_gateway_engine(database_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "g0001")
        for number, orgnr in enumerate((ORG_A, None, ORG_A)):
            run(
                engine,
                "INSERT INTO oppslagslogg (tidspunkt, request_id, orgnr, ressurs, parametre, utfall, status) "
                f"VALUES ('2026-11-01 12:0{number}:00.123456', 'old-{number}', "
                f"{repr(orgnr) if orgnr else 'NULL'}, 'GET personer/{{personidentifikator}}', "
                "'{\"part\": [\"navn\"]}', 'ok', 200)",
            )
        run(engine, "INSERT INTO oppslagslogg_person VALUES (1, 0, '06076301709')")

        migrate(engine)

        assert [(s.kjede, s.records, s.finding) for s in verify_database(engine, signer)] == [
            ("", 1, None),
            (ORG_A, 2, None),
        ]
        AuditLog(engine, signer=signer).record(lookup(ORG_A, 5))  # the chain goes on from the migrated head
        assert chain(verify_database(engine, signer), ORG_A).last == 3
        assert chain(verify_database(engine, signer), ORG_A).finding is None
        run(engine, "UPDATE oppslagslogg_person SET identifikator = '01010112345'")
        assert finding(engine, signer)[0] == 1
    finally:
        engine.dispose()


def test_the_served_gateway_signs_every_chain_at_shutdown(tmp_path: Path, database_url: str) -> None:
    from fastapi.testclient import TestClient

    from fiks_folkeregister.app import build_gateway_app
    from fiks_folkeregister.settings import Settings

    settings = Settings(data_dir=tmp_path, database_url=database_url, extract_worker=False)
    app = build_gateway_app(settings)
    gateway = app.state.gateway
    with TestClient(app):
        gateway.audit.record(lookup(ORG_A, 0))
        gateway.audit.record(lookup(ORG_B, 0))
        assert all(
            s.signed_up_to == 0
            for s in verify_database(gateway.engine, CheckpointSigner(settings.audit_key_path))
        )

    summaries = verify_database(gateway.engine, CheckpointSigner(settings.audit_key_path))
    gateway.engine.dispose()
    gateway.register.repository.engine.dispose()
    assert [(s.kjede, s.last, s.signed_up_to, s.finding) for s in summaries] == [
        (ORG_A, 1, 1, None),
        (ORG_B, 1, 1, None),
    ]


def test_the_checkpoint_file_catches_a_cut_off_tail_whose_checkpoints_were_deleted_too(
    engine: Engine, signer: CheckpointSigner, tmp_path: Path
) -> None:
    kept = tmp_path / "audit" / "sjekkpunkter.jsonl"
    log = AuditLog(engine, signer=signer, checkpoint_records=4, checkpoint_file=kept)
    for hour in range(6):
        log.record(lookup(ORG_A, hour))
    log.close()
    newest = f"(SELECT id FROM oppslagslogg WHERE kjede = '{ORG_A}' AND sekvens > 4)"
    run(
        engine,
        f"DELETE FROM oppslagslogg_person WHERE oppslag_id IN {newest}",
        f"DELETE FROM oppslagslogg WHERE id IN {newest}",
        f"DELETE FROM oppslagslogg_sjekkpunkt WHERE kjede = '{ORG_A}' AND sekvens > 4",
        f"UPDATE oppslagslogg_kjede SET sekvens = 4, sjekkpunkt_sekvens = 4, hash = "
        f"(SELECT hash FROM oppslagslogg WHERE kjede = '{ORG_A}' AND sekvens = 4) WHERE kjede = '{ORG_A}'",
    )

    # the database alone now looks whole: it was edited consistently
    assert chain(verify_database(engine, signer), ORG_A).finding is None
    outside = read_checkpoint_file(kept)
    assert [c.sekvens for c in outside] == [4, 6]
    found = chain(verify_database(engine, signer, outside=outside), ORG_A).finding
    assert found is not None and found.sekvens == 5
    assert "covers records up to 6 (cut off)" in found.reason

    # pruning appends its anchor there too
    prune(engine, signer, T0 + timedelta(hours=2), kept)
    assert read_checkpoint_file(kept)[-1].art == "sletting"
    assert (
        chain(verify_database(engine, signer, outside=read_checkpoint_file(kept)[:-1]), ORG_A).finding
        is not None
    )


def test_a_quiet_chain_is_signed_after_the_checkpoint_interval(
    engine: Engine, signer: CheckpointSigner
) -> None:
    import time

    log = AuditLog(engine, signer=signer, checkpoint_records=1000, checkpoint_minutes=0.02)  # 1.2 s
    started = time.monotonic()
    log.record(lookup(ORG_A, 0))
    early = chain(verify_database(engine, signer), ORG_A).signed_up_to
    if time.monotonic() - started < 1.0:  # on a loaded machine the interval may already have passed
        assert early == 0  # 1 of 1000 records, and the interval not over: not yet due

    deadline = time.monotonic() + 10
    while chain(verify_database(engine, signer), ORG_A).signed_up_to == 0 and time.monotonic() < deadline:
        time.sleep(0.05)  # the idle writer wakes and signs what has waited longer than the interval

    summary = chain(verify_database(engine, signer), ORG_A)
    assert (summary.signed_up_to, summary.finding) == (1, None)
