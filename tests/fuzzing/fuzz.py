"""Shared by the contract fuzzing tests: fuzz one operation of a loaded schema against an app in-process."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

#: What every answer is checked for: no 5xx, and the documented shape for a documented status.
CHECKS = [not_a_server_error, response_schema_conformance]
#: Examples per operation: both suites together take about a minute on two cores.
MAX_EXAMPLES = 25

#: Answers that are 5xx by decision (docs/architecture.md), by operation label: the status every answer there
#: must have. Only the shape is checked besides.
DecidedStatuses = Mapping[str, int]
#: The XML schemas are known paths answered 501 IKKE_TILBUDT ("JSON only") to an authenticated caller.
XSD_OPERATIONS = ("personer/xsd", "hendelser/xsd", "hendelser/feedxsd")


def xsd_answered_501(labels: list[str]) -> dict[str, int]:
    return {label: 501 for label in labels if label.endswith(XSD_OPERATIONS)}


#: Known failures, by operation label: the exception raised there and why. The checks still run; that
#: failure is reported as xfail with the reason, any other fails. Remove an entry when its fix lands.
KnownFailures = Mapping[str, tuple[type[BaseException], str]]


def draw_known_path_parameters(
    schema: Any, known: Mapping[str, list[str]], fixed: Mapping[str, str] | None = None
) -> None:
    """Path parameters are drawn at random and, as often, from `known` values (real persons, documents,
    events), so fuzzing reaches answers with content; parameters in `fixed` always take that value."""
    fixed = dict(fixed or {})

    @schema.hook
    def map_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, Any]) -> Any:
        for name, value in fixed.items():
            if path_parameters and name in path_parameters:
                path_parameters[name] = value
        return path_parameters

    @schema.hook
    def before_generate_path_parameters(context: schemathesis.HookContext, strategy: Any) -> Any:
        names = [p.name for p in context.operation.path_parameters if p.name not in fixed]
        if not names or not all(name in known for name in names):
            return strategy
        real = {name: st.sampled_from(known[name]) for name in names}
        return strategy | st.fixed_dictionaries({**{n: st.just(v) for n, v in fixed.items()}, **real})


def fuzz(
    operation: Any,
    app: Any,
    headers: Callable[[], Mapping[str, str]],
    known_failures: KnownFailures,
    also: Callable[[Any, Any], None] = lambda _case, _response: None,
    decided: DecidedStatuses | None = None,
) -> None:
    """Bounded fuzzing of one operation (derandomized, so a run is reproducible), each request with fresh
    `headers()` (tokens live two minutes): every answer is checked
    with `CHECKS` (or, where its 5xx is `decided`, for that status and the shape), then `also(case, response)`."""
    status = (decided or {}).get(operation.label)
    checks = [response_schema_conformance] if status else CHECKS

    @settings(
        max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(case=operation.as_strategy())
    def run(case: schemathesis.Case) -> None:
        try:
            response = case.call_and_validate(app=app, headers=dict(headers()), checks=checks)
        except (Exception, FailureGroup) as error:
            known = known_failures.get(operation.label)
            if known and isinstance(error, known[0]):
                pytest.xfail(f"known failure: {known[1]}")
            raise
        if status:
            assert response.status_code == status, (operation.label, response.status_code, response.text)
        also(case, response)

    run()
