"""Opaque references to persons for the portal's URLs: no identity number in an address bar, a browser's
history, a server's access log or a bookmark.

A reference is the identity number encrypted and authenticated (Fernet) together with the session it was
made for, so it opens a card only in that session: a link copied to someone else, or kept after logout,
opens nothing. Not a secret store: the key comes from the settings, like the session signing key.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

_CONTEXT = b"fiks-folkeregister portal person reference v1\x00"


class Personreferanser:
    """Makes and reads the references one portal uses, with a key derived from its secret."""

    def __init__(self, secret: str | bytes) -> None:
        raw = secret.encode() if isinstance(secret, str) else secret
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(_CONTEXT + raw).digest()))

    def lag(self, sesjon: str, identifikasjonsnummer: str) -> str:
        """The reference to a person for use in `sesjon` (URL-safe)."""
        plain = f"{sesjon}\x00{identifikasjonsnummer}".encode()
        return self._fernet.encrypt(plain).decode("ascii").rstrip("=")

    def les(self, sesjon: str, referanse: str) -> str | None:
        """The identity number a reference names, or None when it is not one of this session's references."""
        padded = referanse + "=" * (-len(referanse) % 4)
        try:
            plain = self._fernet.decrypt(padded.encode("ascii")).decode()
        except (InvalidToken, UnicodeError, ValueError):
            return None
        made_for, _, number = plain.partition("\x00")
        return number if made_for == sesjon and number else None
