"""The register's `hendelser/*` routes: the event feed (JSON or Atom, with its ETag), the newest number, event documents."""

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from fiks_folkeregister.domain.atom import ATOM
from fiks_folkeregister.register.hendelser.service import Hendelser
from fiks_folkeregister.register.request_body import json_body

FEED_SUFFIX = "/hendelser/feed"


def wants_atom(accept: str | None) -> bool:
    """Whether the client asks for the Atom feed (and not for JSON first)."""
    if not accept:
        return False
    for item in accept.split(","):
        media, _, params = item.strip().partition(";")
        media = media.strip().lower()
        if "q=0" in params.replace(" ", "").split(";"):
            continue
        if media == ATOM:
            return True
        if media in ("application/json", "application/*", "*/*"):
            return False
    return False


def accepts_feed_format(request: Request) -> bool:
    """The feed is also served as Atom, so `Accept: application/atom+xml` is fine there (and only there)."""
    return request.url.path.endswith(FEED_SUFFIX) and wants_atom(request.headers.get("accept"))


def _json(content: Any) -> Response:
    return Response(orjson.dumps(content), 200, media_type="application/json")


def add_event_routes(router: APIRouter, hendelser: Hendelser, package: Any) -> None:
    """Add the routes to the register's router; `package` is its authenticating dependency type."""

    @router.get("/hendelser/feed", summary="Henter lagrede hendelser fra rettighetspakke.")
    def feed(request: Request, pakke: package, seq: str | None = None) -> Response:  # type: ignore[valid-type]
        url_for = None
        if wants_atom(request.headers.get("accept")):
            base = str(request.url.remove_query_params("seq"))
            separator = "&" if "?" in base else "?"
            url_for = lambda n: f"{base}{separator}seq={n}"  # noqa: E731
        page = hendelser.feed(seq, pakke, url_for)
        headers = {"ETag": page.etag, "Cache-Control": "no-cache"}
        inm = request.headers.get("if-none-match")
        if inm and page.etag in [tag.strip().removeprefix("W/") for tag in inm.split(",")]:
            return Response(status_code=304, headers=headers)
        return Response(page.body, 200, headers, media_type=page.media_type)

    @router.get("/hendelser/siste/sekvensnummer", summary="Henter siste persisterte sekvensnummer i feed")
    def siste(pakke: package) -> Response:  # type: ignore[valid-type]
        return _json(hendelser.siste(pakke))

    @router.post("/hendelser/bulkoppslag", summary="Henter et sett med hendelser.")
    async def bulk(request: Request, pakke: package) -> Response:  # type: ignore[valid-type]
        body = await json_body(request)
        return _json(await run_in_threadpool(hendelser.bulkoppslag, body, pakke))

    @router.get("/hendelser/{hendelsesidentifikator}", summary="Henter en hendelse.")
    def dokument(hendelsesidentifikator: str, pakke: package) -> Response:  # type: ignore[valid-type]
        return _json(hendelser.dokument(hendelsesidentifikator, pakke))


__all__ = ["accepts_feed_format", "add_event_routes", "wants_atom"]
