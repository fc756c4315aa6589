"""HTTP endpoints of the embedded token issuer: token (JWT-bearer grant), JWKS and server metadata."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from fiks_folkeregister.identity.issuer import JWT_BEARER_GRANT_TYPE, OAuthError, TokenIssuer
from fiks_folkeregister.identity.keys import SIGNING_ALGORITHM

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
TOKEN_ROUTE = "maskinporten_token"
JWKS_ROUTE = "maskinporten_jwks"


def _oauth_error(error: OAuthError) -> JSONResponse:
    return JSONResponse(error.as_body(), status_code=error.status_code, headers=_NO_STORE)


async def _form(request: Request) -> dict[str, str]:
    """The form fields of an ``application/x-www-form-urlencoded`` body (a repeated field is an error)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "the body must be application/x-www-form-urlencoded")
    try:
        body = (await request.body()).decode("utf-8")
        fields = parse_qs(body, keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as error:
        raise OAuthError("invalid_request", "the form body could not be read") from error
    repeated = sorted(name for name, values in fields.items() if len(values) > 1)
    if repeated:
        raise OAuthError("invalid_request", f"parameter {repeated[0]!r} is repeated")
    return {name: values[0] for name, values in fields.items()}


def build_issuer_router(issuer: TokenIssuer) -> APIRouter:
    """The issuer's routes; mount under ``/maskinporten`` to get Maskinporten-like paths."""
    router = APIRouter(tags=["token issuer"])

    @router.post("/token", name=TOKEN_ROUTE, summary="Exchange a JWT-bearer grant for an access token")
    async def token(request: Request) -> JSONResponse:
        try:
            form = await _form(request)
            grant_type = form.get("grant_type")
            if not grant_type:
                raise OAuthError("invalid_request", "grant_type is missing")
            if grant_type != JWT_BEARER_GRANT_TYPE:
                raise OAuthError("unsupported_grant_type", f"only {JWT_BEARER_GRANT_TYPE} is supported")
            assertion = form.get("assertion")
            if not assertion:
                raise OAuthError("invalid_request", "assertion is missing")
            response = issuer.exchange(assertion)
        except OAuthError as error:
            return _oauth_error(error)
        return JSONResponse(response, headers=_NO_STORE)

    @router.get("/jwk", name=JWKS_ROUTE, summary="The public keys that verify access tokens")
    async def jwks() -> JSONResponse:
        return JSONResponse(issuer.jwks(), headers={"Cache-Control": "public, max-age=300"})

    @router.get(
        "/.well-known/oauth-authorization-server",
        summary="Authorization server metadata (RFC 8414)",
    )
    async def metadata(request: Request) -> dict[str, Any]:
        return {
            "issuer": issuer.issuer,
            "token_endpoint": str(request.url_for(TOKEN_ROUTE)),
            "jwks_uri": str(request.url_for(JWKS_ROUTE)),
            "grant_types_supported": [JWT_BEARER_GRANT_TYPE],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "response_types_supported": ["token"],
        }

    return router
