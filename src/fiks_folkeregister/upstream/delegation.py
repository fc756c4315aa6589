"""On whose behalf the current upstream call is made, without widening the port's signatures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: The organisation (9-digit number) whose role the current request uses; None outside a request.
_ON_BEHALF_OF: ContextVar[str | None] = ContextVar("fiksreg_upstream_on_behalf_of", default=None)


@contextmanager
def on_behalf_of(orgnr: str | None) -> Iterator[None]:
    """Upstream calls made inside run for ``orgnr`` (an HTTP adapter asks for a delegated token)."""
    reset = _ON_BEHALF_OF.set(orgnr)
    try:
        yield
    finally:
        _ON_BEHALF_OF.reset(reset)


def current_organisation() -> str | None:
    """The organisation set by the innermost ``on_behalf_of``, or None."""
    return _ON_BEHALF_OF.get()
