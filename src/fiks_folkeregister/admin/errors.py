"""The admin API's errors: shorthands for its refusals; they answer in the platform's body
(`http/errors.platform_response`)."""

from __future__ import annotations

from typing import Any

from fiks_folkeregister.http.errors import HttpError
from fiks_folkeregister.http.json_body import BodyCodes

#: The admin API raises the toolkit's error (`http/errors.py`) and answers it in the platform's body.
AdminError = HttpError

UGYLDIG_FORESPOERSEL = "UGYLDIG_FORESPOERSEL"
#: How the admin API refuses a request body it cannot read (`http/json_body.py`).
BODY_CODES = BodyCodes(
    not_json="UGYLDIG_INNHOLDSTYPE", empty=UGYLDIG_FORESPOERSEL, malformed=UGYLDIG_FORESPOERSEL
)


def bad_request(code: str, message: str, **details: Any) -> AdminError:
    return AdminError(400, code, message, details)


def not_found(code: str, message: str, **details: Any) -> AdminError:
    return AdminError(404, code, message, details)


def conflict(code: str, message: str, **details: Any) -> AdminError:
    return AdminError(409, code, message, details)


def forbidden(code: str, message: str) -> AdminError:
    return AdminError(403, code, message)
