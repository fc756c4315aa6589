"""The case a portal lookup is made for: an optional case number and purpose, checked before they are kept."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_SAKSNUMMER = 100
MAX_FORMAAL = 200


class UgyldigSaksreferanse(ValueError):
    """A case reference that cannot be kept; `felt` names the field, `grunn` is a machine reason."""

    def __init__(self, felt: str, grunn: str, maks: int | None = None) -> None:
        super().__init__(f"{felt}: {grunn}")
        self.felt = felt
        self.grunn = grunn
        self.maks = maks


@dataclass(frozen=True)
class Saksreferanse:
    """What the case worker entered (spaces trimmed; an empty field is None)."""

    saksnummer: str | None = None
    formaal: str | None = None


def saksreferanse(saksnummer: str | None, formaal: str | None) -> Saksreferanse:
    """Check a case reference as entered: each field at most its length, printable text on one line.

    Reasons (`grunn`): `for_lang` (with `maks`) and `ugyldige_tegn` (control characters, line breaks).
    """
    return Saksreferanse(
        _field("saksnummer", saksnummer, MAX_SAKSNUMMER), _field("formaal", formaal, MAX_FORMAAL)
    )


def _field(name: str, value: str | None, maks: int) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if any(unicodedata.category(char).startswith("C") for char in text):
        raise UgyldigSaksreferanse(name, "ugyldige_tegn")
    if len(text) > maks:
        raise UgyldigSaksreferanse(name, "for_lang", maks)
    return text
