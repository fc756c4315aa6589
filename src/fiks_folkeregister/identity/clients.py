"""Machine clients registered with the embedded issuer, each with its own key pair and certificate."""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import json
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from joserfc import jwt
from joserfc.jwk import RSAKey

from fiks_folkeregister.identity.keys import SIGNING_ALGORITHM, write_private_file
from fiks_folkeregister.identity.tokens import require_orgnr

CLIENT_KEY_SIZE_BITS = 2048
CERTIFICATE_VALIDITY_DAYS = 3 * 365
MAX_GRANT_LIFETIME_SECONDS = 120


class UnknownClientError(LookupError):
    """No client with this id is registered."""


@dataclass(frozen=True)
class RegisteredClient:
    """A registered client: who it is, which organisation operates it, and its certificate.

    ``delegations`` are the organisations that have delegated to this client (as municipalities delegate
    a scope to their vendor in Altinn): the client may ask for tokens on behalf of those and of its own
    organisation, no other.
    """

    client_id: str
    orgnr: str
    name: str
    kid: str
    created_at: str
    certificate_path: Path
    key_path: Path
    certificate: x509.Certificate = field(repr=False, compare=False)
    delegations: frozenset[str] = frozenset()

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def acts_for(self, orgnr: str) -> bool:
        """Whether the client may ask for a token on behalf of ``orgnr``."""
        return orgnr == self.orgnr or orgnr in self.delegations


