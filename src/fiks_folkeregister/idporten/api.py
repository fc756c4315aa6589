"""The ID-porten stand-in's HTTP endpoints, mounted at ``/idporten``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fiks_folkeregister.idporten.provider import (
    LOA_HIGH,
    LOA_LOW,
    LOA_SUBSTANTIAL,
    AuthorizationError,
    AuthorizationRequest,
    IdPortenStandIn,
    TokenError,
    login_problem,
)

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
LEVEL_CHOICES = (
    (LOA_SUBSTANTIAL, "Substantial (idporten-loa-substantial)"),
    (LOA_HIGH, "High (idporten-loa-high)"),
    (LOA_LOW, "Low (idporten-loa-low, not accepted by the search)"),
)

Render = Callable[..., Response]


def _redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers=_NO_STORE)


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """client_secret_basic (the Authorization header) or client_secret_post (the form)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id"), form.get("client_secret")


def build_idporten_router(provider: IdPortenStandIn, render: Render) -> APIRouter:
    """Routes of the stand-in; ``render(request, template, context, status_code=…)`` makes its login page."""
    router = APIRouter(tags=["ID-porten stand-in"], include_in_schema=False)

    def error_to_client(
        request: AuthorizationRequest | None, params: dict[str, str], error: str, text: str
    ) -> Response:
        query = {"error": error, "error_description": text, "iss": provider.issuer}
        if params.get("state"):
            query["state"] = params["state"]
        target = request.redirect_uri if request is not None else params["redirect_uri"]
        return _redirect(f"{target}?{urlencode(query)}")

    def login_page(request: Request, authorization: AuthorizationRequest, **values: Any) -> Response:
        context = {
            "fields": authorization.as_form(),
            "levels": LEVEL_CHOICES,
            "chosen_level": values.pop("level", LOA_SUBSTANTIAL),
            "number": values.pop("number", ""),
            "problem": values.pop("problem", None),
            "problem_values": values,
        }
        return render(
            request, "idporten_innlogging.html", context, status_code=400 if context["problem"] else 200
        )

    def refusal_page(request: Request, error: AuthorizationError) -> Response:
        return render(request, "idporten_feil.html", {"description": error.description}, status_code=400)

    @router.get("/.well-known/openid-configuration")
    async def discovery() -> JSONResponse:
        return JSONResponse(provider.discovery(), headers={"Cache-Control": "public, max-age=300"})

    @router.get("/jwk")
    async def jwks() -> JSONResponse:
        return JSONResponse(provider.jwks(), headers={"Cache-Control": "public, max-age=300"})

    @router.get("/authorize")
    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        try:
            authorization = provider.check_authorization(params)
        except AuthorizationError as error:
            if error.redirectable:
                return error_to_client(None, params, error.error, error.description)
            return refusal_page(request, error)
        return login_page(request, authorization)

    @router.post("/authorize")
    async def log_in(request: Request) -> Response:
        form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
        try:
            authorization = provider.check_authorization(form)
        except AuthorizationError as error:
            if error.redirectable:
                return error_to_client(None, form, error.error, error.description)
            return refusal_page(request, error)
        if "avbryt" in form:
            return error_to_client(authorization, form, "access_denied", "the user cancelled the login")
        number = form.get("foedselsnummer", "")
        level = form.get("sikkerhetsnivaa", LOA_SUBSTANTIAL)
        if level not in dict(LEVEL_CHOICES):
            level = LOA_SUBSTANTIAL
        problem = login_problem(number)
        if problem is not None:
            compact = "".join(number.split())
            return login_page(
                request, authorization, number=number, level=level, problem=problem, count=len(compact)
            )
        code = await run_in_threadpool(provider.issue_code, authorization, "".join(number.split()), level)
        query = {"code": code, "state": authorization.state, "iss": provider.issuer}
        return _redirect(f"{authorization.redirect_uri}?{urlencode(query)}")

    @router.post("/token")
    async def token(request: Request) -> JSONResponse:
        form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
        try:
            provider.authenticate_client(*_client_credentials(request, form))
            answer = await run_in_threadpool(provider.exchange, form)  # the database and signing
        except TokenError as error:
            headers = dict(_NO_STORE)
            if error.status_code == 401:
                headers["WWW-Authenticate"] = 'Basic realm="idporten"'
            return JSONResponse(error.as_body(), status_code=error.status_code, headers=headers)
        return JSONResponse(answer, headers=_NO_STORE)

    @router.get("/endsession")
    async def end_session(request: Request) -> Response:
        target = provider.check_end_session(dict(request.query_params))
        if target is None:
            return render(request, "idporten_utlogget.html", {}, status_code=200)
        return _redirect(target)

    return router
