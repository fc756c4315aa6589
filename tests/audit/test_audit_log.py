"""The lookup log: stored before the answer leaves, queried per organisation, and per person (§ 10-1)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine, text

from fiks_folkeregister.audit.log import AuditLog, AuditRecord, AuditUnavailableError
from fiks_folkeregister.audit.revisjon import verify_database
from fiks_folkeregister.audit.signering import CheckpointSigner
from fiks_folkeregister.storage.tables import oppslagslogg
from tests.own_loop import run

ORG_A = "921234562"
ORG_B = "987654325"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ROLE = uuid4()
INTEGRATION = uuid4()


def lookup(
    minutes: int = 0,
    orgnr: str | None = ORG_A,
    personer: tuple[str, ...] = ("06076301709",),
    **changes: object,
) -> AuditRecord:
    fields: dict[str, object] = {
        "tidspunkt": T0 + timedelta(minutes=minutes),
        "request_id": str(uuid4()),
        "orgnr": orgnr,
        "rolle_id": ROLE,
        "integrasjon_id": INTEGRATION,
        "klient_orgnr": "999888771",
        "ressurs": "GET personer/{personidentifikator}",
        "parametre": {"part": ["bostedsadresse"]},
        "personer": personer,
        "utfall": "ok",
        "status": 200,
    }
    fields.update(changes)
    return AuditRecord(**fields)  # type: ignore[arg-type]


def test_a_record_reads_back_exactly(engine: Engine) -> None:
    log = AuditLog(engine)
    written = lookup(
        personer=("06076301709", "01010112345"), parametre={"part": ["navn"], "somBestilt": True}
    )

    log.record(written)

    assert log.query(ORG_A) == [written]


def test_refused_requests_are_recorded_with_what_is_known(engine: Engine) -> None:
    log = AuditLog(engine)
    refused = lookup(
        orgnr=None,
        rolle_id=None,
        integrasjon_id=None,
        personer=(),
        utfall="avvist",
        status=401,
        feilkode="UGYLDIG_TOKEN",
        klient_orgnr=None,
    )

    log.record(refused)

    assert log.query(ORG_A) == []
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT utfall, status, feilkode FROM oppslagslogg")).one()
    assert tuple(stored) == ("avvist", 401, "UGYLDIG_TOKEN")


def test_times_come_back_as_utc_whatever_offset_was_given(engine: Engine) -> None:
    log = AuditLog(engine)
    oslo = timezone(timedelta(hours=1))
    log.record(lookup(tidspunkt=datetime(2026, 11, 1, 13, 0, tzinfo=oslo)))

    (found,) = log.query(ORG_A)

    assert found.tidspunkt == T0
    assert found.tidspunkt.utcoffset() == timedelta(0)


def test_query_filters(engine: Engine) -> None:
    log = AuditLog(engine)
    other_role, other_integration = uuid4(), uuid4()
    records = [
        lookup(0),
        lookup(10, rolle_id=other_role),
        lookup(20, integrasjon_id=other_integration, personer=("01010112345",)),
        lookup(30, orgnr=ORG_B),
    ]
    for record in records:
        log.record(record)

    assert log.query(ORG_A) == records[2::-1]  # newest first, only A's
    assert log.query(ORG_B) == [records[3]]
    assert log.query(ORG_A, fra=T0 + timedelta(minutes=10)) == [records[2], records[1]]
    assert log.query(ORG_A, til=T0 + timedelta(minutes=10)) == [records[0]]
    assert log.query(ORG_A, rolle_id=other_role) == [records[1]]
    assert log.query(ORG_A, integrasjon_id=other_integration) == [records[2]]
    assert log.query(ORG_A, person="01010112345") == [records[2]]
    assert log.query(ORG_A, person="06076301709", rolle_id=ROLE) == [records[0]]
    assert log.query(ORG_A, limit=1) == [records[2]]


def test_who_looked_up_a_person_across_organisations(engine: Engine) -> None:
    log = AuditLog(engine)
    bulk = lookup(5, orgnr=ORG_B, personer=(*(f"0101011{n:04d}" for n in range(300)), "06076301709"))
    records = [
        lookup(0),
        bulk,
        lookup(10, personer=("01010112345",)),
        lookup(20, utfall="feil", status=502, personer=()),
    ]
    for record in records:
        log.record(record)

    found = log.lookups_of_person("06076301709")

    assert found == [records[0], bulk]  # oldest first
    assert found[1].personer == bulk.personer  # order kept
    assert log.lookups_of_person("31129999999") == []


def test_a_failing_store_raises_audit_unavailable(engine: Engine) -> None:
    log = AuditLog(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE oppslagslogg_person"))

    with pytest.raises(AuditUnavailableError):
        log.record(lookup())
    # nothing half-written: the lookup row was rolled back with the failed person rows
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM oppslagslogg")).scalar_one() == 0
    # a record without persons does not touch the dropped table
    log.record(lookup(personer=()))


def test_an_unreachable_database_raises_audit_unavailable(tmp_path: object) -> None:
    from fiks_folkeregister.storage.database import create_gateway_engine

    engine = create_gateway_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    try:
        with pytest.raises(AuditUnavailableError):
            AuditLog(engine).record(lookup())
    finally:
        engine.dispose()


def test_malformed_records_are_refused_as_unavailable(engine: Engine) -> None:
    log = AuditLog(engine)
    with pytest.raises(AuditUnavailableError):
        log.record(lookup(utfall="maybe"))
    with pytest.raises(AuditUnavailableError):
        log.record(lookup(tidspunkt=datetime(2026, 11, 1, 12, 0)))


def test_refused_and_failed_attempts_naming_a_person_are_found_too(engine: Engine) -> None:
    """A refusal returns nobody, so an attempt is found by the number in its parameters."""
    log = AuditLog(engine)
    person = "06076301709"
    path = "GET personer/{personidentifikator}"
    records = [
        lookup(
            0,
            personer=(),
            ressurs=path,
            parametre={"personidentifikator": person, "part": ["kjoenn"]},
            utfall="avvist",
            status=403,
            feilkode="PART_IKKE_TILLATT",
        ),
        lookup(
            1,
            personer=(),
            ressurs="POST personer/bulkoppslag",
            parametre={"foedselsEllerDNummer": ["01010112345", person]},
            utfall="feil",
            status=502,
            feilkode="REGISTERET_FEILET",
        ),
        lookup(
            2,
            orgnr=None,
            personer=(),
            ressurs=path,
            parametre={"personidentifikator": person},
            utfall="avvist",
            status=401,
            feilkode="UGYLDIG_TOKEN",
        ),
        # other persons, and the number only inside a longer value: not attempts against this person
        lookup(3, personer=(), parametre={"personidentifikator": "01010112345"}, utfall="avvist", status=403),
        lookup(4, personer=(), parametre={"navn": f"x{person}"}, utfall="avvist", status=400),
    ]
    for record in records:
        log.record(record)

    assert log.lookups_of_person(person) == records[:3]
    # the organisation's log filtered by the person finds the same (its own, newest first)
    assert log.query(ORG_A, person=person) == [records[1], records[0]]


def test_a_record_is_stored_alike_whether_it_opens_its_chain_or_extends_it(
    engine: Engine, tmp_path: Path
) -> None:
    """A chain's first record is written the general way (its head read under its lock); the next ones, on
    PostgreSQL, in one statement that takes the batch as JSON. Both ways store the same values, down to
    the text of the parameters, and the chain verifies."""
    log = AuditLog(engine)
    odd: dict[str, object] = {
        "parametre": {
            "søk": ['Æøå "sitat" \\ \u0001 \u2028 😀'],
            "tall": 1.5,
            "stor": 1e16,
            "ingen": None,
            "ja": True,
        },
        "prinsipal": "person",
        "person_foedselsnummer": "06076301709",
        "person_navn": "Ærlig Øystein Åsen",
        "saksnummer": '2026/1 "x"',
        "formaal": "Barnevern ☃",
        "klient_orgnr": None,
        "integrasjon_id": None,
        "kanal": "portal",
    }
    opening = lookup(**odd)
    extending = [lookup(minutes=1, **odd), lookup(minutes=2, personer=("01010112345", "06076301709"), **odd)]

    log.record(opening)
    run(_together(log, extending))

    assert sorted(log.query(ORG_A), key=lambda record: record.tidspunkt) == [opening, *extending]
    stored = _stored_columns(engine)
    assert stored[opening.request_id] == stored[extending[0].request_id]
    assert verify_database(engine, CheckpointSigner(tmp_path / "key.pem"))[0].records == 3


async def _together(log: AuditLog, records: list[AuditRecord]) -> None:
    """The records handed to the writer in one turn of the loop: one batch."""
    await asyncio.gather(*(log.record_async(record) for record in records))


def _stored_columns(engine: Engine) -> dict[str, dict[str, object]]:
    """Each record's stored columns as the database gives them back as text, but for those that differ by
    record (id, request id, time, sequence number, hash)."""
    differing = {"id", "request_id", "tidspunkt", "sekvens", "hash"}
    columns = [column.name for column in oppslagslogg.c if column.name not in differing]
    selected = ", ".join(f"CAST({name} AS TEXT) AS {name}" for name in columns)
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT request_id, {selected} FROM oppslagslogg")).mappings()
        return {row["request_id"]: {name: row[name] for name in columns} for row in rows}


def test_a_value_too_long_for_its_column_is_never_cut(engine: Engine, tmp_path: Path) -> None:
    """PostgreSQL refuses a value longer than its column holds (the record is not stored, and its request
    gets no answer) rather than storing it cut, which would break the record's link in the chain; SQLite
    stores it whole. Either way the chain verifies."""
    log = AuditLog(engine)
    log.record(lookup())  # opens the chain: the next batch, on PostgreSQL, is the one statement
    long_name = lookup(
        minutes=1,
        prinsipal="person",
        person_foedselsnummer="06076301709",
        person_navn="Å" * 201,
        kanal="portal",
    )

    if engine.dialect.name == "postgresql":
        with pytest.raises(AuditUnavailableError):
            run(_together(log, [long_name]))
        assert len(log.query(ORG_A)) == 1
    else:
        run(_together(log, [long_name]))
        assert long_name in log.query(ORG_A)
    assert verify_database(engine, CheckpointSigner(tmp_path / "key.pem"))[0].finding is None
