"""The register's errors: what went wrong, as the register reports it (FolkeregisterFeilmelding)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fiks_folkeregister.domain.parametre import UgyldigParameter

T = TypeVar("T")


class RegisterError(Exception):
    """An error the register answers with; carries everything the response body needs."""

    def __init__(
        self,
        http_status: int,
        feilkode: str,
        feilmelding: str,
        tilleggsinformasjon: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(feilmelding)
        self.http_status = http_status
        self.feilkode = feilkode
        self.feilmelding = feilmelding
        self.tilleggsinformasjon = tilleggsinformasjon
        #: Response headers the error needs (Allow on 405, Retry-After on 429).
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The body as the spec's `FolkeregisterFeilmelding`."""
        body: dict[str, Any] = {
            "feilkode": self.feilkode,
            "feilmelding": self.feilmelding,
            "httpStatus": self.http_status,
            "alvorlighetsgrad": "ERROR" if self.http_status >= 500 else "WARNING",
        }
        if self.tilleggsinformasjon:
            body["tilleggsinformasjon"] = self.tilleggsinformasjon
        return body


def bad_request(feilkode: str, feilmelding: str, **details: Any) -> RegisterError:
    return RegisterError(400, feilkode, feilmelding, details or None)


def not_found(feilkode: str, feilmelding: str) -> RegisterError:
    return RegisterError(404, feilkode, feilmelding)


def parsed(parse: Callable[[], T]) -> T:
    """Run one of the shared pure parsers; its refusal becomes the register's 400 (same body, same code)."""
    try:
        return parse()
    except UgyldigParameter as error:
        raise bad_request(error.feilkode, error.feilmelding, **error.tilleggsinformasjon) from None
