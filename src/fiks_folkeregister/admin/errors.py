"""The admin API's errors and the platform error body they answer with (DOMAIN.md §2)."""

from __future__ import annotations

import time
import uuid
from http import HTTPStatus
from typing import Any


class AdminError(Exception):
    """A refused admin operation: HTTP status, machine code, human message and optional details."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def platform_error_body(
    status: int, error_code: str, message: str, path: str, error_json: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`{timestamp, status, error, errorId, path, message, errorCode, errorJson}` as the platform answers."""
    return {
        "timestamp": int(time.time() * 1000),
        "status": status,
        "error": HTTPStatus(status).phrase,
        "errorId": str(uuid.uuid4()),
        "path": path,
        "message": message,
        "errorCode": error_code,
        "errorJson": error_json,
    }


def bad_request(code: str, message: str, **details: Any) -> AdminError:
    return AdminError(400, code, message, details or None)


def not_found(code: str, message: str, **details: Any) -> AdminError:
    return AdminError(404, code, message, details or None)


def conflict(code: str, message: str, **details: Any) -> AdminError:
    return AdminError(409, code, message, details or None)


def forbidden(code: str, message: str) -> AdminError:
    return AdminError(403, code, message)
