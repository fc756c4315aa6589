"""With every store local (embedded register, SQLite, limits in the process), a single lookup with a remembered
password runs on the event loop, but an argon2 verification never does: a first request, a wrong password, an
unknown integration and a rotated password all move to a worker thread, and are answered as before."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from fiks_folkeregister.app import build_gateway_app
from tests.gateway.conftest import Integration, ServedGateway
from tests.gateway.loop_calls import watch

# Only the in-process SQLite variant has every store local.
pytestmark = pytest.mark.parametrize("served_gateway", ["sqlite"], indirect=True)


def test_argon2_never_runs_on_the_event_loop_and_remembered_lookups_do(
    served_gateway: ServedGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = served_gateway
    integration, role = served.config.granted_role(["navn"])
    adult = served.examples["ordinary-adult"][0]
    path = served.url(role, f"personer/{adult}?part=navn")
    app = build_gateway_app(served.settings)
    gateway = app.state.gateway
    calls: list[tuple[str, bool]] = []
    for name in ("verify", "waste"):
        watch(gateway.passwords, name, calls, monkeypatch)
    watch(gateway.directory, "lookup", calls, monkeypatch)
    unknown = Integration(uuid.uuid4(), integration.password, integration.orgnr)
    try:
        with TestClient(app) as client:
            first = client.get(path, headers=served.headers(integration))
            again = client.get(path, headers=served.headers(integration))
            wrong = client.get(path, headers=served.headers(replace(integration, password="feil")))
            stranger = client.get(path, headers=served.headers(unknown))
            rotated = served.config.rotate_password(integration)
            old = client.get(path, headers=served.headers(integration))
            new = client.get(path, headers=served.headers(rotated))
    finally:
        gateway.engine.dispose()

    statuses = [r.status_code for r in (first, again, wrong, stranger, old, new)]
    assert statuses == [200, 200, 401, 401, 401, 200]
    assert again.json()["navn"] == first.json()["navn"]
    argon2 = [on_loop for name, on_loop in calls if name in ("verify", "waste")]
    assert len(argon2) == 5  # first, wrong, stranger, old, new: each verified once
    assert not any(argon2)
    # The second request (its password remembered) was looked up on the event loop.
    lookups = [on_loop for name, on_loop in calls if name == "lookup"]
    assert True in lookups
