"""The gateway's own errors in the platform's error body (DOMAIN.md §2), each with a machine code."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson
from starlette.responses import Response

# Failures on the way to the register (502/503/504/429), defined where they are detected.
from fiks_folkeregister.upstream.resilience import (  # noqa: F401
    MASKINPORTEN_AVVISTE,
    MASKINPORTEN_UTILGJENGELIG,
    REGISTERET_AVVISTE_PLATTFORMEN,
    REGISTERET_FEILET,
    REGISTERET_STRUPER,
    REGISTERET_SVARER_IKKE,
    REGISTERET_UTILGJENGELIG,
)

JSON = "application/json"


class GatewayError(Exception):
    """A refusal or failure the gateway answers itself: HTTP status, machine code, message, details."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details: Mapping[str, Any] = details or {}
        self.headers: Mapping[str, str] = headers or {}
        #: The code the audit record gets; a subclass may keep a more precise one there than it answers.
        self.audit_code = code


def platform_body(error: GatewayError, path: str, error_id: str | None = None) -> dict[str, Any]:
    """`{timestamp, status, error, errorId, path, message, errorCode, errorJson}` as the platform answers."""
    return {
        "timestamp": int(time.time() * 1000),
        "status": error.status,
        "error": HTTPStatus(error.status).phrase,
        "errorId": error_id or str(uuid.uuid4()),
        "path": path,
        "message": error.message,
        "errorCode": error.code,
        "errorJson": dict(error.details),
    }


def platform_response(
    error: GatewayError, path: str, headers: Mapping[str, str] | None = None, error_id: str | None = None
) -> Response:
    """The error as a response; `error_id` is the request's id (the audit record's), so it can be quoted.
    The `errorId` is always the `X-Request-Id` header too."""
    all_headers = {**error.headers, **(headers or {})}
    if error.status == 401:
        all_headers.setdefault("WWW-Authenticate", 'Bearer realm="fiks-folkeregister"')
    body = platform_body(error, path, error_id)
    all_headers.setdefault("X-Request-Id", body["errorId"])
    return Response(orjson.dumps(body), error.status, all_headers, media_type=JSON)


# The gateway's machine codes, each with its status. Authentication failures are 401, authorisation 403,
# malformed input 400; the audit log being unavailable is 503 (no personal data leaves without a record).
UGYLDIG_TOKEN = "UGYLDIG_TOKEN"
MANGLER_SCOPE = "MANGLER_SCOPE"
TOKENNOEKLER_UTILGJENGELIG = "TOKENNOEKLER_UTILGJENGELIG"
UGYLDIG_INTEGRASJON = "UGYLDIG_INTEGRASJON"
# Every authentication failure answers AUTENTISERING_FEILET; the audit record keeps the reason:
# UGYLDIG_TOKEN, UGYLDIG_INTEGRASJON (headers missing or malformed), UKJENT_INTEGRASJON,
# FEIL_ORGANISASJON (a token of an organisation not authorised to operate the integration), FEIL_PASSORD.
AUTENTISERING_FEILET = "AUTENTISERING_FEILET"
UKJENT_INTEGRASJON = "UKJENT_INTEGRASJON"
FEIL_PASSORD = "FEIL_PASSORD"
FOR_MANGE_FEILFORSOEK = "FOR_MANGE_FEILFORSOEK"
BEGRENSNING_UTILGJENGELIG = "BEGRENSNING_UTILGJENGELIG"
UGYLDIG_ROLLEID = "UGYLDIG_ROLLEID"
FEIL_ORGANISASJON = "FEIL_ORGANISASJON"
UKJENT_ROLLE = "UKJENT_ROLLE"
ROLLE_IKKE_TILDELT = "ROLLE_IKKE_TILDELT"
ROLLE_IKKE_GYLDIG_FOR_API = "ROLLE_IKKE_GYLDIG_FOR_API"  # a role without gyldighet `api` (e.g. portal only)
UGYLDIG_PARAMETER = "UGYLDIG_PARAMETER"
UKJENT_RESSURS = "UKJENT_RESSURS"
METODE_IKKE_TILLATT = "METODE_IKKE_TILLATT"
IKKE_STOETTET_FORMAT = "IKKE_STOETTET_FORMAT"
IKKE_TILBUDT = "IKKE_TILBUDT"
REVISJONSLOGG_UTILGJENGELIG = "REVISJONSLOGG_UTILGJENGELIG"
INTERN_FEIL = "INTERN_FEIL"
