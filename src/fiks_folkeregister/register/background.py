"""A named daemon thread running one loop until stopped: the shape of the register's background work."""

from __future__ import annotations

import threading


class BackgroundLoop:
    """Start and stop a daemon thread that runs `_loop`; the loop waits on `_stop` so stopping is prompt."""

    thread_name = "background"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        raise NotImplementedError
