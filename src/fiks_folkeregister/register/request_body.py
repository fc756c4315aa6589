"""Reading a JSON request body in the register's API: the content type checked, then the JSON parsed."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from fiks_folkeregister.register.errors import RegisterError
from fiks_folkeregister.register.service import parse_json_body


async def json_body(request: Request) -> Any:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise RegisterError(
            415,
            "IKKE_STOETTET_INNHOLD",
            f"Content-Type must be application/json, not '{content_type or 'missing'}'",
        )
    return parse_json_body(await request.body())
