"""Query parameters the register and the gateway read the same way: one pure reading, one refusal."""

from __future__ import annotations

import re
from typing import Any

#: The longest whole number a parameter may hold (a 64-bit sequence number has at most 19 digits).
MAX_DIGITS = 19
_WHOLE_NUMBER = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")


class UgyldigParameter(ValueError):
    """A parameter the register refuses: a 400 in its format (`FolkeregisterFeilmelding`), naming the problem.

    Raised by the pure parsers so the register and the gateway refuse the same input with the same answer.
    """

    http_status = 400

    def __init__(self, feilkode: str, feilmelding: str, **tilleggsinformasjon: Any) -> None:
        super().__init__(feilmelding)
        self.feilkode = feilkode
        self.feilmelding = feilmelding
        self.tilleggsinformasjon = tilleggsinformasjon

    def body(self) -> dict[str, Any]:
        """The register's error body for this refusal."""
        body: dict[str, Any] = {
            "feilkode": self.feilkode,
            "feilmelding": self.feilmelding,
            "httpStatus": self.http_status,
            "alvorlighetsgrad": "WARNING",
        }
        if self.tilleggsinformasjon:
            body["tilleggsinformasjon"] = self.tilleggsinformasjon
        return body


def whole_number(value: str | None, name: str) -> int | None:
    """A parameter holding a whole number, 0 or more (surrounding whitespace ignored); None when absent.

    Only ASCII digits: `int()` would also read other scripts' digits (and fail on superscripts).
    """
    if value is None or value == "":
        return None
    text = value.strip()
    if text.startswith("-") and _WHOLE_NUMBER.fullmatch(text[1:]):
        raise UgyldigParameter("UGYLDIG_PARAMETER", f"{name} must be 0 or more, not {text}")
    if not _WHOLE_NUMBER.fullmatch(text):
        raise UgyldigParameter("UGYLDIG_PARAMETER", f"{name} must be a whole number, not '{value}'")
    return int(text)
