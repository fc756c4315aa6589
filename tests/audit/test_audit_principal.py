"""The principal and case reference in the lookup log: stored, read back, and covered by the hash chain
without breaking the records written before these fields existed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from fiks_folkeregister.audit.log import AuditLog, AuditRecord, AuditUnavailableError
from fiks_folkeregister.audit.revisjon import verify_database
from fiks_folkeregister.audit.signering import CheckpointSigner

pytestmark = pytest.mark.integration

ORG = "921234562"
CASE_WORKER = "13097248022"
LOOKED_UP = "06076301709"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def signer(tmp_path: Path) -> CheckpointSigner:
    return CheckpointSigner(tmp_path / "keys" / "checkpoint-key.pem")


def portal_lookup(minute: int, **changes: object) -> AuditRecord:
    fields: dict[str, object] = {
        "tidspunkt": T0 + timedelta(minutes=minute),
        "request_id": f"portal-{minute}",
        "orgnr": ORG,
        "rolle_id": None,
        "integrasjon_id": None,
        "klient_orgnr": None,
        "ressurs": "GET personer/{personidentifikator}",
        "parametre": {"personidentifikator": LOOKED_UP},
        "personer": (LOOKED_UP,),
        "utfall": "ok",
        "status": 200,
        "kanal": "portal",
        "prinsipal": "person",
        "person_foedselsnummer": CASE_WORKER,
        "person_navn": "Kari Saksbehandler",
        "saksnummer": "2026/1234",
        "formaal": "Barnevernssak",
    }
    fields.update(changes)
    return AuditRecord(**fields)  # type: ignore[arg-type]


def run(engine: Engine, statement: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement))


def test_a_persons_record_is_stored_and_read_back_with_principal_and_case(engine: Engine) -> None:
    log = AuditLog(engine)
    log.record(portal_lookup(0))
    log.record(portal_lookup(1, saksnummer=None, formaal=None))

    records = log.lookups_of_person(LOOKED_UP)

    assert [(r.kanal, r.prinsipal, r.person_foedselsnummer, r.person_navn) for r in records] == [
        ("portal", "person", CASE_WORKER, "Kari Saksbehandler")
    ] * 2
    assert [(r.saksnummer, r.formaal) for r in records] == [("2026/1234", "Barnevernssak"), (None, None)]
    assert records[0].integrasjon_id is None


def test_a_person_record_without_the_person_is_refused(engine: Engine) -> None:
    with pytest.raises(AuditUnavailableError):
        AuditLog(engine).record(portal_lookup(0, person_foedselsnummer=None))
    with pytest.raises(AuditUnavailableError):
        AuditLog(engine).record(portal_lookup(0, prinsipal="robot"))
    with pytest.raises(AuditUnavailableError):  # an integration's record never names a person as principal
        AuditLog(engine).record(portal_lookup(0, prinsipal="integrasjon"))


def test_old_and_new_records_verify_and_tampering_with_the_new_fields_is_caught(
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
        run(
            engine,
            "INSERT INTO oppslagslogg (tidspunkt, request_id, orgnr, ressurs, parametre, utfall, status) "
            f"VALUES ('2026-11-01 11:00:00.000001', 'old-0', '{ORG}', 'GET personer/{{personidentifikator}}', "
            "'{\"part\": [\"navn\"]}', 'ok', 200)",
        )
        migrate(engine)  # g0003 chains the old record in its form; g0005 adds the columns

        log = AuditLog(engine, signer=signer)
        log.record(portal_lookup(0))
        log.record(portal_lookup(1, saksnummer=None, formaal=None))
        log.close()
        (summary,) = verify_database(engine, signer)
        assert (summary.kjede, summary.records, summary.finding) == (ORG, 3, None)

        run(engine, "UPDATE oppslagslogg SET person_navn = 'Noen Andre' WHERE request_id = 'old-0'")
        found = verify_database(engine, signer)[0].finding
        assert found is not None and found.sekvens == 1
        run(engine, "UPDATE oppslagslogg SET person_navn = NULL WHERE request_id = 'old-0'")
        assert verify_database(engine, signer)[0].finding is None

        for tampering in (
            "person_navn = 'Noen Andre'",
            f"person_foedselsnummer = '{LOOKED_UP}'",
            "prinsipal = 'integrasjon'",
            "saksnummer = '2026/9999'",
            "formaal = NULL",
        ):
            with engine.connect() as connection:
                before = connection.execute(
                    text(
                        "SELECT prinsipal, person_foedselsnummer, person_navn, saksnummer, formaal "
                        "FROM oppslagslogg WHERE request_id = 'portal-0'"
                    )
                ).one()
            run(engine, f"UPDATE oppslagslogg SET {tampering} WHERE request_id = 'portal-0'")
            found = verify_database(engine, signer)[0].finding
            assert found is not None and found.sekvens == 2, tampering
            run(
                engine,
                "UPDATE oppslagslogg SET "
                f"prinsipal = '{before[0]}', person_foedselsnummer = '{before[1]}', "
                f"person_navn = '{before[2]}', saksnummer = '{before[3]}', formaal = '{before[4]}' "
                "WHERE request_id = 'portal-0'",
            )
            assert verify_database(engine, signer)[0].finding is None
    finally:
        engine.dispose()
