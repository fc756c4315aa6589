"""One error type for every app: an HTTP status, a machine code, a message, details and headers.

It renders two bodies. The platform's `ErrorMessage` (KS, `fiks-common.json`: `timestamp`, `status`,
`error`, `errorId`, `path`, `message`, `errorCode`, `errorJson`) is what the gateway, the admin API and the
pages answer with; the register's `FolkeregisterFeilmelding` (`feilkode`, `feilmelding`, `httpStatus`,
`alvorlighetsgrad`, `tilleggsinformasjon`) is what the register answers with. Which body a request gets
depends on where it is answered, not on the error, so the renderers are separate functions.

`errorJson`: KS publishes it as an optional string (no object), so an error without details answers
`null`, never `{}`; details are given as an object, as the platform's own documentation shows them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json"
#: The challenge a 401 carries unless the app gives its own (RFC 6750).
PLATFORM_CHALLENGE = 'Bearer realm="fiks-folkeregister"'
REGISTER_CHALLENGE = 'Bearer error="invalid_token"'


class HttpError(Exception):
    """A refusal or failure an app answers itself: HTTP status, machine code, message, details, headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details: Mapping[str, Any] = details or {}
        #: Response headers the error needs (Allow on 405, Retry-After on 429 and 503).
        self.headers: dict[str, str] = dict(headers or {})
        #: The code the audit record gets; a subclass may keep a more precise one there than it answers.
        self.audit_code = code


def platform_body(error: HttpError, path: str, error_id: str | None = None) -> dict[str, Any]:
    """The platform's `ErrorMessage`; `error_id` is the request's id when it has one (else a new one)."""
    return {
        "timestamp": int(time.time() * 1000),
        "status": error.status,
        "error": HTTPStatus(error.status).phrase,
        "errorId": error_id or str(uuid.uuid4()),
        "path": path,
        "message": error.message,
        "errorCode": error.code,
        "errorJson": dict(error.details) or None,
    }


def platform_response(
    error: HttpError, path: str, headers: Mapping[str, str] | None = None, error_id: str | None = None
) -> Response:
    """The error as a platform answer. Its `errorId` is always the `X-Request-Id` header too, so the one
    id a caller quotes finds the request (and its audit record or log line)."""
    all_headers = {**error.headers, **(headers or {})}
    if error.status == 401:
        all_headers.setdefault("WWW-Authenticate", PLATFORM_CHALLENGE)
    body = platform_body(error, path, error_id)
    all_headers.setdefault("X-Request-Id", body["errorId"])
    return Response(orjson.dumps(body), error.status, all_headers, media_type=JSON)


def register_body(error: HttpError) -> dict[str, Any]:
    """The register's `FolkeregisterFeilmelding` (`tilleggsinformasjon` only when there are details)."""
    body: dict[str, Any] = {
        "feilkode": error.code,
        "feilmelding": error.message,
        "httpStatus": error.status,
        "alvorlighetsgrad": "ERROR" if error.status >= 500 else "WARNING",
    }
    if error.details:
        body["tilleggsinformasjon"] = dict(error.details)
    return body


def register_response(error: HttpError) -> Response:
    """The error as the register answers it."""
    headers = dict(error.headers)
    if error.status == 401:
        headers.setdefault("WWW-Authenticate", REGISTER_CHALLENGE)
    return Response(orjson.dumps(register_body(error)), error.status, headers, media_type=JSON)
