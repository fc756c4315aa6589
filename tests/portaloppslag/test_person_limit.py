"""The per-person request limit of the portal: the API's request limits (`gateway/request_limits.py`) applied
to the case worker inside the one pipeline, so a refusal is audited like the API's (429, avvist, the person
as principal, their organisation's log), and shared between processes through Redis."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from sqlalchemy import select

from fiks_folkeregister.app import Gateway, build_gateway
from fiks_folkeregister.portal.oppslag import Avvisning, Grunn
from fiks_folkeregister.storage.tables import oppslagslogg
from tests.portaloppslag.conftest import Portal

REDIS_URL = "redis://localhost:6379/0"

# The in-process SQLite variant: these tests build their own gateways on its databases.
pytestmark = pytest.mark.parametrize("served_gateway", ["sqlite"], indirect=True)


@contextmanager
def limited_gateway(portal: Portal, **settings: Any) -> Iterator[Gateway]:
    gateway = build_gateway(portal.served.settings.model_copy(update=settings))
    try:
        yield gateway
    finally:
        gateway.engine.dispose()
        if gateway.register is not None:
            gateway.register.repository.engine.dispose()


def test_a_case_worker_beyond_the_rate_is_refused_audited_and_others_are_not(portal: Portal) -> None:
    worker, role = portal.granted(["navn"])
    colleague = portal.case_worker(role.orgnr, "Ola Kollega")
    portal.people.grant(colleague, role)
    person = portal.served.examples["ordinary-adult"][0]
    with limited_gateway(portal, portal_requests_per_person="3/minute") as gateway:
        for _ in range(3):
            assert gateway.oppslag.person(portal.context(worker, role), person).dokument["navn"]
        with pytest.raises(Avvisning) as refused:
            gateway.oppslag.person(portal.context(worker, role), person)
        # A colleague has an allowance of their own.
        assert gateway.oppslag.person(portal.context(colleague, role), person).dokument["navn"]

    assert refused.value.grunn is Grunn.FOR_MANGE_FORESPOERSLER
    wait = refused.value.detaljer["retryAfterSeconds"]
    assert 0 < wait <= 60
    record = portal.served.audit_record(refused.value.revisjonsreferanse or "")
    assert (record["utfall"], record["status"], record["feilkode"]) == (
        "avvist",
        429,
        "FOR_MANGE_FORESPOERSLER",
    )
    assert (record["kanal"], record["prinsipal"]) == ("portal", "person")
    assert record["person_foedselsnummer"] == worker.foedselsnummer
    assert record["orgnr"] == role.orgnr  # in the organisation's own log
    assert record["personer"] == []  # nobody was looked up


def test_the_rate_is_shared_through_redis(portal: Portal) -> None:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip("no Redis at " + REDIS_URL)
    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter("*requests-person*"):  # case workers' numbers repeat between runs
        store.delete(key)
    worker, role = portal.granted(["navn"])
    person = portal.served.examples["ordinary-adult"][0]
    shared = {"portal_requests_per_person": "2/minute", "redis_url": REDIS_URL}
    with limited_gateway(portal, **shared) as first, limited_gateway(portal, **shared) as second:
        first.oppslag.person(portal.context(worker, role), person)
        second.oppslag.person(portal.context(worker, role), person)
        with pytest.raises(Avvisning) as refused:
            first.oppslag.person(portal.context(worker, role), person)
    assert refused.value.grunn is Grunn.FOR_MANGE_FORESPOERSLER
    # No identity number is a Redis key: the person is counted under a digest.
    keys = [key.decode() for key in store.scan_iter("*requests-person*")]
    assert keys and not any(worker.foedselsnummer in key for key in keys)


def test_the_default_rate_is_far_above_manual_use(portal: Portal) -> None:
    worker, role = portal.granted(["navn"])
    person = portal.served.examples["ordinary-adult"][0]
    for _ in range(20):
        portal.oppslag.person(portal.context(worker, role), person)
    with portal.served.engine.connect() as connection:
        refused = connection.execute(
            select(oppslagslogg.c.id).where(
                oppslagslogg.c.person_foedselsnummer == worker.foedselsnummer, oppslagslogg.c.status == 429
            )
        ).all()
    assert refused == []
