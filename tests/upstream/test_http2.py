"""HTTP/2 over TLS to a private CA: the embedded register served by hypercorn (ALPN h2, http/1.1) on a socket.

The server records, per request, the HTTP version and the client's address (one TCP connection, one source
port), so the tests see what really went over the wire: the version negotiated and how many connections the
adapter opened.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.config import Config

from fiks_folkeregister.app import build_gateway_app, build_register
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.identity.clients import RegisteredClient
from fiks_folkeregister.register.faults import Faults
from fiks_folkeregister.register.simulator import Simulator
from fiks_folkeregister.settings import Settings
from fiks_folkeregister.upstream.http import HttpUpstream, Timeouts, UpstreamConfigurationError
from fiks_folkeregister.upstream.maskinporten import MaskinportenClient, PlatformCredentials
from fiks_folkeregister.upstream.port import UpstreamError
from fiks_folkeregister.upstream.resilience import CircuitBreaker, RetryPolicy, UpstreamUnavailableError
from tests.upstream.conftest import Register, register_app_with_faults
from tests.upstream.servers import free_port
from tests.upstream.test_gateway_over_http import serve as serve_gateway

MED = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
UTEN = Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL
API = "/folkeregisteret/"


# A throw-away certificate authority and a server certificate for 127.0.0.1.


@dataclass(frozen=True)
class Pki:
    ca_bundle: Path
    server_certificate: Path
    server_key: Path

    def trust(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_bundle)


def _certificate(
    subject: str,
    public_key: ec.EllipticCurvePublicKey,
    issuer: x509.Name | None,
    signing_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False
        )
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Test CA (throw-away)", ca_key.public_key(), None, ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate("127.0.0.1", server_key.public_key(), ca.subject, ca_key, ca=False)
    pki = Pki(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    pki.ca_bundle.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pki.server_certificate.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    pki.server_key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return pki


# Hypercorn in its own event loop thread, recording what arrives.


@dataclass(frozen=True)
class Seen:
    path: str
    http_version: str
    client: tuple[str, int]  # the connection's far end: one per TCP connection


@dataclass
class Recorder:
    """ASGI middleware: what each request looked like on the wire, and the most requests in flight at once
    on one connection."""

    app: Any
    seen: list[Seen] = field(default_factory=list)
    in_flight: dict[tuple[str, int], int] = field(default_factory=dict)
    most_in_flight: int = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API):
            await self.app(scope, receive, send)
            return
        client = tuple(scope["client"])
        self.seen.append(Seen(scope["path"], scope["http_version"], client))  # type: ignore[arg-type]
        self.in_flight[client] = self.in_flight.get(client, 0) + 1  # one event loop: no lock needed
        self.most_in_flight = max(self.most_in_flight, self.in_flight[client])
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight[client] -= 1

    def clear(self) -> None:
        self.seen.clear()
        self.most_in_flight = 0

    def versions(self) -> set[str]:
        return {seen.http_version for seen in self.seen}

    def connections(self) -> int:
        return len({seen.client for seen in self.seen})


class HypercornServer:
    """An ASGI app served over TLS by hypercorn on 127.0.0.1, in a thread with its own event loop."""

    def __init__(self, app: Any, pki: Pki) -> None:
        self.recorder = Recorder(app)
        self.port = free_port()
        self.config = Config()
        self.config.bind = [f"127.0.0.1:{self.port}"]
        self.config.certfile = str(pki.server_certificate)
        self.config.keyfile = str(pki.server_key)
        self.config.alpn_protocols = ["h2", "http/1.1"]
        self.config.graceful_timeout = 1.0
        self.config.errorlog = None
        self._loop = _ShortTlsShutdownLoop()
        self._stopping = asyncio.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(
                hypercorn_serve(self.recorder, self.config, shutdown_trigger=self._stopping.wait)
            )
        finally:
            self._loop.close()

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or not self._thread.is_alive():
                    raise RuntimeError("hypercorn did not start") from None
                time.sleep(0.02)

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout=20)
        if self._thread.is_alive():
            raise RuntimeError("hypercorn did not stop")


class _ShortTlsShutdownLoop(asyncio.SelectorEventLoop):
    """On shutdown, hypercorn closes idle connections and Python 3.11 waits until each is gone; a TLS close
    waits for the client's close_notify, which a client idling in its pool never sends (30 s by default)."""

    async def create_server(self, *args: Any, **kwargs: Any) -> asyncio.Server:  # type: ignore[override]
        if kwargs.get("ssl") is not None:
            kwargs.setdefault("ssl_shutdown_timeout", 0.5)
        return await super().create_server(*args, **kwargs)

    def call_exception_handler(self, context: dict[str, Any]) -> None:
        error = context.get("exception")
        # The shortened wait above, and connections cut when the graceful shutdown's time is up.
        if str(error) != "SSL shutdown timed out" and not isinstance(error, asyncio.CancelledError):
            super().call_exception_handler(context)


