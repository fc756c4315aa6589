"""An integration's access read (integration, role, grant) is kept between its single lookups on the event
loop (`KeptReads`), and an answer built on a kept read leaves only if the access version it was read at
still holds where the request's audit record is stored. So a revoked grant, a rotated password or a
deactivated role counts on the very next request, in this process and in every other, while the repeated
lookups of an integration cost no access read at all."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import update

from fiks_folkeregister.gateway import errors as codes
from fiks_folkeregister.storage.tables import rolle
from tests.gateway.conftest import Integration, ServedGateway
from tests.gateway.loop_calls import granted_lookup, served_on_loop, watch

pytestmark = pytest.mark.parametrize(
    "served_gateway", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def _reads(app: FastAPI, calls: list[tuple[str, bool]], monkeypatch: pytest.MonkeyPatch) -> None:
    directory = app.state.gateway.directory
    watch(directory, "lookup", calls, monkeypatch)
    watch(directory, "lookup_async", calls, monkeypatch)


def test_a_kept_read_serves_the_next_lookups_and_a_new_password_or_revocation_counts_at_once(
    served_gateway: ServedGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = served_gateway
    integration, role, path = granted_lookup(served)
    calls: list[tuple[str, bool]] = []
    with served_on_loop(served) as (app, client):
        _reads(app, calls, monkeypatch)

        def get(who: Integration) -> Any:
            before = len(calls)
            response = client.get(path, headers=served.headers(who))
            return response, calls[before:]

        first = get(integration)  # read on the loop; argon2 in a worker thread, then the read is kept
        second = get(integration)  # the kept read, the password remembered: no read at all
        third = get(integration)
        rotated = served.config.rotate_password(integration)
        old = get(integration)  # the kept read would pass it: refused at the audit write, read afresh
        new = get(rotated)  # read on the loop (nothing kept now), argon2 in a worker thread: kept
        new_again = get(rotated)
        new_kept = get(rotated)
        served.config.revoke(rotated, role)
        revoked = get(rotated)

    loop_read = [("lookup_async" if served.variant == "postgresql" else "lookup", True)]
    thread_read = [("lookup", False)]
    steps = [first, second, third, old, new, new_again, new_kept, revoked]
    assert [response.status_code for response, _ in steps] == [200, 200, 200, 401, 200, 200, 200, 403]
    assert [reads for _, reads in steps] == [loop_read, [], [], thread_read, loop_read, [], [], thread_read]
    assert revoked[0].json()["errorCode"] == codes.ROLLE_IKKE_TILDELT
    assert old[0].json()["errorCode"] == codes.AUTENTISERING_FEILET
    # One record per request, the refused ones as refused: nothing of the answer the kept read allowed.
    assert served.audit_record(old[0].headers["X-Request-Id"])["feilkode"] == codes.FEIL_PASSORD
    assert served.audit_record(revoked[0].headers["X-Request-Id"])["status"] == 403
    assert served.audit_record(revoked[0].headers["X-Request-Id"])["personer"] == []
    assert served.audit_record(third[0].headers["X-Request-Id"])["status"] == 200


def test_in_a_worker_thread_too_a_kept_read_serves_and_a_revocation_counts_at_once(
    served_gateway: ServedGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the pipeline in worker threads (as with Redis or a remote register), the single lookups use
    the kept read too (`kept_for`), checked the same way where their records are stored."""
    served = served_gateway
    integration, role, path = granted_lookup(served)
    calls: list[tuple[str, bool]] = []
    with served_on_loop(served, event_loop_pipeline="never") as (app, client):
        _reads(app, calls, monkeypatch)
        kept = [client.get(path, headers=served.headers(integration)) for _ in range(3)]
        reads_before = list(calls)
        served.config.revoke(integration, role)
        revoked = client.get(path, headers=served.headers(integration))

    assert [response.status_code for response in [*kept, revoked]] == [200, 200, 200, 403]
    assert reads_before == [("lookup", False)]  # the first request's; the next two used the kept read
    assert calls == [("lookup", False)] * 2  # the revoked one read afresh, after its record was refused
    assert served.audit_record(revoked.headers["X-Request-Id"])["feilkode"] == codes.ROLLE_IKKE_TILDELT


def test_every_process_refuses_at_its_next_request_once_a_role_is_deactivated(
    served_gateway: ServedGateway,
) -> None:
    served = served_gateway
    integration, role, path = granted_lookup(served)
    with ExitStack() as stack:
        clients = [stack.enter_context(served_on_loop(served))[1] for _ in range(2)]
        for client in clients:
            for _ in range(3):  # the last ones on each process's kept read
                assert client.get(path, headers=served.headers(integration)).status_code == 200
        with served.engine.begin() as connection:  # as an operator's SQL would: any writer counts
            connection.execute(update(rolle).where(rolle.c.id == role.id).values(aktiv=False))
        refused = [client.get(path, headers=served.headers(integration)) for client in clients]

    assert [response.status_code for response in refused] == [403, 403]
    for response in refused:
        assert response.json()["errorCode"] == codes.ROLLE_DEAKTIVERT
        assert served.audit_record(response.headers["X-Request-Id"])["utfall"] == "avvist"


def test_a_read_is_kept_only_for_a_password_verified_before(served_gateway: ServedGateway) -> None:
    served = served_gateway
    integration, _, path = granted_lookup(served)
    other, _ = served.config.granted_role(["navn"])
    with served_on_loop(served) as (app, client):
        wrong = Integration(integration.id, other.password, integration.orgnr)
        answers = [client.get(path, headers=served.headers(wrong)) for _ in range(3)]
        answers += [client.get(path, headers=served.headers(other)) for _ in range(3)]  # not granted
        kept_after_refusals = app.state.gateway.access.kept_reads
        for _ in range(2):
            answers.append(client.get(path, headers=served.headers(integration)))
        kept_after_success = app.state.gateway.access.kept_reads

    assert [response.status_code for response in answers] == [401] * 3 + [403] * 3 + [200] * 2
    # A wrong password's read is never kept. The other integration's is (its password is right: it is
    # refused from the read, the role not being granted to it), as is the granted integration's.
    assert kept_after_refusals == 1
    assert kept_after_success == 2


def test_no_read_is_kept_when_the_setting_keeps_none(
    served_gateway: ServedGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = served_gateway
    integration, _, path = granted_lookup(served)
    calls: list[tuple[str, bool]] = []
    with served_on_loop(served, kept_access_reads=0) as (app, client):
        _reads(app, calls, monkeypatch)
        answers = [client.get(path, headers=served.headers(integration)) for _ in range(4)]
        kept = app.state.gateway.access.kept_reads

    assert [response.status_code for response in answers] == [200] * 4
    assert len(calls) == 4
    assert kept == 0
