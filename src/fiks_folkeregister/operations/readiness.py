"""Readiness: may this process be sent requests? Its database, its audit writer and the register answer.

Liveness (`/health`) is only "the process answers"; a load balancer stops sending to a process that is not
ready (`/ready`, 503) and an orchestrator restarts one that is not alive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, text

OK = "ok"


def database_check(engine: Engine) -> Callable[[], str]:
    def check() -> str:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # what failed, not its message (it may name hosts and users)
            return f"unavailable ({type(error).__name__})"
        return OK

    return check


@dataclass(frozen=True)
class Readiness:
    """Named checks, each answering `ok` or what is wrong (never a secret, never personal data)."""

    checks: dict[str, Callable[[], str]]

    def report(self) -> tuple[bool, dict[str, str]]:
        results = {name: check() for name, check in self.checks.items()}
        return all(result == OK for result in results.values()), results
