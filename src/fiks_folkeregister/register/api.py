"""The register's HTTP API under `/folkeregisteret/{rettighetspakke}/api/v1/`, as the national register serves it."""

import re
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.http.errors import register_response
from fiks_folkeregister.http.json_body import read_json_body
from fiks_folkeregister.http.negotiation import negotiate
from fiks_folkeregister.identity.tokens import AccessToken, AccessTokenValidator, InvalidTokenError
from fiks_folkeregister.register.errors import BODY_CODES, RegisterError
from fiks_folkeregister.register.hendelser.api import add_event_routes, offered_media_types
from fiks_folkeregister.register.service import RegisterService
from fiks_folkeregister.register.uttrekk.api import add_extract_routes

PREFIX = "/folkeregisteret"
PartQuery = Annotated[
    list[str] | None,
    Query(description="Information elements or aliases to return (repeatable); default person-basis."),
]


class JsonBytes(Response):
    """A JSON response whose body is already serialised (orjson), so nothing is encoded twice."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)


def allowed_methods(routes: Any, path: str) -> list[str]:
    """The methods served at `path` by the most specific routes matching it (a literal path segment wins
    over a path parameter: `personer/bulkoppslag` is never a `personidentifikator`)."""
    matching = [r for r in routes if isinstance(r, APIRoute) and r.path_regex.match(path)]
    if not matching:
        return []
    fewest = min(len(r.param_convertors) for r in matching)
    methods = {m for r in matching if len(r.param_convertors) == fewest for m in r.methods}
    return [m for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE") if m in methods]


def method_not_allowed(request: Request, allowed: list[str]) -> RegisterError:
    return RegisterError(
        405,
        "METODE_IKKE_TILLATT",
        f"{request.method} is not supported here; use {', '.join(allowed)}",
        headers={"Allow": ", ".join(allowed)},
    )


def _one_pattern(routes: Any) -> re.Pattern[str]:
    """One regular expression matching any of the routes' paths."""
    patterns = [re.sub(r"\(\?P<\w+>", "(?:", r.path_regex.pattern) for r in routes if isinstance(r, APIRoute)]
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


class _NoRoute:
    """Any method on any path under the API that no route serves: 405 with `Allow`, else 404 (an ASGI
    app, so it takes every method, and Starlette's own 405 with the first partial match's Allow never
    answers)."""

    def __init__(self, routes: list[Any]) -> None:
        self._routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        allowed = allowed_methods(self._routes, request.url.path)
        if allowed:
            raise method_not_allowed(request, allowed)
        raise RegisterError(404, "UKJENT_RESSURS", "No such resource in the register's API")


NOT_OFFERED = "IKKE_TILBUDT"


def rights_package(rettighetspakke: str) -> Rettighetspakke:
    try:
        return Rettighetspakke(rettighetspakke)
    except ValueError:
        raise RegisterError(
            404,
            "UKJENT_RETTIGHETSPAKKE",
            f"Unknown rights package '{rettighetspakke}'; use one of {', '.join(p.value for p in Rettighetspakke)}",
        ) from None


