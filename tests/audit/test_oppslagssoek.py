"""Searching an organisation's lookup log: every filter, stable pages newest first, one organisation only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import Engine

from fiks_folkeregister.audit import kjede
from fiks_folkeregister.audit.log import AuditLog, AuditRecord
from fiks_folkeregister.audit.oppslagssoek import (
    InvalidFilterError,
    Oppslagsfilter,
    Sidemerke,
    search,
)

ORG_A = "921234562"
ORG_B = "987654325"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ROLE_1, ROLE_2 = uuid4(), uuid4()
SYSTEM_1, SYSTEM_2 = uuid4(), uuid4()
KARI = "06076301709"  # a case worker

PERSON_X = "13097248022"
PERSON_Y = "15021951940"
PERSON_LOOKUP = "GET personer/{personidentifikator}"


def lookup(minutes: float, orgnr: str = ORG_A, **changes: object) -> AuditRecord:
    fields: dict[str, object] = {
        "tidspunkt": T0 + timedelta(minutes=minutes),
        "request_id": str(uuid4()),
        "orgnr": orgnr,
        "rolle_id": ROLE_1,
        "integrasjon_id": SYSTEM_1,
        "klient_orgnr": None,
        "ressurs": PERSON_LOOKUP,
        "parametre": {"personidentifikator": PERSON_X, "part": ["navn"]},
        "personer": (PERSON_X,),
        "utfall": "ok",
        "status": 200,
    }
    fields.update(changes)
    return AuditRecord(**fields)  # type: ignore[arg-type]


def by_case_worker(minutes: float, **changes: object) -> AuditRecord:
    return lookup(
        minutes,
        integrasjon_id=None,
        kanal="portal",
        prinsipal=kjede.PERSON,
        person_foedselsnummer=KARI,
        person_navn="Kari Saksbehandler",
        **changes,
    )


@pytest.fixture
def log(engine: Engine) -> AuditLog:
    log = AuditLog(engine)
    for record in [
        lookup(0),
        lookup(1, rolle_id=ROLE_2, integrasjon_id=SYSTEM_2),
        by_case_worker(2, parametre={"personidentifikator": PERSON_Y}, personer=(PERSON_Y,)),
        lookup(  # refused: nothing returned, but the parameters name the person
            3, utfall="avvist", status=403, feilkode="PART_IKKE_TILLATT", personer=()
        ),
        lookup(4, ressurs="GET personer/soek", parametre={"navn": "Ola"}, personer=(PERSON_X, PERSON_Y)),
        lookup(5, orgnr=ORG_B),  # another organisation's lookup of the same person
        lookup(6, utfall="feil", status=502, feilkode="OPPSTROEMS_FEIL", personer=()),
    ]:
        log.record(record)
    return log


def minutes_of(engine: Engine, orgnr: str = ORG_A, **filters: object) -> list[float]:
    page = search(engine, orgnr, Oppslagsfilter(**filters), limit=100)  # type: ignore[arg-type]
    return [(o.record.tidspunkt - T0) / timedelta(minutes=1) for o in page.oppslag]


def test_without_filters_an_organisation_sees_its_own_records_newest_first(
    log: AuditLog, engine: Engine
) -> None:
    assert minutes_of(engine) == [6, 4, 3, 2, 1, 0]
    assert minutes_of(engine, ORG_B) == [5]
    assert minutes_of(engine, "974760673") == []


def test_each_filter_narrows_the_search(log: AuditLog, engine: Engine) -> None:
    assert minutes_of(engine, fra=T0 + timedelta(minutes=1), til=T0 + timedelta(minutes=4)) == [3, 2, 1]
    assert minutes_of(engine, rolle_id=ROLE_2) == [1]
    assert minutes_of(engine, integrasjon_id=SYSTEM_2) == [1]
    assert minutes_of(engine, person_foedselsnummer=KARI) == [2]
    assert minutes_of(engine, utfall="avvist") == [3]
    assert minutes_of(engine, utfall="feil") == [6]
    assert minutes_of(engine, ressurs="GET personer/soek") == [4]
    assert minutes_of(engine, utfall="ok", integrasjon_id=SYSTEM_1) == [4, 0]


def test_the_person_looked_up_finds_returned_refused_and_failed_lookups_of_this_organisation_only(
    log: AuditLog, engine: Engine
) -> None:
    assert minutes_of(engine, oppslaatt=PERSON_X) == [6, 4, 3, 1, 0]
    assert minutes_of(engine, oppslaatt=PERSON_Y) == [4, 2]
    assert minutes_of(engine, ORG_B, oppslaatt=PERSON_X) == [5]


def test_pages_are_stable_while_new_records_arrive(engine: Engine) -> None:
    log = AuditLog(engine)
    for minute in range(7):
        log.record(lookup(minute))
    log.record(lookup(3))  # two records at one moment: the row id orders them
    first = search(engine, ORG_A, Oppslagsfilter(), limit=3)
    assert first.nyere is None and first.eldre is not None
    log.record(lookup(10))  # arrives while the first page is read: only ever on top
    second = search(engine, ORG_A, Oppslagsfilter(), foer=Sidemerke.les(first.eldre.tekst()), limit=3)
    third = search(engine, ORG_A, Oppslagsfilter(), foer=second.eldre, limit=3)
    seen = [o.id for page in (first, second, third) for o in page.oppslag]
    assert len(seen) == len(set(seen)) == 8
    assert third.eldre is None
    back = search(engine, ORG_A, Oppslagsfilter(), etter=second.nyere, limit=3)
    assert back.oppslag == first.oppslag and back.eldre == first.eldre
    newest = search(engine, ORG_A, Oppslagsfilter(), etter=back.nyere, limit=3)
    assert [(o.record.tidspunkt - T0).seconds // 60 for o in newest.oppslag] == [10]
    assert newest.nyere is None


def test_invalid_filters_are_refused_with_what_to_change() -> None:
    with pytest.raises(InvalidFilterError) as error:
        Oppslagsfilter(fra=T0, til=T0)
    assert error.value.code == "UGYLDIG_TIDSROM"
    with pytest.raises(InvalidFilterError) as error:
        Oppslagsfilter(oppslaatt="12345678901")
    assert error.value.code == "UGYLDIG_IDENTIFIKASJONSNUMMER"
    with pytest.raises(InvalidFilterError) as error:
        Oppslagsfilter(integrasjon_id=SYSTEM_1, person_foedselsnummer=KARI)
    assert error.value.code == "UGYLDIG_PRINSIPAL"
    with pytest.raises(InvalidFilterError) as error:
        Oppslagsfilter(utfall="kanskje")
    assert error.value.code == "UGYLDIG_UTFALL"
    for forged in ("", "abc", "1-", "-1", "1-2-3", "99999999999999999999-1", "１-2"):
        with pytest.raises(InvalidFilterError):
            Sidemerke.les(forged)


def test_a_page_mark_reads_back_exactly() -> None:
    mark = Sidemerke(datetime(2026, 11, 1, 12, 0, 0, 123456, tzinfo=UTC), 42)
    assert Sidemerke.les(mark.tekst()) == mark


def test_the_filter_indexes_come_and_go_with_their_migration(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from fiks_folkeregister.storage.database import MIGRATIONS, migrate

    def indexes() -> set[str]:
        return {index["name"] for index in inspect(engine).get_indexes("oppslagslogg")}

    wanted = {
        "ix_oppslagslogg_orgnr_integrasjon_tidspunkt",
        "ix_oppslagslogg_orgnr_person_tidspunkt",
        "ix_oppslagslogg_orgnr_ikke_ok_tidspunkt",
    }
    assert wanted <= indexes()
    AuditLog(engine).record(lookup(0))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "g0009")
    assert not wanted & indexes()
    migrate(engine)
    assert wanted <= indexes()
    assert minutes_of(engine) == [0]  # the record kept, found again
