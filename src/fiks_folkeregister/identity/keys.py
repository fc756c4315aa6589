"""The embedded issuer's RSA signing key: created once, kept on disk, published as a JWKS."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import Any

from joserfc.jwk import KeySet, RSAKey

SIGNING_ALGORITHM = "RS256"
KEY_SIZE_BITS = 2048
SIGNING_KEY_FILE = "signing-key.pem"


def write_private_file(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` with mode 0600 unless the file exists; return whether we wrote it.

    The file is written under a temporary name and hard-linked into place, so a concurrent process (another
    uvicorn worker) never sees a half-written key and never overwrites one that already exists.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


class SigningKeys:
    """The issuer's signing key, kept in ``directory``: made (RSA 2048, PEM, mode 0600) on first use and
    reused on later loads, so tokens survive restarts. The key id is the RFC 7638 thumbprint (stable).

    One key today; the plural leaves room for publishing a retired key beside a new one during rotation.
    """

    def __init__(self, directory: Path) -> None:
        path = Path(directory) / SIGNING_KEY_FILE
        if not path.exists():
            write_private_file(path, RSAKey.generate_key(KEY_SIZE_BITS).as_pem(private=True))
        private_key = RSAKey.import_key(path.read_bytes())
        if not private_key.is_private:
            raise ValueError(f"{path} does not hold a private key")
        self.kid: str = private_key.thumbprint()
        parameters = {"kid": self.kid, "use": "sig", "alg": SIGNING_ALGORITHM}
        self._private = RSAKey.import_key(private_key.as_dict(private=True), parameters)
        self._public = RSAKey.import_key(private_key.as_dict(private=False), parameters)

    @property
    def private_key(self) -> RSAKey:
        """The private JWK, for signing only; never publish or log it."""
        return self._private

    @property
    def public_key(self) -> RSAKey:
        return self._public

    def key_set(self) -> KeySet:
        """The public key as a joserfc key set (what a validator in the same process needs)."""
        return KeySet([self._public])

    def jwks(self) -> dict[str, Any]:
        """The public JWKS document: ``{"keys": [{kty, n, e, kid, use: "sig", alg: "RS256"}]}``."""
        return {"keys": [self._public.as_dict(private=False)]}

    def __repr__(self) -> str:
        return f"SigningKeys(kid={self.kid!r})"
