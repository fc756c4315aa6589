"""The register's `uttrekk/*` routes: order a tailored or complete extract, read a done job's batches."""

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from fiks_folkeregister.http.errors import JSON
from fiks_folkeregister.http.json_body import read_json_body
from fiks_folkeregister.register.errors import BODY_CODES, RegisterError
from fiks_folkeregister.register.uttrekk.service import Uttrekk


def _json(content: Any) -> Response:
    return Response(orjson.dumps(content), 200, media_type=JSON)


def _orgnr(request: Request) -> str:
    orgnr = getattr(request.state, "orgnr", None)
    if not orgnr:
        raise RegisterError(403, "MANGLER_TILGANG", "The access token names no organisation")
    return str(orgnr)


def add_extract_routes(router: APIRouter, uttrekk: Uttrekk, package: Any) -> None:
    """Add the routes to the register's router; `package` is its authenticating dependency type."""

    @router.post("/uttrekk/tilpasset", summary="Lager en async tilpasset uttrekksjobb")
    async def tilpasset(request: Request, pakke: package) -> Response:  # type: ignore[valid-type]
        body = await read_json_body(request, BODY_CODES)
        return _json(await run_in_threadpool(uttrekk.tilpasset, body, pakke, _orgnr(request)))

    @router.get("/uttrekk/komplett", summary="Lager en async uttrekksjobb for alle data i rettighetspakken")
    def komplett(request: Request, pakke: package, feedsekvensnr: str | None = None) -> Response:  # type: ignore[valid-type]
        return _json(uttrekk.komplett(feedsekvensnr, pakke, _orgnr(request)))

    @router.get("/uttrekk/{jobbid}/batch/{batchnr}", summary="Henter identifikatorer for angitt jobb")
    def batch(request: Request, jobbid: str, batchnr: str, pakke: package) -> Response:  # type: ignore[valid-type]
        return _json(uttrekk.batch(jobbid, batchnr, pakke, _orgnr(request)))


__all__ = ["add_extract_routes"]
