"""The platform's Maskinporten client: PEM or PKCS#12 credentials, delegated tokens, caching, one refresh."""

from __future__ import annotations

import base64
import datetime as dt
import threading
from pathlib import Path

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from fiks_folkeregister.app import build_token_issuer
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.identity.tokens import AccessTokenValidator
from fiks_folkeregister.upstream.maskinporten import (
    CredentialsError,
    MaskinportenClient,
    MaskinportenError,
    PlatformCredentials,
)
from fiks_folkeregister.upstream.resilience import MASKINPORTEN_AVVISTE, UpstreamUnavailableError
from tests.upstream.conftest import MUNICIPALITY, PLATFORM_ORGNR, Register

SCOPE = Rettighetspakke.OFFENTLIG_MED_HJEMMEL.scope


def _segment(jwt: str, index: int) -> dict:
    part = jwt.split(".")[index]
    return orjson.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _validator(register: Register) -> AccessTokenValidator:
    issuer = build_token_issuer(register.settings)
    return AccessTokenValidator(issuer.jwks, issuer=register.settings.issuer)


def test_a_delegated_token_names_the_municipality_as_consumer_and_the_platform_as_supplier(
    register: Register,
) -> None:
    tokens = register.maskinporten()

    delegated = _validator(register).validate(tokens.token(SCOPE, MUNICIPALITY))
    own = _validator(register).validate(tokens.token(SCOPE))

    assert (delegated.orgnr, delegated.supplier_orgnr, delegated.scopes) == (
        MUNICIPALITY,
        PLATFORM_ORGNR,
        frozenset({SCOPE}),
    )
    assert (own.orgnr, own.supplier_orgnr) == (PLATFORM_ORGNR, None)
    assert delegated.client_id == own.client_id == register.platform.client_id


def test_tokens_are_cached_per_scope_and_organisation_until_shortly_before_they_expire(
    register: Register,
) -> None:
    now = [1000.0]
    tokens = register.maskinporten(clock=lambda: now[0], refresh_margin_seconds=20)
    lifetime = register.settings.access_token_lifetime_seconds  # 120 s, like Maskinporten

    first = tokens.token(SCOPE, MUNICIPALITY)
    again = tokens.token(SCOPE, MUNICIPALITY)
    other_org = tokens.token(SCOPE, "920000002")
    now[0] += lifetime - 21
    still = tokens.token(SCOPE, MUNICIPALITY)
    now[0] += 2
    renewed = tokens.token(SCOPE, MUNICIPALITY)

    assert first == again == still
    assert other_org != first and renewed != first
    assert tokens.fetches == 3


def test_concurrent_callers_wait_for_one_fetch(register: Register) -> None:
    tokens = register.maskinporten()
    start = threading.Barrier(16)
    got: list[str] = []

    def fetch() -> None:
        start.wait()
        got.append(tokens.token(SCOPE, MUNICIPALITY))

    threads = [threading.Thread(target=fetch) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(got) == 16 and len(set(got)) == 1
    assert tokens.fetches == 1


def test_invalidating_an_old_token_keeps_a_newer_one(register: Register) -> None:
    tokens = register.maskinporten()
    old = tokens.token(SCOPE)
    tokens.invalidate(SCOPE, None, old)
    new = tokens.token(SCOPE)

    tokens.invalidate(SCOPE, None, old)  # a late caller still holding the old one

    assert tokens.token(SCOPE) == new != old
    assert tokens.fetches == 2


def test_a_refused_grant_is_a_clear_502_not_a_retry(register: Register) -> None:
    tokens = MaskinportenClient(
        register.token_url,
        register.settings.issuer,
        "00000000-0000-0000-0000-000000000000",
        register.credentials(),
    )

    with pytest.raises(MaskinportenError) as refused:
        tokens.token(SCOPE)
    with pytest.raises(UpstreamUnavailableError) as failed:
        register.upstream(tokens).person(Rettighetspakke.OFFENTLIG_MED_HJEMMEL, "01010112345", None)

    assert not refused.value.transient and refused.value.error == "invalid_grant"
    assert (failed.value.status, failed.value.code) == (502, MASKINPORTEN_AVVISTE)
    assert register.faults.counts["requests"] == 0


def test_an_unreachable_token_endpoint_is_transient(register: Register) -> None:
    tokens = MaskinportenClient(
        "http://127.0.0.1:9/token",
        register.settings.issuer,
        register.platform.client_id,
        register.credentials(),
    )

    with pytest.raises(MaskinportenError) as failed:
        tokens.token(SCOPE)

    assert failed.value.transient


def _certificate(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: tuple[str, rsa.RSAPrivateKey] | None = None,
    ca: bool = False,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    issuer_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]) if issuer else name
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer[1] if issuer else key, hashes.SHA256())
    )


@pytest.fixture(scope="module")
def chain() -> tuple[rsa.RSAPrivateKey, x509.Certificate, x509.Certificate]:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _certificate("Test CA", ca_key, ca=True)
    leaf = _certificate("Fiks plattform", leaf_key, issuer=("Test CA", ca_key))
    return leaf_key, leaf, ca


def _der_b64(certificate: x509.Certificate) -> str:
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")


def test_pem_with_a_chain_puts_the_whole_chain_in_x5c(tmp_path: Path, chain: tuple) -> None:
    key, leaf, ca = chain
    (tmp_path / "chain.pem").write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    )
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"hemmelig"),
        )
    )

    credentials = PlatformCredentials.load(tmp_path / "chain.pem", tmp_path / "key.pem", "hemmelig")
    grant = MaskinportenClient("http://unused", "https://maskinporten.no/", "client", credentials).grant(
        SCOPE, MUNICIPALITY
    )

    header, claims = _segment(grant, 0), _segment(grant, 1)
    assert header["alg"] == "RS256" and header["x5c"] == [_der_b64(leaf), _der_b64(ca)]
    assert claims["aud"] == "https://maskinporten.no/" and claims["iss"] == "client"
    assert claims["scope"] == SCOPE and claims["consumer_org"] == MUNICIPALITY
    assert 0 < claims["exp"] - claims["iat"] <= 120


def test_pkcs12_with_a_password_loads_key_and_chain(tmp_path: Path, chain: tuple) -> None:
    key, leaf, ca = chain
    path = tmp_path / "virksomhet.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"plattform", key, leaf, [ca], serialization.BestAvailableEncryption(b"hemmelig")
        )
    )

    credentials = PlatformCredentials.load(path, None, "hemmelig")

    assert credentials.x5c() == [_der_b64(leaf), _der_b64(ca)]
    assert "hemmelig" not in repr(credentials)


def test_wrong_password_and_a_foreign_key_are_clear_errors(tmp_path: Path, chain: tuple) -> None:
    key, leaf, ca = chain
    path = tmp_path / "virksomhet.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"plattform", key, leaf, [ca], serialization.BestAvailableEncryption(b"hemmelig")
        )
    )
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    with pytest.raises(CredentialsError, match="password is wrong") as wrong:
        PlatformCredentials.load(path, None, "feil-passord")
    with pytest.raises(CredentialsError, match="does not belong"):
        PlatformCredentials(key=foreign, chain=(leaf, ca))

    assert "feil-passord" not in str(wrong.value)
