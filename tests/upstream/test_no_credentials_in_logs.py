"""No token, grant, password or key material reaches the logs, even at DEBUG for httpx and httpcore."""

from __future__ import annotations

import base64
import logging
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.upstream.delegation import on_behalf_of
from fiks_folkeregister.upstream.maskinporten import (
    CredentialsError,
    MaskinportenClient,
    MaskinportenError,
    PlatformCredentials,
)
from fiks_folkeregister.upstream.port import UpstreamError
from tests.upstream.conftest import MUNICIPALITY, Register

MED = Rettighetspakke.OFFENTLIG_MED_HJEMMEL
PASSWORD = "S3cret-p12-passord"
#: Every JWT (access token or grant) starts with a base64url JSON header: `{"` is `eyJ`.
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}")


def test_logs_hold_no_credentials(
    register: Register, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    for name in ("", "httpx", "httpcore", "fiks_folkeregister"):
        caplog.set_level(logging.DEBUG, logger=name)
    key = serialization.load_pem_private_key(register.platform.key_path.read_bytes(), None)
    p12 = tmp_path / "platform.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"platform",
            key,  # type: ignore[arg-type]
            register.platform.certificate,
            None,
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        )
    )
    credentials = PlatformCredentials.load(p12, None, PASSWORD)
    tokens = MaskinportenClient(
        register.token_url, register.settings.issuer, register.platform.client_id, credentials
    )
    upstream = register.upstream(tokens, attempts=2)
    adult = register.examples["ordinary-adult"][0]
    seen: list[str] = [repr(tokens), repr(credentials), repr(upstream)]

    with on_behalf_of(MUNICIPALITY):
        upstream.person(MED, adult, ["navn"])  # success, with a fresh token
        register.faults.expire_seen_tokens()
        upstream.person(MED, adult, ["navn"])  # 401, refresh, success
        register.faults.force("error", "error")
        with pytest.raises(UpstreamError) as failed:
            upstream.person(MED, adult, None)  # retried 500s, then 502
        seen.append(str(failed.value))
    with pytest.raises(MaskinportenError) as refused:
        MaskinportenClient(register.token_url, "https://wrong-audience/", "client", credentials).token(
            MED.scope
        )
    seen.append(str(refused.value))
    with pytest.raises(CredentialsError) as wrong:
        PlatformCredentials.load(p12, None, PASSWORD + "x")
    seen.append(str(wrong.value))
    token = tokens.token(MED.scope, MUNICIPALITY)

    captured = caplog.text + "\n".join(seen)
    key_der = key.private_bytes(  # type: ignore[union-attr]
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_pem_lines = [
        line
        for line in register.platform.key_path.read_text().splitlines()
        if line and "PRIVATE KEY" not in line
    ]
    assert "HTTP Request" in caplog.text  # httpx really logged at DEBUG/INFO
    assert "fetched an access token" in caplog.text
    assert token not in captured
    assert not JWT.search(captured)
    assert PASSWORD not in captured
    assert base64.b64encode(key_der).decode()[:64] not in captured
    assert not any(line in captured for line in key_pem_lines)
    assert not re.search(r"Bearer\s+[A-Za-z0-9._-]{20,}", captured)
