"""The one error type and its two bodies: the platform's ErrorMessage and the register's FolkeregisterFeilmelding."""

from __future__ import annotations

import uuid

import orjson

from fiks_folkeregister.http.errors import (
    PLATFORM_CHALLENGE,
    REGISTER_CHALLENGE,
    HttpError,
    platform_body,
    platform_response,
    register_body,
    register_response,
)

PLATFORM_FIELDS = {"timestamp", "status", "error", "errorId", "path", "message", "errorCode", "errorJson"}


def test_the_platform_body_has_every_field_of_the_platform_error() -> None:
    error = HttpError(403, "ROLLE_IKKE_TILDELT", "The role is not granted", {"rolleId": "r"})

    body = platform_body(error, "/folkeregister/api/v1/x", "id-1")

    assert set(body) == PLATFORM_FIELDS
    assert (body["status"], body["error"], body["errorId"], body["path"]) == (
        403,
        "Forbidden",
        "id-1",
        "/folkeregister/api/v1/x",
    )
    assert (body["message"], body["errorCode"], body["errorJson"]) == (
        "The role is not granted",
        "ROLLE_IKKE_TILDELT",
        {"rolleId": "r"},
    )
    assert isinstance(body["timestamp"], int) and body["timestamp"] > 1_700_000_000_000


def test_an_error_without_details_has_a_null_error_json_never_an_empty_object() -> None:
    # KS's ErrorMessage declares errorJson as an optional string: `{}` is never valid, null is "none".
    for details in (None, {}):
        assert platform_body(HttpError(400, "X", "x", details), "/p")["errorJson"] is None


def test_without_a_request_id_each_error_gets_its_own_uuid() -> None:
    error = HttpError(404, "UKJENT_RESSURS", "No such resource")

    first, second = platform_body(error, "/p")["errorId"], platform_body(error, "/p")["errorId"]

    assert first != second and uuid.UUID(first) and uuid.UUID(second)


def test_the_platform_response_carries_status_headers_and_the_error_id_as_request_id() -> None:
    error = HttpError(405, "METODE_IKKE_TILLATT", "Use GET", headers={"Allow": "GET, HEAD"})

    response = platform_response(error, "/p", {"Cache-Control": "no-store"}, error_id="req-7")
    body = orjson.loads(response.body)

    assert response.status_code == 405 and response.media_type == "application/json"
    assert response.headers["Allow"] == "GET, HEAD" and response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-Id"] == body["errorId"] == "req-7"
    assert "WWW-Authenticate" not in response.headers


def test_a_401_carries_a_bearer_challenge_unless_the_app_gives_its_own() -> None:
    refused = HttpError(401, "AUTENTISERING_FEILET", "Authentication failed")

    assert platform_response(refused, "/p").headers["WWW-Authenticate"] == PLATFORM_CHALLENGE
    own = platform_response(refused, "/p", {"WWW-Authenticate": "Bearer"})
    assert own.headers["WWW-Authenticate"] == "Bearer"
    assert register_response(refused).headers["WWW-Authenticate"] == REGISTER_CHALLENGE


def test_the_register_body_is_folkeregister_feilmelding() -> None:
    warning = register_body(HttpError(400, "UGYLDIG_PARAMETER", "seq must be a number", {"parameter": "seq"}))
    failure = register_body(HttpError(503, "UTILGJENGELIG", "Try again"))

    assert warning == {
        "feilkode": "UGYLDIG_PARAMETER",
        "feilmelding": "seq must be a number",
        "httpStatus": 400,
        "alvorlighetsgrad": "WARNING",
        "tilleggsinformasjon": {"parameter": "seq"},
    }
    assert failure == {
        "feilkode": "UTILGJENGELIG",
        "feilmelding": "Try again",
        "httpStatus": 503,
        "alvorlighetsgrad": "ERROR",
    }


def test_the_register_response_keeps_the_errors_headers() -> None:
    response = register_response(HttpError(429, "FOR_MANGE", "Slow down", headers={"Retry-After": "3"}))

    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert orjson.loads(response.body)["feilkode"] == "FOR_MANGE"


def test_the_audit_code_is_the_answered_code_unless_set_apart() -> None:
    error = HttpError(401, "AUTENTISERING_FEILET", "Authentication failed")
    assert error.audit_code == "AUTENTISERING_FEILET"
    error.audit_code = "FEIL_PASSORD"
    assert platform_body(error, "/p")["errorCode"] == "AUTENTISERING_FEILET"
