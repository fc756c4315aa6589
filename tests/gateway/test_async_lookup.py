"""On PostgreSQL, a lookup on the event loop reads integration, role and grant without blocking the loop
(`AccessControl.look_up_ahead`; that such a read may be kept, and a change still counts at once, is in
test_kept_access.py): a failed read is made again in a worker thread (the answer is the same; the request
counted once against its address), and a request beyond its address's limit costs no read at all."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from fiks_folkeregister.gateway import errors as codes
from fiks_folkeregister.storage.compiled import APPLICATION_NAME
from tests.gateway.conftest import ServedGateway
from tests.gateway.loop_calls import granted_lookup, served_on_loop, watch

pytestmark = [
    pytest.mark.parametrize("served_gateway", ["postgresql"], indirect=True),
    pytest.mark.postgres,
]


def test_a_read_that_fails_on_the_loop_is_made_again_in_a_worker_thread(
    served_gateway: ServedGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = served_gateway
    integration, _, path = granted_lookup(served)
    calls: list[tuple[str, bool]] = []
    # Two requests a minute from an address: a request whose read failed on the loop is counted once.
    # Nothing kept: every request reads (a kept read would spare the one after the restart its read).
    with served_on_loop(served, requests_per_address="2/minute", kept_access_reads=0) as (app, client):
        gateway = app.state.gateway
        assert client.get(path, headers=served.headers(integration)).status_code == 200  # remembered now
        with served.engine.connect() as connection:  # as when the database restarts
            killed = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": APPLICATION_NAME},
            ).scalars()
            assert list(killed) == [True]
        watch(gateway.directory, "lookup", calls, monkeypatch)
        watch(gateway.directory, "lookup_async", calls, monkeypatch)
        after_restart = client.get(path, headers=served.headers(integration))
        over_limit = client.get(path, headers=served.headers(integration))

    assert after_restart.status_code == 200, after_restart.text
    assert after_restart.json()["navn"]
    assert calls == [("lookup_async", True), ("lookup", False)]  # then the read in a worker thread
    assert served.audit_record(after_restart.headers["X-Request-Id"])["status"] == 200
    assert over_limit.status_code == 429
    assert over_limit.json()["errorCode"] == codes.FOR_MANGE_FORESPOERSLER


def test_a_request_beyond_its_address_limit_costs_no_database_read(
    served_gateway: ServedGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = served_gateway
    integration, _, path = granted_lookup(served)
    calls: list[tuple[str, bool]] = []
    with served_on_loop(served, requests_per_address="1/minute") as (app, client):
        watch(app.state.gateway.directory, "lookup", calls, monkeypatch)
        watch(app.state.gateway.directory, "lookup_async", calls, monkeypatch)
        answers = [client.get(path, headers=served.headers(integration)) for _ in range(3)]

    assert [r.status_code for r in answers] == [200, 429, 429]
    assert all(r.headers["Retry-After"] for r in answers[1:])
    assert calls == [("lookup_async", True)]  # the first request's read only
    for refused in answers[1:]:
        assert served.audit_record(refused.headers["X-Request-Id"])["feilkode"] == (
            codes.FOR_MANGE_FORESPOERSLER
        )


def test_the_loop_connections_close_when_the_gateway_stops(served_gateway: ServedGateway) -> None:
    served = served_gateway
    integration, _, path = granted_lookup(served)

    def connected() -> int:
        with served.engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE application_name = :name AND datname = current_database()"
                    ),
                    {"name": APPLICATION_NAME},
                ).scalar_one()
            )

    with served_on_loop(served) as (_, client):
        answer = client.get(path, headers=served.headers(integration))
        assert answer.status_code == 200
        assert connected() == 1
    assert connected() == 0
