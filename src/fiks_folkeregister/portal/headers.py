"""The security headers every portal and login page carries."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.responses import Response


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(form_targets: Iterable[str] = ()) -> str:
    """No inline script or style, nothing from elsewhere, never framed. ``form_targets``: origins a form may
    lead to besides this one (the provider's end-session endpoint, which the logout form redirects to)."""
    form_action = " ".join(["'self'", *sorted(set(form_targets))])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )


def apply_page_headers(response: Response, csp: str) -> Response:
    """Pages show personal data, so none is stored by a browser or proxy, and no address leaks onwards."""
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
