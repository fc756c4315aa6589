"""Prometheus metrics: requests and latency per resource and outcome, the register's latency and errors, the
audit writer's batches, the circuit breaker, request-limit refusals.

Correct with several worker processes: when ``PROMETHEUS_MULTIPROC_DIR`` is set (before the process starts;
`serve --workers N` sets a fresh one), every process writes its values to files there and `/metrics`
adds them up, so whichever worker answers the scrape reports the whole server. Labels are only resource
names, outcomes, statuses and codes: never a path, an identity number or anything a caller chose.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from fiks_folkeregister.upstream.port import UpstreamError
from fiks_folkeregister.upstream.resilience import BreakerState, UpstreamUnavailableError

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: A breaker's state as a number: the largest over the live processes is the worst.
BREAKER_STATES = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}
_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def outcome(status: int) -> str:
    """The audit log's words for an answer: `ok`, `avvist` (the caller's doing, 4xx), `feil` (5xx)."""
    if status < 400:
        return "ok"
    return "avvist" if status < 500 else "feil"


class Metrics:
    """The gateway's metrics, in a registry of their own (so several apps in one process never clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "fiksreg_requests", "Requests answered, per resource, outcome and status.",
            ["resource", "outcome", "status"], registry=r,
        )  # fmt: skip
        self.request_seconds = Histogram(
            "fiksreg_request_duration_seconds", "Time to answer a request, per resource and outcome.",
            ["resource", "outcome"], buckets=_SECONDS, registry=r,
        )  # fmt: skip
        self.upstream_seconds = Histogram(
            "fiksreg_upstream_duration_seconds", "Time the register took per call, per operation and outcome.",
            ["operation", "outcome"], buckets=_SECONDS, registry=r,
        )  # fmt: skip
        self.upstream_errors = Counter(
            "fiksreg_upstream_errors", "Register calls that failed, per operation and error code or status.",
            ["operation", "error"], registry=r,
        )  # fmt: skip
        self.breaker_state = Gauge(
            "fiksreg_upstream_circuit_breaker_state",
            "The register's circuit breaker after the last call: 0 closed, 1 half-open, 2 open "
            "(the worst of the live processes).",
            multiprocess_mode="livemax", registry=r,
        )  # fmt: skip
        self.audit_batch_records = Histogram(
            "fiksreg_audit_batch_records", "Records per audit-log transaction (group commit).",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500), registry=r,
        )  # fmt: skip
        self.audit_commit_seconds = Histogram(
            "fiksreg_audit_commit_duration_seconds", "Time to write and commit one audit-log batch.",
            buckets=_SECONDS, registry=r,
        )  # fmt: skip
        self.audit_failures = Counter(
            "fiksreg_audit_batch_failures", "Audit-log batches that could not be committed.", registry=r
        )
        self.rate_limit_refusals = Counter(
            "fiksreg_rate_limit_refusals", "Requests refused with 429 by a request limit, per limit.",
            ["limit"], registry=r,
        )  # fmt: skip

    def request(self, resource: str, status: int, seconds: float) -> None:
        result = outcome(status)
        self.requests.labels(resource, result, str(status)).inc()
        self.request_seconds.labels(resource, result).observe(seconds)

    def audit_batch(self, records: int, seconds: float, failed: bool) -> None:
        if failed:
            self.audit_failures.inc()
            return
        self.audit_batch_records.observe(records)
        self.audit_commit_seconds.observe(seconds)

    def refused(self, limit: str) -> None:
        self.rate_limit_refusals.labels(limit).inc()

    def exposition(self) -> bytes:
        """The text format of every metric: of all processes sharing the multiprocess directory, if set."""
        if os.environ.get(MULTIPROCESS_DIR):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)


class MeasuredUpstream:
    """Any upstream (`upstream.port.Upstream`), each call timed and its failures counted by operation."""

    def __init__(self, upstream: Any, metrics: Metrics) -> None:
        self._upstream = upstream
        self._metrics = metrics
        self._breaker = getattr(upstream, "breaker", None)
        if self._breaker is not None:
            metrics.breaker_state.set(BREAKER_STATES[self._breaker.state])

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._upstream, name)
        if not callable(target) or name.startswith("_") or name in ("close",):
            return target
        return self._measured(name, target)

    def _measured(self, operation: str, call: Callable[..., Any]) -> Callable[..., Any]:
        metrics = self._metrics

        def measured(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = "ok"
            try:
                return call(*args, **kwargs)
            except UpstreamUnavailableError as error:
                result = "feil"
                metrics.upstream_errors.labels(operation, error.code).inc()
                raise
            except UpstreamError as error:
                result = outcome(error.status)
                metrics.upstream_errors.labels(operation, str(error.status)).inc()
                raise
            finally:
                metrics.upstream_seconds.labels(operation, result).observe(time.perf_counter() - started)
                if self._breaker is not None:
                    metrics.breaker_state.set(BREAKER_STATES[self._breaker.state])

        return measured
