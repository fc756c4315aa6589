"""The Ed25519 key that signs the lookup log's checkpoints: a file held by the deployment, not the database."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fiks_folkeregister.identity.keys import write_private_file


def key_id(public_key: Ed25519PublicKey) -> str:
    """The first 16 bytes (hex) of SHA-256 over the raw public key: names the key in every checkpoint."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


class CheckpointVerifier:
    """Checks checkpoint signatures with the public key only (what an auditor holds)."""

    def __init__(self, public_key: Ed25519PublicKey) -> None:
        self.public_key = public_key
        self.key_id = key_id(public_key)

    @classmethod
    def from_pem(cls, pem: bytes) -> CheckpointVerifier:
        loaded = serialization.load_pem_public_key(pem)
        if not isinstance(loaded, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return cls(loaded)

    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class CheckpointSigner(CheckpointVerifier):
    """The private key, made (PKCS#8 PEM, mode 0600) on first use at `path` and reused afterwards."""

    def __init__(self, path: Path) -> None:
        path = Path(path)
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            write_private_file(path, pem)
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        self._private = loaded
        super().__init__(loaded.public_key())

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def __repr__(self) -> str:
        return f"CheckpointSigner(key_id={self.key_id!r})"
