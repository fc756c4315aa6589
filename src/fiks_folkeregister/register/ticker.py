"""Life goes on in a served register: a background thread writing simulated events at a steady rate."""

from __future__ import annotations

import logging
import random
import time
from datetime import date

from fiks_folkeregister.register.background import BackgroundLoop
from fiks_folkeregister.register.hendelser.log import EventLog
from fiks_folkeregister.register.simulator import Simulator

log = logging.getLogger(__name__)


class SimulatorTicker(BackgroundLoop):
    """Writes about `events_per_second` events a second, in small batches, until stopped."""

    thread_name = "simulator-ticker"

    def __init__(self, events: EventLog, events_per_second: float, day: date | None = None) -> None:
        self._events = events
        self._rate = events_per_second
        self._day = day
        super().__init__()

    def _loop(self) -> None:
        simulator = Simulator(random.SystemRandom().randrange(2**31), self._day or date.today())
        batch = max(1, min(500, int(self._rate)))
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                written = self._events.simulate(simulator, batch, batch_events=batch)
            except Exception:
                log.exception("the simulator ticker failed; retrying")
                written = batch
            self._stop.wait(max(0.0, written / self._rate - (time.monotonic() - started)))
