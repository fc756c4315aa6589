"""The register's errors: its machine codes and shorthands; they answer as `FolkeregisterFeilmelding`
(`http/errors.register_body`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fiks_folkeregister.domain.parametre import UgyldigParameter
from fiks_folkeregister.http.errors import HttpError
from fiks_folkeregister.http.json_body import BodyCodes

T = TypeVar("T")

#: The register raises the toolkit's error (`http/errors.py`) and answers it in its own body.
RegisterError = HttpError

#: How the register refuses a request body it cannot read (`http/json_body.py`).
BODY_CODES = BodyCodes(
    not_json="IKKE_STOETTET_INNHOLD", empty="UGYLDIG_FORESPOERSEL", malformed="UGYLDIG_JSON"
)


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
