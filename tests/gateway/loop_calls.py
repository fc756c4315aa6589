"""For tests of where the pipeline runs: note each call of a method and whether it ran on the event loop; a
gateway built again with the pipeline on the event loop, and a lookup it may make."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fiks_folkeregister.app import build_gateway_app
from fiks_folkeregister.domain.rolle import Rolle
from tests.gateway.conftest import Integration, ServedGateway


def on_event_loop() -> bool:
    """Whether this thread is running an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def watch(target: Any, name: str, calls: list[tuple[str, bool]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Note each call of ``target.name`` and whether it ran on a thread running an event loop."""
    original: Callable[..., Any] = getattr(target, name)

    @functools.wraps(original)
    def watched(*args: Any, **kwargs: Any) -> Any:
        calls.append((name, on_event_loop()))
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, watched)


@contextmanager
def served_on_loop(served: ServedGateway, **settings: Any) -> Iterator[tuple[FastAPI, TestClient]]:
    """Another gateway process on the module's databases, its single lookups' pipeline on the event loop
    (`always`: the fixture's register on PostgreSQL would keep it in worker threads), unless `settings`
    say otherwise."""
    app = build_gateway_app(served.settings.model_copy(update={"event_loop_pipeline": "always", **settings}))
    try:
        with TestClient(app) as client:
            yield app, client
    finally:
        app.state.gateway.engine.dispose()
        app.state.gateway.register.repository.engine.dispose()


def granted_lookup(served: ServedGateway) -> tuple[Integration, Rolle, str]:
    """A new integration granted a new role for names, and the path of a lookup it may make."""
    integration, role = served.config.granted_role(["navn"])
    adult = served.examples["ordinary-adult"][0]
    return integration, role, served.url(role, f"personer/{adult}?part=navn")
