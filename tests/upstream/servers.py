"""Servers for tests over real sockets: uvicorn in a thread, or a `fiks-folkeregister` command."""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from fiks_folkeregister.settings import Settings

CLI = str(Path(sys.executable).with_name("fiks-folkeregister"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThreadedServer:
    """uvicorn serving an ASGI app on 127.0.0.1 in a background thread; can be stopped and started again."""

    def __init__(self, app: FastAPI, port: int | None = None) -> None:
        self.app = app
        self.port = port or free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the register did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=20)
            self._server = self._thread = None


class ServedProcess:
    """``fiks-folkeregister <command> --port P`` started in its own process, ``env`` added to ours.

    Its stderr goes to a file, not a pipe, so a chatty process never blocks on a full pipe and what it
    logged can be read (`log`). Starting does not wait: start several, then `wait_until_healthy` each.

    The process and its workers share the file's offset with us, so the file is opened for appending
    (every line lands at the end whatever the offset) and `log` reads with ``pread``, which never moves
    the offset: seeking back to read once let a worker's line overwrite the start of the log.
    """

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.command = command
        self.port = free_port()
        # Closed by `stop`, which `started_process` and `served_process` always call.
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        descriptor = self._errors.fileno()
        fcntl.fcntl(descriptor, fcntl.F_SETFL, fcntl.fcntl(descriptor, fcntl.F_GETFL) | os.O_APPEND)
        self._process = subprocess.Popen(
            [CLI, *command, "--port", str(self.port)],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=self._errors,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """What the process has written to stderr so far."""
        descriptor = self._errors.fileno()
        return os.pread(descriptor, os.fstat(descriptor).st_size, 0).decode(errors="replace")

    def log_when(self, done: Callable[[str], bool], timeout_seconds: float = 30) -> str:
        """The log once ``done`` holds of it (each worker writes its lines after answering, so a line may
        come a moment after its answer), or as it is at the deadline: the caller's assertions then say what
        is missing."""
        deadline = time.monotonic() + timeout_seconds
        log = self.log()
        while not done(log) and time.monotonic() < deadline:
            time.sleep(0.1)
            log = self.log()
        return log

    def wait_until_healthy(self, timeout_seconds: float = 60) -> None:
        deadline = time.monotonic() + timeout_seconds
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self._process.poll() is not None or time.monotonic() > deadline:
                log = self.log()
                self.stop()
                raise RuntimeError(f"`{' '.join(self.command)}` did not start: {log[-2000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._errors.close()


@contextmanager
def started_process(command: list[str], env: dict[str, str]) -> Iterator[ServedProcess]:
    """A `ServedProcess`, stopped on exit; not yet waited for."""
    process = ServedProcess(command, env)
    try:
        yield process
    finally:
        process.stop()


@contextmanager
def served_process(command: list[str], env: dict[str, str]) -> Iterator[str]:
    """``fiks-folkeregister <command> --port P`` in its own process, ``env`` added; yields its URL once healthy."""
    with started_process(command, env) as process:
        process.wait_until_healthy()
        yield process.url


def settings_environment(settings: Settings) -> dict[str, str]:
    """The ``FIKSREG_*`` variables that give a process the settings explicitly set on ``settings``."""
    environment = {}
    for name in settings.model_fields_set:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, bool):
            value = str(value).lower()
        environment[f"FIKSREG_{name.upper()}"] = str(value)
    return environment
