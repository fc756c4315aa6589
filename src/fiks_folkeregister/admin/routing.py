"""What the admin API and KS's Konfigurasjon API share: the route class that answers every error in the
platform's body, the documented error responses, and authentication by an administrator's API key."""

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Protocol
from uuid import uuid4

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from fiks_folkeregister.admin.base import Actor
from fiks_folkeregister.admin.errors import BODY_CODES, UGYLDIG_FORESPOERSEL, AdminError
from fiks_folkeregister.http.errors import platform_response
from fiks_folkeregister.http.json_body import read_json_body

log = logging.getLogger(__name__)


class AdminFeilmelding(BaseModel):
    """The platform's error body: KS's `ErrorMessage` (`fiks-common.json`), see docs/admin.md, "The admin REST API"."""

    timestamp: int
    status: int
    error: str
    errorId: str
    path: str
    message: str
    errorCode: str
    errorJson: dict[str, Any] | None


def error_response(request: Request, error: AdminError) -> Response:
    """The platform error; its `errorId` is also the `X-Request-Id` header and is in the server's log line,
    so the one id an administrator quotes finds the refusal."""
    error_id = str(uuid4())
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    log.info("admin request %s: %s %s %s", error_id, error.status, error.code, request.url.path)
    return platform_response(error, request.url.path, headers, error_id)


class AdminRoute(APIRoute):
    """Answers every error of the admin APIs in the platform's format, whatever app they are mounted in."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if self.body_field is not None:  # an operation taking a body also answers its reader's 415
            extra = self.openapi_extra or {}
            self.openapi_extra = {**extra, "responses": {**extra.get("responses", {}), **BODY_ERRORS}}

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        reads_body = self.body_field is not None

        async def route(request: Request) -> Response:
            try:
                if reads_body:  # the toolkit's reader first (415, 400); the model then validates the JSON
                    await read_json_body(request, BODY_CODES)
                return await handler(request)
            except AdminError as error:
                return error_response(request, error)
            except StarletteHTTPException as error:  # e.g. a body FastAPI could not parse at all
                unparsable = AdminError(
                    error.status_code,
                    UGYLDIG_FORESPOERSEL if error.status_code == 400 else "FEIL",
                    f"Invalid request: {error.detail}",
                )
                return error_response(request, unparsable)
            except RequestValidationError as error:
                problems = [
                    {"felt": ".".join(str(p) for p in problem["loc"]), "feil": problem["msg"]}
                    for problem in error.errors()
                ]
                message = "; ".join(f"{p['felt']}: {p['feil']}" for p in problems)
                invalid = AdminError(
                    400, UGYLDIG_FORESPOERSEL, f"Invalid request: {message}", {"feil": problems}
                )
                return error_response(request, invalid)

        return route


#: The error responses every admin route documents (OpenAPI), each in the platform's body.
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": AdminFeilmelding, "description": description}
    for status, description in (
        (400, "Invalid request (errorCode says what, errorJson the details)"),
        (401, "Missing or unknown API key"),
        (403, "Not allowed for this administrator"),
        (404, "Not found, or not this administrator's organisation"),
        (409, "Conflicts with what exists"),
    )
}


#: What an operation taking a body answers besides (`http/json_body.py`); the platform body, as above.
BODY_ERRORS: dict[str, dict[str, Any]] = {
    "415": {
        "description": "The body is not `application/json` (UGYLDIG_INNHOLDSTYPE)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminFeilmelding"}}},
    }
}


class KeyAuthenticator(Protocol):
    def authenticate(self, api_key: str) -> Actor | None: ...


def api_key_bearer() -> HTTPBearer:
    return HTTPBearer(
        auto_error=False,
        scheme_name="AdministratorApiKey",
        description="An administrator's API key (made by `fiks-folkeregister admin operator create` or "
        "`admin administrator create`).",
    )


def api_key_actor(service: KeyAuthenticator, credentials: HTTPAuthorizationCredentials | None) -> Actor:
    """The administrator an `Authorization: Bearer <API key>` names, or 401."""
    if credentials is None or not credentials.credentials.strip():
        raise AdminError(401, "MANGLER_AUTENTISERING", "Missing 'Authorization: Bearer <API key>'")
    actor = service.authenticate(credentials.credentials.strip())
    if actor is None:
        raise AdminError(401, "UGYLDIG_API_NOEKKEL", "The API key is unknown or deactivated")
    return actor


def api_key_dependency(service: KeyAuthenticator) -> Callable[..., Actor]:
    """A FastAPI dependency giving the API key's administrator (401 without a valid key)."""
    bearer = api_key_bearer()

    def authenticated(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Actor:
        return api_key_actor(service, credentials)

    return authenticated
