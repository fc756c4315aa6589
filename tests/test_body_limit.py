"""Oversized request bodies are refused while they stream, before any app parses or authenticates them.

Served by uvicorn over a real socket: a chunked body (no Content-Length) of many megabytes is answered
with 413 long before the client has sent it all, so the server never holds it.
"""

from __future__ import annotations

import select
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select as sql_select

from fiks_folkeregister.app import build_gateway_app, build_register_app
from fiks_folkeregister.gateway.router import KONFIGURASJON_PREFIX
from fiks_folkeregister.settings import Settings
from fiks_folkeregister.storage.tables import oppslagslogg
from tests.upstream.servers import ThreadedServer

LIMIT = 100_000
PLANNED = 64 * 1024 * 1024  # what the client would send if nobody stopped it
CHUNK = 64 * 1024


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int


def stream_chunked(port: int, path: str, headers: dict[str, str]) -> Answer:
    """POST a chunked JSON body of up to PLANNED bytes, stopping as soon as the server answers."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Transfer-Encoding: chunked\r\n{head}\r\n".encode()
    )
    chunk = f"{CHUNK:x}\r\n".encode() + b"[" * CHUNK + b"\r\n"
    pending, sent, answered = b"", 0, False
    sock.setblocking(False)
    while sent < PLANNED:
        readable, writable, _ = select.select([sock], [sock], [], 30)
        if readable:
            answered = True
            break
        if not writable:
            break
        pending = pending or chunk
        try:
            written = sock.send(pending)
        except (BrokenPipeError, ConnectionResetError):
            answered = True
            break
        except BlockingIOError:
            continue
        pending, sent = pending[written:], sent + written
    assert answered, f"the server read all {sent} bytes without answering"
    sock.setblocking(True)
    raw = b""
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            break
        if not data:
            break
        raw += data
        if b"\r\n\r\n" in raw:
            head_part, _, rest = raw.partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head_part.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                None,
            )
            if length is not None and len(rest) >= length:
                break
    sock.close()
    head_part, _, body = raw.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    parsed = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return Answer(status, parsed, body, sent)


@dataclass
class Served:
    app: FastAPI
    server: ThreadedServer


@pytest.fixture(scope="module")
def served_apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Served]]:
    data_dir: Path = tmp_path_factory.mktemp("body-limit")
    settings = Settings(data_dir=data_dir, extract_worker=False, max_request_body_bytes=LIMIT)
    apps = {"gateway": build_gateway_app(settings), "register": build_register_app(settings)}
    served = {name: Served(app, ThreadedServer(app)) for name, app in apps.items()}
    for entry in served.values():
        entry.server.start()
    yield served
    for entry in served.values():
        entry.server.stop()


def test_a_chunked_body_to_the_mirrored_api_is_refused_while_streaming_and_audited(
    served_apps: dict[str, Served],
) -> None:
    gateway = served_apps["gateway"]
    role = uuid.uuid4()

    answer = stream_chunked(
        gateway.server.port,
        f"/folkeregister/api/v1/{role}/v1/personer/bulkoppslag",
        {"Authorization": "Bearer not-even-checked"},
    )

    assert answer.status == 413
    assert answer.sent < PLANNED // 4, "the server should answer long before the body ends"
    assert b'"errorCode":"FOR_STOR_FORESPOERSEL"' in answer.body
    request_id = answer.headers["x-request-id"]
    with gateway.app.state.gateway.engine.connect() as connection:
        [record] = connection.execute(
            sql_select(oppslagslogg).where(oppslagslogg.c.request_id == request_id)
        ).all()
    assert (record.status, record.utfall, record.feilkode) == (413, "avvist", "FOR_STOR_FORESPOERSEL")
    assert record.ressurs == "POST personer/bulkoppslag"
    assert record.orgnr is None  # refused before authentication: nothing of the caller was read


@pytest.mark.parametrize(
    ("app", "path", "format_field"),
    [
        ("gateway", "/admin/api/v1/organisasjoner", "errorCode"),
        ("gateway", "/maskinporten/token", "errorCode"),
        ("register", "/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/bulkoppslag", "feilkode"),
        ("register", "/maskinporten/token", "errorCode"),
    ],
)
def test_every_app_refuses_a_chunked_body_over_the_limit_before_authenticating(
    served_apps: dict[str, Served], app: str, path: str, format_field: str
) -> None:
    answer = stream_chunked(served_apps[app].server.port, path, {})

    assert answer.status == 413  # not 401: nothing was authenticated
    assert answer.sent < PLANNED // 4
    assert f'"{format_field}":"FOR_STOR_FORESPOERSEL"'.encode() in answer.body


#: A role/organisation id nobody has; fixed, not random: pytest-xdist needs every worker to collect the same ids.
UNKNOWN_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


@pytest.mark.parametrize(
    ("app", "path"),
    [
        ("gateway", f"/folkeregister/api/v1/{UNKNOWN_ID}/v1/personer/bulkoppslag"),
        ("gateway", "/admin/api/v1/organisasjoner"),
        ("gateway", f"/register/api/v1/ks/{UNKNOWN_ID}/oppvekst"),
        ("register", "/folkeregisteret/offentlig-med-hjemmel/api/v1/hendelser/bulkoppslag"),
    ],
)
def test_a_declared_length_over_the_limit_is_refused_unread(
    served_apps: dict[str, Served], app: str, path: str
) -> None:
    with TestClient(served_apps[app].app) as client:
        too_big = client.post(path, content=b" " * (LIMIT + 1), headers={"Content-Type": "application/json"})
        fits = client.post(path, content=b" " * LIMIT, headers={"Content-Type": "application/json"})

    assert too_big.status_code == 413
    assert fits.status_code in (400, 401)  # read, then refused for what it is, not for its size
    if app == "gateway" and "/admin/" not in path:  # the gateway's APIs record the refusal
        with served_apps[app].app.state.gateway.engine.connect() as connection:
            [record] = connection.execute(
                sql_select(oppslagslogg).where(oppslagslogg.c.request_id == too_big.headers["X-Request-Id"])
            ).all()
        assert (record.status, record.feilkode) == (413, "FOR_STOR_FORESPOERSEL")


def test_a_body_too_large_for_the_konfigurasjon_api_is_refused_there_and_is_no_lookup(
    served_apps: dict[str, Served],
) -> None:
    gateway = served_apps["gateway"]
    with TestClient(gateway.app) as client:
        answer = client.post(
            f"{KONFIGURASJON_PREFIX}/verifiser",
            content=b" " * (LIMIT + 1),
            headers={"Content-Type": "application/json"},
        )

    assert answer.status_code == 413
    assert answer.json()["errorCode"] == "FOR_STOR_FORESPOERSEL"
    with gateway.app.state.gateway.engine.connect() as connection:  # not in the log of lookups
        assert not connection.execute(
            sql_select(oppslagslogg).where(oppslagslogg.c.request_id == answer.headers["X-Request-Id"])
        ).all()
