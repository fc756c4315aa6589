"""No page of the portal blocks the event loop: sessions, the directory and the portal service (the database,
the register, the audit log) are called from worker threads only, through a whole case worker's visit."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.portal.conftest import CASE_WORKER, Portal
from tests.portal.test_sider import PERSON, RecordingService, _document, pages  # noqa: F401 (the fixture)


def _watch(target: Any, names: list[str], on_loop: list[str]) -> None:
    """Replace ``target``'s methods by ones that note when they are called on a thread running an event loop."""
    for name in names:
        original: Callable[..., Any] = getattr(target, name)

        @functools.wraps(original)
        def watched(
            *args: Any, _original: Callable[..., Any] = original, _name: str = name, **kwargs: Any
        ) -> Any:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                pass  # a worker thread: fine
            else:
                on_loop.append(_name)
            return _original(*args, **kwargs)

        setattr(target, name, watched)


def test_a_whole_visit_calls_nothing_blocking_on_the_event_loop(
    pages: tuple[Portal, RecordingService],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    portal, service = pages
    service.documents[PERSON] = _document(PERSON, "Kari", grading="fortrolig")
    sessions = portal.client.app.state.portal.sessions
    on_loop: list[str] = []
    for target, names in (
        (sessions, ["load", "save", "create", "delete", "prune"]),
        (portal.directory, ["portal_roles", "person_user"]),
        (service, ["person", "vis_skjermet_adresse", "identifiser_nummer", "soek"]),
    ):
        for name in names:
            monkeypatch.setattr(target, name, getattr(target, name))  # restored after the test
        _watch(target, names, on_loop)

    portal.log_in()
    portal.choose(portal.directory.roles[CASE_WORKER][0].rolle)
    token = portal.csrf("/portal/sok")
    portal.client.post("/portal/saksreferanse", data={"csrf_token": token, "saksnummer": "2026/1"})
    card = portal.client.post(
        "/portal/sok/nummer", data={"csrf_token": token, "identifikasjonsnummer": PERSON}
    )
    assert card.status_code == 200
    reference = re.search(r'action="(/portal/person/[^"]+)/skjermet"', card.text).group(1)
    portal.client.get(reference + "?historikk=1")
    portal.client.get(reference + "/dokument")
    portal.client.post(reference + "/skjermet", data={"csrf_token": token, "navn": "Kari Nordmann"})
    shown = portal.client.post(reference + "/skjermet/bekreft", data={"csrf_token": token})
    assert "Storgata 3" in shown.text
    identified = portal.client.post(
        "/portal/sok/entydig",
        data={"csrf_token": token, "navn": "Kari Nordmann", "foedselsdato": "17.05.1984"},
    )
    assert identified.status_code == 200
    hits = portal.client.post("/portal/sok/treffliste", data={"csrf_token": token, "navn": "Nordmann"})
    assert hits.status_code == 200
    portal.client.post("/portal/logg-ut", data={"csrf_token": token})

    called = {call[0] for call in service.calls}
    assert {"person", "vis_skjermet_adresse", "identifiser_nummer", "soek"} <= called
    assert on_loop == []
