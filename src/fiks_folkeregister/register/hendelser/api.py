"""The register's `hendelser/*` routes: the event feed (JSON or Atom, with its ETag), the newest number, event documents."""

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from fiks_folkeregister.domain.atom import ATOM
from fiks_folkeregister.http.errors import JSON
from fiks_folkeregister.http.etag import etag_matches
from fiks_folkeregister.http.json_body import read_json_body
from fiks_folkeregister.http.negotiation import negotiate
from fiks_folkeregister.register.errors import BODY_CODES
from fiks_folkeregister.register.hendelser.service import Hendelser

FEED_SUFFIX = "/hendelser/feed"


#: What the register serves: JSON everywhere, Atom also on the feed.
JSON_ONLY = (JSON,)
FEED_MEDIA_TYPES = (JSON, ATOM)


def offered_media_types(request: Request) -> tuple[str, ...]:
    """The media types served at the request's path (negotiated by `http.negotiation.negotiate`)."""
    return FEED_MEDIA_TYPES if request.url.path.endswith(FEED_SUFFIX) else JSON_ONLY


def _json(content: Any) -> Response:
    return Response(orjson.dumps(content), 200, media_type=JSON)


def add_event_routes(router: APIRouter, hendelser: Hendelser, package: Any) -> None:
    """Add the routes to the register's router; `package` is its authenticating dependency type."""

    @router.get("/hendelser/feed", summary="Henter lagrede hendelser fra rettighetspakke.")
    def feed(request: Request, pakke: package, seq: str | None = None) -> Response:  # type: ignore[valid-type]
        url_for = None
        if negotiate(request.headers.get("accept"), FEED_MEDIA_TYPES) == ATOM:
            base = str(request.url.remove_query_params("seq"))
            separator = "&" if "?" in base else "?"
            url_for = lambda n: f"{base}{separator}seq={n}"  # noqa: E731
        page = hendelser.feed(seq, pakke, url_for)
        headers = {"ETag": page.etag, "Cache-Control": "no-cache"}
        if etag_matches(request.headers.get("if-none-match"), page.etag):
            return Response(status_code=304, headers=headers)
        return Response(page.body, 200, headers, media_type=page.media_type)

    @router.get("/hendelser/siste/sekvensnummer", summary="Henter siste persisterte sekvensnummer i feed")
    def siste(pakke: package) -> Response:  # type: ignore[valid-type]
        return _json(hendelser.siste(pakke))

    @router.post("/hendelser/bulkoppslag", summary="Henter et sett med hendelser.")
    async def bulk(request: Request, pakke: package) -> Response:  # type: ignore[valid-type]
        body = await read_json_body(request, BODY_CODES)
        return _json(await run_in_threadpool(hendelser.bulkoppslag, body, pakke))

    @router.get("/hendelser/{hendelsesidentifikator}", summary="Henter en hendelse.")
    def dokument(hendelsesidentifikator: str, pakke: package) -> Response:  # type: ignore[valid-type]
        return _json(hendelser.dokument(hendelsesidentifikator, pakke))


__all__ = ["add_event_routes", "offered_media_types"]
