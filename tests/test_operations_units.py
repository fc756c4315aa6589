"""Pieces of operations: readiness reports, the log scrubber and lines, and what the apps never trace."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import structlog
from fastapi import FastAPI
from fastapi.telemetry import _asgi as fastapi_asgi
from fastapi.testclient import TestClient
from opentelemetry import trace
from sqlalchemy import create_engine

from fiks_folkeregister.app import build_gateway_app, build_register_app
from fiks_folkeregister.operations.logs import RequestLines, configure_logging, scrub
from fiks_folkeregister.operations.readiness import Readiness, database_check
from fiks_folkeregister.settings import Settings

FNR = "01017012345"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def test_a_database_that_does_not_answer_is_reported_without_its_address_or_user() -> None:
    engine = create_engine("postgresql+psycopg://secret-user:secret-pw@127.0.0.1:9/nowhere")
    is_ready, checks = Readiness({"database": database_check(engine), "other": lambda: "ok"}).report()

    assert not is_ready
    assert checks["other"] == "ok"
    assert checks["database"].startswith("unavailable (")
    assert "secret" not in checks["database"] and "127.0.0.1" not in checks["database"]


def test_identity_numbers_tokens_and_bearer_credentials_are_scrubbed() -> None:
    text = f"person {FNR} asked with Bearer abc.def and {JWT}; order 123456789012 and 2026"

    scrubbed = scrub(text)

    assert FNR not in scrubbed and JWT not in scrubbed and "abc.def" not in scrubbed
    assert "123456789012" in scrubbed and "2026" in scrubbed  # other numbers stay


def test_log_lines_are_json_scrubbed_even_in_tracebacks() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("INFO", stream=stream)
        try:
            raise KeyError(FNR)
        except KeyError:
            logging.getLogger("test").exception("lookup of %s failed", FNR)
    finally:
        root.handlers, root.level = handlers, level
    line = json.loads(stream.getvalue().splitlines()[0])

    assert FNR not in stream.getvalue()
    assert line["event"] == "lookup of [identitetsnummer] failed"
    assert line["level"] == "error" and "KeyError" in line["exception"]


def test_uvicorns_access_line_is_never_written_and_its_errors_still_are() -> None:
    """The apps log each request themselves, without the path: uvicorn's line (path and query, so identity
    numbers) stays off even though every other logger goes to the one handler."""
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    access = logging.getLogger("uvicorn.access")
    try:
        configure_logging("INFO", stream=stream)
        # uvicorn's protocols decide once whether to log access lines: when the logger has a handler.
        assert not access.hasHandlers()
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", f"/personer/{FNR}", "1.1", 200)
        logging.getLogger("uvicorn.error").error("worker failed")
    finally:
        root.handlers, root.level = handlers, level
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]

    assert [line["event"] for line in lines] == ["worker failed"]


def _logged(json_lines: bool, level: str, write: Callable[[], None]) -> str:
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, root_level = root.handlers[:], root.level
    try:
        configure_logging(level, json=json_lines, stream=stream)
        write()
    finally:
        root.handlers, root.level = handlers, root_level
    return stream.getvalue()


def test_the_request_line_is_the_line_the_processor_chain_renders() -> None:
    """`RequestLines` writes its JSON line itself (cheaper): the same keys and values as structlog's own."""
    fields: dict[str, Any] = {
        "method": "GET",
        "resource": "GET personer/{personidentifikator}",
        "status": 200,
        "duration_ms": 1.25,
        "request_id": "5f0f3c44-8d7e-4a53-9d5f-3a1f6b1f2f7e",
    }
    lean = _logged(True, "INFO", lambda: RequestLines("fiks_folkeregister.requests").answered(**fields))
    chained = _logged(
        True, "INFO", lambda: structlog.get_logger("fiks_folkeregister.requests").info("answered", **fields)
    )
    lean_line, chained_line = json.loads(lean), json.loads(chained)

    assert lean.count("\n") == 1 and lean.endswith("\n")
    stamp_of = {line.pop("timestamp") for line in (lean_line, chained_line)}
    assert lean_line == chained_line
    for stamp in stamp_of:
        assert datetime.fromisoformat(stamp.replace("Z", "+00:00")).tzinfo is not None
        assert stamp.endswith("Z")


def test_the_request_line_follows_the_level_and_the_readable_format() -> None:
    def answer() -> None:
        RequestLines("fiks_folkeregister.requests").answered("GET", "annet", 404, 0.5, "rid")

    assert _logged(True, "WARNING", answer) == ""
    readable = _logged(False, "INFO", answer)
    assert not readable.startswith("{")
    assert "answered" in readable and "status=404" in readable


def test_fastapis_own_telemetry_never_sees_a_request_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FastAPI's built-in OpenTelemetry spans name the path, and the paths hold identity numbers: even with
    a tracer provider configured in the process, neither the gateway nor the register app hands a request
    to it. (A plain FastAPI app under the same provider does: the control.)"""
    traced: list[str] = []

    async def tracing(self: Any, *, app: Any, scope: Any, receive: Any, send: Any, legacy_otel: bool) -> None:
        traced.append(scope["path"])
        await app(scope, receive, send)

    monkeypatch.setattr(fastapi_asgi.NativeTelemetry, "__call__", tracing)
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: object())  # "configured": not the API's default

    plain = FastAPI()
    with TestClient(plain) as client:
        client.get(f"/personer/{FNR}")
    settings = Settings(data_dir=tmp_path, extract_worker=False)
    for app in (build_register_app(settings), build_gateway_app(settings)):
        with TestClient(app) as client:
            client.get(f"/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/{FNR}")

    assert traced == [f"/personer/{FNR}"]
