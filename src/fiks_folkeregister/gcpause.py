"""Pausing the cyclic garbage collector while thousands of parsed documents are alive at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block; whoever found it enabled turns it back on.

    Person documents are trees of dicts and lists freed by reference counting, never cycles; with
    thousands of them alive (a simulator batch, an Oppvekst request's 2000 children) the collector would
    walk them all again and again as they pile up (measured: more than half of the simulator's time, a
    third of an Oppvekst request's). Threads may pause and resume around each other: the one that found
    it enabled enables it again, so it always ends enabled.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