@dataclass
class TlsRegister:
    server: HypercornServer
    faults: Faults
    settings: Settings
    examples: dict[str, list[str]]
    dokumentidentifikatorer: dict[str, str]
    platform: RegisteredClient
    pki: Pki

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def recorder(self) -> Recorder:
        return self.server.recorder

    def tokens(self, http: httpx.Client) -> MaskinportenClient:
        """Tokens from the embedded issuer the register serves (``http`` must trust the same CA)."""
        return MaskinportenClient(
            f"{self.url}/maskinporten/token",
            self.settings.issuer,
            self.platform.client_id,
            PlatformCredentials.load(self.platform.certificate_path, self.platform.key_path),
            http=http,
        )

    def upstream(self, tokens: MaskinportenClient, *, http2: bool, trusted: bool = True) -> HttpUpstream:
        return HttpUpstream(
            self.url,
            tokens,
            http2=http2,
            trust=self.pki.trust() if trusted else None,
            timeouts=Timeouts(connect_seconds=2.0, read_seconds=10.0),
            policy=RetryPolicy(attempts=2, backoff_base_seconds=0.01, backoff_cap_seconds=0.02),
            breaker=CircuitBreaker(self.url, failure_threshold=50),
        )

    def as_register(self) -> Register:
        """The shape the gateway helpers of `test_gateway_over_http` take."""
        return Register(
            self.server,  # type: ignore[arg-type]
            self.faults,
            self.settings,
            self.examples,
            self.dokumentidentifikatorer,
            self.platform,
        )


@pytest.fixture(scope="module")
def tls_register(
    register_data: tuple[Settings, dict[str, list[str]], dict[str, str]],
    platform_client: RegisteredClient,
    pki: Pki,
) -> Iterator[TlsRegister]:
    settings, examples, documents = register_data
    settings = settings.model_copy(update={"extract_worker": False})
    embedded = build_register(settings)
    embedded.service.hendelser.log.simulate(Simulator(5, date(2026, 11, 1)), 20)  # a feed page to read
    embedded.repository.engine.dispose()
    app, faults = register_app_with_faults(settings)
    server = HypercornServer(app, pki)
    server.start()
    yield TlsRegister(server, faults, settings, examples, documents, platform_client, pki)
    server.stop()


@pytest.fixture
def tls(tls_register: TlsRegister) -> Iterator[TlsRegister]:
    tls_register.faults.set_plan()
    tls_register.recorder.clear()
    yield tls_register
    tls_register.faults.set_plan()


@pytest.fixture
def tokens(tls: TlsRegister) -> Iterator[MaskinportenClient]:
    with httpx.Client(verify=tls.pki.trust(), timeout=5) as http:
        yield tls.tokens(http)


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", call()
    except UpstreamError as error:
        return f"error {error.status}", dict(error.body)


def test_http2_is_negotiated_and_answers_exactly_as_http11(
    tls: TlsRegister, tokens: MaskinportenClient
) -> None:
    adult = tls.examples["ordinary-adult"][0]
    fortrolig = tls.examples["fortrolig"][0]
    calls: list[Callable[[HttpUpstream], Any]] = [
        lambda up: up.person(MED, adult, None),
        lambda up: up.person(UTEN, fortrolig, ["bostedsadresse", "navn"]),
        lambda up: up.person(MED, "12345678901", None),
        lambda up: up.bulkoppslag(MED, {"foedselsEllerDNummer": [adult, fortrolig]}, ["navn"], True),
        lambda up: up.hendelser_feed(MED, "1"),
    ]

    answers: dict[str, list[tuple[str, Any]]] = {}
    versions: dict[str, set[str]] = {}
    for name, http2 in (("h2", True), ("http/1.1", False)):
        tls.recorder.clear()
        upstream = tls.upstream(tokens, http2=http2)
        try:
            answers[name] = [outcome(lambda call=call, up=upstream: call(up)) for call in calls]
        finally:
            upstream.close()
        versions[name] = tls.recorder.versions()

    assert versions == {"h2": {"2"}, "http/1.1": {"1.1"}}
    assert answers["h2"] == answers["http/1.1"]
    person, _, unknown, bulk, feed = answers["h2"]
    assert person[0] == "ok" and person[1]["identifikasjonsnummer"]
    assert unknown[0] == "error 400"  # not a valid number: the register's own refusal, passed on
    assert bulk[0] == "ok" and len(bulk[1]["oppslag"]) == 2
    assert feed[0] == "ok" and len(feed[1]) > 0


