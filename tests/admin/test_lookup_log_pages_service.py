"""The lookup log as the administration pages read it: one organisation only, names, and reading about a
person leaves a trace in the log itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import Engine

from fiks_folkeregister.admin.base import Actor, ActorKind
from fiks_folkeregister.admin.errors import AdminError
from fiks_folkeregister.admin.logs import INSIGHT_FOR_PERSON, LOG_ABOUT_PERSON, Leser
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.audit import kjede
from fiks_folkeregister.audit.log import AuditLog, AuditRecord
from fiks_folkeregister.audit.oppslagssoek import Oppslagsfilter
from tests.admin.conftest import CONSOLE, ORG_A, ORG_B

ADMIN_A = Actor(navn="administrator:a", kind=ActorKind.ADMINISTRATOR, orgnr=ORG_A)
OPERATOR = Actor(navn="operatoer", kind=ActorKind.OPERATOR)
READER = Leser(foedselsnummer="17912099997", navn="Anne Admin")
PERSON = "06076301709"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def org_with_lookups(two_orgs: AdminService, engine: Engine) -> tuple[AdminService, object, object]:
    role = two_orgs.create_role(
        CONSOLE, ORG_A, "Barnevern", "offentlig-med-hjemmel", ["sok-etter-person"], ["navn"]
    )
    system = two_orgs.create_integration(CONSOLE, ORG_A, "Fagsystem", ORG_A)
    log = AuditLog(engine)
    for minute, orgnr in ((0, ORG_A), (1, ORG_B), (2, ORG_A)):
        log.record(
            AuditRecord(
                tidspunkt=T0 + timedelta(minutes=minute),
                request_id=str(uuid4()),
                orgnr=orgnr,
                rolle_id=role.rolle.id,
                integrasjon_id=system.integrasjon.id,
                klient_orgnr=None,
                ressurs="GET personer/{personidentifikator}",
                parametre={"personidentifikator": PERSON, "part": ["navn"]},
                personer=(PERSON,),
                utfall="ok",
                status=200,
            )
        )
    return two_orgs, role, log


def test_a_page_shows_the_organisations_records_with_role_and_integration_by_name(org_with_lookups) -> None:
    service, _, _ = org_with_lookups

    page = service.lookup_page(ADMIN_A, ORG_A, Oppslagsfilter(), leser=READER)

    assert [(r.rolle, r.hvem, r.tidspunkt) for r in page.rader] == [
        ("Barnevern", "Fagsystem", "2026-11-01T12:02:00+00:00"),
        ("Barnevern", "Fagsystem", "2026-11-01T12:00:00+00:00"),
    ]


def test_another_organisations_log_is_not_found_and_operators_read_no_lookup_log(org_with_lookups) -> None:
    service, _, log = org_with_lookups

    for call in (
        lambda: service.lookup_page(ADMIN_A, ORG_B, Oppslagsfilter(), leser=READER),
        lambda: service.person_insight(ADMIN_A, ORG_B, PERSON, leser=READER),
    ):
        with pytest.raises(AdminError) as refused:
            call()
        assert refused.value.status == 404
    with pytest.raises(AdminError) as refused:
        service.person_insight(OPERATOR, ORG_A, PERSON, leser=READER)
    assert refused.value.status == 403
    assert [r.ressurs for r in log.query(ORG_B)] == ["GET personer/{personidentifikator}"]  # nothing recorded


def test_insight_for_a_person_shows_their_lookups_and_records_who_read_it(org_with_lookups) -> None:
    service, _, log = org_with_lookups

    insight = service.person_insight(ADMIN_A, ORG_A, PERSON, leser=READER)

    assert [r.ressurs for r in insight.rader] == ["GET personer/{personidentifikator}"] * 2
    again = service.person_insight(ADMIN_A, ORG_A, PERSON, leser=READER)
    assert (again.rader[0].ressurs, again.rader[0].hvem) == (
        INSIGHT_FOR_PERSON,
        READER.navn,
    )  # the first reading
    trace = log.query(ORG_A, person=PERSON)[0]
    assert (trace.kanal, trace.prinsipal, trace.person_foedselsnummer, trace.person_navn, trace.personer) == (
        "admin",
        kjede.PERSON,
        READER.foedselsnummer,
        READER.navn,
        (PERSON,),
    )
    service.lookup_page(ADMIN_A, ORG_A, Oppslagsfilter(oppslaatt=PERSON), leser=READER)
    assert log.query(ORG_A, person=PERSON)[0].ressurs == LOG_ABOUT_PERSON
    service.lookup_page(ADMIN_A, ORG_A, Oppslagsfilter(utfall="ok"), leser=READER)
    assert len(log.query(ORG_A)) == 5  # a search naming no person is no lookup of one