class ClientRegistry:
    """Clients kept as files: ``<directory>/clients/<clientId>/{client.json,key.pem,certificate.pem}``.

    Files rather than a database so the CLI (another process) and the server see the same clients with no
    setup. The private key is written for the client's owner to use; the issuer itself only reads the
    certificate. ``client.json`` is replaced atomically when delegations change and is read on every look-up,
    so a delegation removed by the CLI stops working at once in every process.
    """

    def __init__(self, directory: Path) -> None:
        self._root = Path(directory) / "clients"
        self._certificates: dict[str, x509.Certificate] = {}

    def create(self, orgnr: str, name: str | None = None) -> RegisteredClient:
        """Register a new client for ``orgnr``: a fresh RSA key pair and a self-signed certificate."""
        require_orgnr(orgnr)
        display_name = name.strip() if name and name.strip() else f"Organisation {orgnr}"
        client_id = str(uuid.uuid4())
        folder = self._root / client_id
        folder.mkdir(parents=True, mode=0o700)

        private_key = rsa.generate_private_key(public_exponent=65537, key_size=CLIENT_KEY_SIZE_BITS)
        certificate = _self_signed_certificate(private_key, orgnr, display_name)
        key_path = folder / "key.pem"
        certificate_path = folder / "certificate.pem"
        write_private_file(
            key_path,
            private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        kid = RSAKey.import_key(private_key.public_key()).thumbprint()
        record = {
            "clientId": client_id,
            "orgnr": orgnr,
            "name": display_name,
            "kid": kid,
            "createdAt": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "delegations": [],
        }
        # The JSON record is written last: a client exists only once all its files do.
        (folder / "client.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        return self.get(client_id)

    def get(self, client_id: str) -> RegisteredClient:
        """The client with this id; raises ``UnknownClientError`` (also for ids that are not UUIDs)."""
        folder = self._folder(client_id)
        try:
            # Read on every call (a small file): delegations changed by another process count at once.
            record = json.loads((folder / "client.json").read_text(encoding="utf-8"))
            certificate = self._certificates.get(client_id)
            if certificate is None:
                certificate = x509.load_pem_x509_certificate((folder / "certificate.pem").read_bytes())
                self._certificates[client_id] = certificate
        except FileNotFoundError as error:
            raise UnknownClientError(client_id) from error
        return RegisteredClient(
            client_id=record["clientId"],
            orgnr=record["orgnr"],
            name=record["name"],
            kid=record["kid"],
            created_at=record["createdAt"],
            certificate_path=folder / "certificate.pem",
            key_path=folder / "key.pem",
            certificate=certificate,
            delegations=frozenset(record.get("delegations", ())),
        )

    def delegate(self, client_id: str, orgnr: str) -> RegisteredClient:
        """Record that ``orgnr`` has delegated to this client (no change if it already has)."""
        require_orgnr(orgnr)
        return self._change_delegations(client_id, lambda delegations: delegations | {orgnr})

    def revoke_delegation(self, client_id: str, orgnr: str) -> RegisteredClient:
        """Remove ``orgnr``'s delegation to this client (no change if there was none)."""
        require_orgnr(orgnr)
        return self._change_delegations(client_id, lambda delegations: delegations - {orgnr})

    def _change_delegations(self, client_id: str, change: Callable[[set[str]], set[str]]) -> RegisteredClient:
        folder = self._folder(client_id)
        record_path = folder / "client.json"
        try:
            lock = (folder / ".lock").open("a")
        except FileNotFoundError as error:
            raise UnknownClientError(client_id) from error
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time, across processes
            try:
                record = json.loads(record_path.read_text(encoding="utf-8"))
            except FileNotFoundError as error:
                raise UnknownClientError(client_id) from error
            delegations = change(set(record.get("delegations", ())))
            record["delegations"] = sorted(delegations)
            temporary = folder / "client.json.new"
            temporary.write_text(json.dumps(record, indent=2), encoding="utf-8")
            os.replace(temporary, record_path)  # readers see the old file or the new one, never half
        return self.get(client_id)

    def _folder(self, client_id: str) -> Path:
        """The client's folder; only for a canonical UUID, so an id can never name another path."""
        try:
            canonical = str(uuid.UUID(client_id))
        except (ValueError, TypeError, AttributeError) as error:
            raise UnknownClientError(client_id) from error
        if canonical != client_id:
            raise UnknownClientError(client_id)
        return self._root / canonical

    def list(self) -> list[RegisteredClient]:
        """Every registered client, oldest first."""
        if not self._root.exists():
            return []
        clients = [
            self.get(folder.name) for folder in self._root.iterdir() if (folder / "client.json").exists()
        ]
        return sorted(clients, key=lambda client: (client.created_at, client.client_id))


def _self_signed_certificate(private_key: rsa.RSAPrivateKey, orgnr: str, name: str) -> x509.Certificate:
    """A certificate shaped like a Norwegian enterprise certificate: O=<name>, serialNumber=<orgnr>."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, orgnr),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"NTRNO-{orgnr}"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CERTIFICATE_VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(private_key, hashes.SHA256())
    )


def make_grant_assertion(
    client_id: str,
    key_pem: bytes | str,
    certificate_pem: bytes | str,
    audience: str,
    scope: str | Sequence[str],
    consumer_org: str | None = None,
    lifetime: int = MAX_GRANT_LIFETIME_SECONDS,
    *,
    use_kid: bool = False,
    resource: str | Sequence[str] | None = None,
) -> str:
    """A JWT-bearer grant signed with the client's key, as a client posts it to the token endpoint.

    By default the header carries the certificate (``x5c``), like a client using an enterprise certificate;
    ``use_kid=True`` sends the key's id instead (a client with a registered key). ``resource`` asks for an
    audience-restricted access token.
    """
    if isinstance(key_pem, str):
        key_pem = key_pem.encode("ascii")
    if isinstance(certificate_pem, str):
        certificate_pem = certificate_pem.encode("ascii")
    key = RSAKey.import_key(key_pem)
    header: dict[str, object] = {"alg": SIGNING_ALGORITHM}
    if use_kid:
        header["kid"] = key.thumbprint()
    else:
        certificate = x509.load_pem_x509_certificate(certificate_pem)
        der = certificate.public_bytes(serialization.Encoding.DER)
        header["x5c"] = [base64.b64encode(der).decode("ascii")]
    now = int(time.time())
    claims: dict[str, object] = {
        "aud": audience,
        "iss": client_id,
        "scope": scope if isinstance(scope, str) else " ".join(scope),
        "iat": now,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),
    }
    if consumer_org is not None:
        claims["consumer_org"] = consumer_org
    if resource is not None:
        claims["resource"] = resource if isinstance(resource, str) else list(resource)
    return jwt.encode(header, claims, key, algorithms=[SIGNING_ALGORITHM])
