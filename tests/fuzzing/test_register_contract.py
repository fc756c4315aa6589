"""Contract fuzzing: the embedded register, served in-process, against the national register's published spec.

schemathesis generates requests from `freg-openapi-offentlig-med-hjemmel-v1.5.yaml` (valid and invalid ones),
sends them with a valid token of the `offentlig-med-hjemmel` package, and checks every answer: no 5xx, and an
answer whose status the spec describes has the shape the spec gives it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import select

from fiks_folkeregister.app import build_register_app
from fiks_folkeregister.identity.clients import ClientRegistry
from fiks_folkeregister.identity.issuer import TokenIssuer
from fiks_folkeregister.identity.keys import SigningKeys
from fiks_folkeregister.register.hendelse_tabeller import hendelse
from fiks_folkeregister.register.simulator import Simulator
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings
from tests.conftest import SEEDED_REFERENCE_DATE, SPEC_PATH, seeded_register_copy

if not SPEC_PATH.exists():
    pytest.skip(
        f"the register's spec is not at {SPEC_PATH} (../shared is absent in a user's clone; "
        "FIKSREG_REFERENCE_DIR points elsewhere)",
        allow_module_level=True,
    )

MED = "folkeregister:deling/offentligmedhjemmel"
ORGNR = "910000009"
CHECKS = [not_a_server_error, response_schema_conformance]
#: Known failures, by operation: what is raised there and why. The checks still run; that error is reported
#: as xfail with the reason, any other failure fails. Remove an entry when its fix lands.
KNOWN_FAILURES: dict[str, tuple[type[BaseException], str]] = {
    "GET /v1/hendelser/siste/sekvensnummer": (
        FailureGroup,
        "answers {'sekvensnummer': N}, the spec and DOMAIN.md a bare JSON number (being changed in the "
        "register's events work)",
    ),
    "GET /v1/hendelser/feed": (
        OverflowError,
        "seq beyond int64 is a 500 (OverflowError from SQLite) instead of a 400 (large numbers are being "
        "fixed in the register's input validation work)",
    ),
}
#: Where the register answers differently from the spec by decision, the spec's response is replaced by
#: what the register answers (and the answers are checked against that).
DECIDED_RESPONSES = {
    # Many event documents cannot be one DokumentForHendelse: the answer is a list of them.
    ("/v1/hendelser/bulkoppslag", "post"): {
        "type": "array",
        "items": {
            "$ref": "#/components/schemas/folkeregisteret.tilgjengeliggjoering.hendelse.v1.DokumentForHendelse"
        },
    },
}
#: Identifiers that exist in the served register, by path parameter name (filled when it is served), so
#: that path parameters are drawn from real persons, archived documents and events as well as at random.
KNOWN: dict[str, list[str]] = {}


@pytest.fixture(scope="module")
def register_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz-register")
    url, drop, _ = seeded_register_copy(request, "sqlite", data_dir)
    settings = Settings(data_dir=data_dir, register_database_url=url, extract_worker=False)
    app = build_register_app(settings)
    register = app.state.register
    register.service.hendelser.log.simulate(Simulator(5, SEEDED_REFERENCE_DATE), 50)
    with register.repository.engine.connect() as connection:
        persons = connection.execute(
            select(person.c.foedsels_eller_d_nummer, person.c.dokumentidentifikator).limit(50)
        ).all()
        events = connection.execute(select(hendelse.c.hendelsesidentifikator).limit(50)).scalars().all()
    KNOWN.update(
        personidentifikator=[str(number) for number, _ in persons],
        dokumentidentifikator=[str(document) for _, document in persons],
        hendelsesidentifikator=[str(event) for event in events],
    )
    app.state.fuzz_token = TokenIssuer(
        SigningKeys(settings.issuer_dir), ClientRegistry(settings.issuer_dir), settings.issuer
    ).issue(ORGNR, [MED], client_id="contract-fuzzing", lifetime_seconds=3600)
    yield app
    from schemathesis.python.asgi import shutdown_lifespans

    shutdown_lifespans()
    app.state.register.repository.engine.dispose()
    drop()


def _register_spec_as_decided() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    for (path, method), response in DECIDED_RESPONSES.items():
        spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"] = response
    return spec


schema = schemathesis.openapi.from_dict(_register_spec_as_decided())


@schema.hook
def before_generate_path_parameters(context: schemathesis.HookContext, strategy: Any) -> Any:
    names = [parameter.name for parameter in context.operation.path_parameters]
    if not names or not all(name in KNOWN for name in names):
        return strategy
    known = st.fixed_dictionaries(
        {name: st.deferred(lambda name=name: st.sampled_from(KNOWN[name])) for name in names}
    )
    return strategy | known


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_register_answers_every_request_of_its_spec_without_5xx_and_in_shape(
    case: schemathesis.Case, register_app: Any
) -> None:
    try:
        response = case.call_and_validate(
            app=register_app,
            headers={"Authorization": f"Bearer {register_app.state.fuzz_token}"},
            checks=CHECKS,
        )
    except (Exception, FailureGroup) as error:
        known = KNOWN_FAILURES.get(case.operation.label)
        if known and isinstance(error, known[0]):
            pytest.xfail(f"known failure: {known[1]}")
        raise
    assert response.status_code not in (401, 403), "a valid token of the package was refused"