def build_register_router(service: RegisterService, validator: AccessTokenValidator) -> APIRouter:
    """Routes of one register; authentication as the national register does it (Bearer token, scope per package)."""

    async def authenticated_package(request: Request, rettighetspakke: str) -> Rettighetspakke:
        package = rights_package(rettighetspakke)
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise RegisterError(401, "MANGLER_AUTENTISERING", "Missing Bearer access token in Authorization")
        try:
            access: AccessToken = validator.validate(token.strip())
        except InvalidTokenError as error:
            raise RegisterError(
                401, "UGYLDIG_TOKEN", f"The access token was refused: {error.reason}"
            ) from None
        if package.scope not in access.scopes:
            raise RegisterError(
                403,
                "MANGLER_TILGANG",
                f"The access token lacks the scope {package.scope} needed for {package.value}",
            )
        request.state.orgnr = access.orgnr  # who orders extract jobs (jobs belong to the organisation)
        return package

    async def authorised_package(
        request: Request, package: Annotated[Rettighetspakke, Depends(authenticated_package)]
    ) -> Rettighetspakke:
        if negotiate(request.headers.get("accept"), offered_media_types(request)) is None:
            raise RegisterError(
                406,
                "IKKE_STOETTET_FORMAT",
                "Unsupported Accept header; this register serves application/json",
            )
        return package

    literal_paths: list[re.Pattern[str]] = []  # made on first use: one pattern for every literal path

    async def most_specific_route(request: Request) -> None:
        """A path parameter never takes a literal path: GET `personer/bulkoppslag` is 405, not a lookup."""
        route = request.scope.get("route")
        if isinstance(route, APIRoute) and len(route.param_convertors) <= 1:
            return  # only {rettighetspakke}: a literal path already
        if not literal_paths:
            literal_paths.append(_one_pattern(r for r in router.routes if len(r.param_convertors) <= 1))
        if not literal_paths[0].match(request.url.path):
            return  # the lookups' path (one regular expression, not one per route: the hot path)
        allowed = allowed_methods(router.routes, request.url.path)
        if request.method not in allowed:
            raise method_not_allowed(request, allowed)

    Package = Annotated[Rettighetspakke, Depends(authorised_package)]
    Authenticated = Annotated[Rettighetspakke, Depends(authenticated_package)]
    router = APIRouter(
        prefix=PREFIX + "/{rettighetspakke}/api/v1",
        tags=["register"],
        dependencies=[Depends(most_specific_route)],
    )

    def not_offered(schema: str) -> Any:
        async def xsd(package: Authenticated) -> Response:
            raise RegisterError(
                501,
                NOT_OFFERED,
                f"The XML schema ({schema}) is not offered: this register serves JSON only",
            )

        return xsd

    # The schema paths come before the paths they would otherwise be taken for (an id "xsd").
    for path, schema in (
        ("/personer/xsd", "person"),
        ("/hendelser/xsd", "hendelse"),
        ("/hendelser/feedxsd", "feed"),
    ):
        router.add_api_route(
            path, not_offered(schema), methods=["GET"], summary=f"Hent XSD for {schema} (ikke tilbudt)"
        )

    # Registered before personer/{personidentifikator}, which would otherwise take "soek" for an id.
    @router.get("/personer/soek", summary="Finner fnr/dnr til personer som oppfyller søkekriteriene")
    def personsoek(request: Request, package: Package) -> JsonBytes:
        return JsonBytes(orjson.dumps(service.soek(_query_lists(request), package)))

    @router.get(
        "/personer/entydigsoek",
        summary="Henter oppdaterte data om en person basert på entydig identifiserende opplysninger.",
    )
    def entydig_soek(request: Request, package: Package, part: PartQuery = None) -> JsonBytes:
        criteria = {name: values for name, values in _query_lists(request).items() if name != "part"}
        return JsonBytes(orjson.dumps(service.entydigsoek(criteria, package, part)))

    @router.get("/personer/{personidentifikator}", summary="Henter oppdaterte data om en person.")
    # Single lookups run on the event loop: one indexed read (~50 µs on SQLite) costs less than the hop to
    # a worker thread, which measured +40 % requests/s and a third of the p99 (bench/register_lookup.py).
    # Bulk lookups, which read up to 1000 documents, go to a worker thread.
    async def hent_person(personidentifikator: str, package: Package, part: PartQuery = None) -> JsonBytes:
        return JsonBytes(orjson.dumps(service.person(personidentifikator, package, part)))

    @router.post("/personer/bulkoppslag", summary="Henter persondata for et sett med personer.")
    async def hent_personer(
        request: Request, package: Package, part: PartQuery = None, somBestilt: bool = False
    ) -> JsonBytes:
        body = await read_json_body(request, BODY_CODES)
        return JsonBytes(await run_in_threadpool(service.bulkoppslag_json, body, package, part, somBestilt))

    @router.get("/personer/arkiv/{dokumentidentifikator}", summary="Henter en arkivert versjon av en person.")
    async def hent_arkivperson(
        dokumentidentifikator: str, package: Package, part: PartQuery = None
    ) -> JsonBytes:
        return JsonBytes(orjson.dumps(service.arkivperson(dokumentidentifikator, package, part)))

    @router.post(
        "/personer/bulkoppslag/arkiv", summary="Henter arkiverte versjoner for et sett med dokumenter."
    )
    async def hent_arkivpersoner(request: Request, package: Package, part: PartQuery = None) -> JsonBytes:
        body = await read_json_body(request, BODY_CODES)
        result = await run_in_threadpool(service.bulkoppslag_arkiv, body, package, part)
        return JsonBytes(orjson.dumps(result))

    add_event_routes(router, service.hendelser, Package)
    add_extract_routes(router, service.uttrekk, Package)
    # (A plain route gets no prefix from the router: its path is written in full.)
    router.add_route(router.prefix + "/{rest:path}", _NoRoute(router.routes), include_in_schema=False)
    return router


def _query_lists(request: Request) -> dict[str, list[str]]:
    """The query string as parameter name → every value given, in order."""
    lists: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        lists.setdefault(name, []).append(value)
    return lists


def install_error_handlers(app: FastAPI) -> None:
    """Every error under /folkeregisteret answers in the register's own format."""

    @app.exception_handler(RegisterError)
    async def register_error(_request: Request, error: RegisterError) -> Response:
        return register_response(error)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}" for problem in error.errors()
        )
        return register_response(RegisterError(400, "UGYLDIG_PARAMETER", f"Invalid parameter: {problems}"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith(PREFIX):
            code = {404: "UKJENT_RESSURS", 405: "METODE_IKKE_TILLATT"}.get(error.status_code, "FEIL")
            headers = dict(error.headers or {})  # Allow on 405
            return register_response(
                RegisterError(error.status_code, code, str(error.detail), headers=headers)
            )
        return JsonBytes(orjson.dumps({"detail": error.detail}), status_code=error.status_code)
