"""For tests of where the pipeline runs: note each call of a method and whether it ran on the event loop."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

import pytest


def on_event_loop() -> bool:
    """Whether this thread is running an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def watch(target: Any, name: str, calls: list[tuple[str, bool]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Note each call of ``target.name`` and whether it ran on a thread running an event loop."""
    original: Callable[..., Any] = getattr(target, name)

    @functools.wraps(original)
    def watched(*args: Any, **kwargs: Any) -> Any:
        calls.append((name, on_event_loop()))
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, watched)