def test_concurrent_calls_share_one_http2_connection(tls: TlsRegister, tokens: MaskinportenClient) -> None:
    """Slow answers keep every call in flight at once: HTTP/1.1 needs a connection each, HTTP/2 one in all."""
    adult = tls.examples["ordinary-adult"][0]
    tokens.token(MED.scope)  # fetched before, so the calls start together
    tls.faults.set_plan(latency_seconds=0.3)
    concurrent = 8

    def connections_for(http2: bool) -> tuple[int, int, int]:
        tls.recorder.clear()
        upstream = tls.upstream(tokens, http2=http2)
        try:
            with ThreadPoolExecutor(concurrent) as pool:
                documents = list(pool.map(lambda _: upstream.person(MED, adult, ["navn"]), range(concurrent)))
        finally:
            upstream.close()
        assert all(document["navn"] for document in documents)
        return len(tls.recorder.seen), tls.recorder.connections(), tls.recorder.most_in_flight

    requests, connections, most_in_flight = connections_for(http2=True)
    assert (requests, connections) == (concurrent, 1)
    assert most_in_flight > 1  # multiplexed: several streams open on that one connection at once
    assert tls.recorder.versions() == {"2"}

    requests, connections, _ = connections_for(http2=False)
    assert requests == concurrent and connections > 1


def test_an_untrusted_certificate_is_a_clear_upstream_error(
    tls: TlsRegister, tokens: MaskinportenClient, caplog: pytest.LogCaptureFixture
) -> None:
    adult = tls.examples["ordinary-adult"][0]
    token = tokens.token(MED.scope)
    upstream = tls.upstream(tokens, http2=True, trusted=False)  # the default trust: no private CA

    try:
        with (
            caplog.at_level(logging.WARNING, logger="fiks_folkeregister"),
            pytest.raises(UpstreamUnavailableError) as refused,
        ):
            upstream.person(MED, adult, None)
    finally:
        upstream.close()

    # Not retried (asking again cannot help), and the operator is told what to set.
    messages = [record.getMessage() for record in caplog.records]
    assert not any("retrying" in message for message in messages)
    assert any("not trusted" in m and "FIKSREG_UPSTREAM_CA_BUNDLE" in m for m in messages)

    assert (refused.value.status, refused.value.code) == (503, "REGISTERET_UTILGJENGELIG")
    text = f"{refused.value.message} {refused.value.body} {refused.value.details}"
    assert token not in text and "Traceback" not in text and adult not in text
    assert token not in caplog.text
    assert tls.recorder.seen == []  # the handshake failed: nothing reached the register


def test_the_gateway_reaches_the_register_over_http2_with_the_ca_bundle_setting(tls: TlsRegister) -> None:
    """Settings only: FIKSREG_UPSTREAM_HTTP2 and FIKSREG_UPSTREAM_CA_BUNDLE (also for the embedded issuer)."""
    adult = tls.examples["ordinary-adult"][0]

    with serve_gateway(
        tls.as_register(), upstream_http2=True, upstream_ca_bundle=tls.pki.ca_bundle
    ) as gateway:
        status, body, _ = gateway.lookup(adult)

    assert status == 200 and body["identifikasjonsnummer"]
    assert tls.recorder.versions() == {"2"}


def test_the_gateway_without_the_ca_bundle_answers_a_clear_error(
    tls: TlsRegister, register: Register
) -> None:
    """Tokens from a token endpoint the default trust accepts (here plain HTTP); the register's private CA
    is not trusted without the setting."""
    adult = tls.examples["ordinary-adult"][0]
    platform = tls.platform

    with serve_gateway(
        tls.as_register(),
        upstream_http2=True,
        upstream_attempts=1,
        upstream_token_url=register.token_url,
        upstream_client_id=platform.client_id,
        upstream_cert=platform.certificate_path,
        upstream_key=platform.key_path,
    ) as gateway:
        status, body, headers = gateway.lookup(adult)
        request_id = headers["x-request-id"]
        logged = gateway.outcome(request_id)

    assert (status, body["errorCode"]) == (503, "REGISTERET_UTILGJENGELIG")
    assert body["message"] and "Traceback" not in str(body) and adult not in str(body["errorJson"])
    assert "Bearer" not in str(body) and "eyJ" not in str(body)  # no token, not even its start
    assert logged == ("feil", 503, "REGISTERET_UTILGJENGELIG")
    assert tls.recorder.seen == []


@pytest.mark.parametrize("bundle", ["missing.pem", "not-a-certificate.pem"])
def test_an_unusable_ca_bundle_stops_the_start_up_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundle: str
) -> None:
    (tmp_path / "not-a-certificate.pem").write_text("hello\n")
    monkeypatch.setenv("FIKSREG_UPSTREAM_CA_BUNDLE", str(tmp_path / bundle))
    settings = Settings(data_dir=tmp_path, upstream="http", upstream_url="https://127.0.0.1:1")

    with pytest.raises(UpstreamConfigurationError, match="FIKSREG_UPSTREAM_CA_BUNDLE") as refused:
        build_gateway_app(settings)

    assert bundle in str(refused.value)
