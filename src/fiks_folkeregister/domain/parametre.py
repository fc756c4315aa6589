"""Query parameters the register and the gateway read the same way: one pure reading, one refusal."""

from __future__ import annotations

from typing import Any

from fiks_folkeregister.domain.heltall import MAX_INT64, InvalidNumber, parse_whole_number


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


def whole_number(value: str | None, name: str, maximum: int = MAX_INT64) -> int | None:
    """A parameter holding a whole number from 0 to `maximum`, in ASCII digits only; None when absent.

    Read by `domain.heltall.parse_whole_number` (the one reading of request numbers), refused in the
    register's format.
    """
    if value is None or value == "":
        return None
    try:
        return parse_whole_number(value, name, maximum=maximum)
    except InvalidNumber as error:
        raise UgyldigParameter("UGYLDIG_PARAMETER", error.message, parameter=name) from None
