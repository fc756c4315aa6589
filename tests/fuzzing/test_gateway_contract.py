"""Contract fuzzing: the gateway, served in-process, against its own OpenAPI document (`/openapi.json`).

schemathesis generates requests for the mirrored register API (and the embedded issuer and /health) from
the gateway's published document, sends them as an integration granted a role holding every element and
usage area, and checks every answer: no 5xx, and an answer whose status the document describes has the
shape it gives. The admin API is not fuzzed here (it needs an administrator key and writes configuration).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from sqlalchemy import select

from fiks_folkeregister.app import build_admin, build_gateway_app, build_register, build_token_issuer
from fiks_folkeregister.domain.informasjonselementer import ELEMENTS
from fiks_folkeregister.domain.rolle import Bruksomraade
from fiks_folkeregister.register.hendelser.tables import hendelse
from fiks_folkeregister.register.simulator import Simulator
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings
from tests.conftest import SEEDED_REFERENCE_DATE, seeded_register_copy
from tests.fuzzing.fuzz import KnownFailures, draw_known_path_parameters, fuzz, xsd_answered_501
from tests.gateway.conftest import ORG_A, SCOPE, Configuration

#: The operations fuzzed: the mirrored register API, the embedded issuer and the health check ...
FUZZED_PREFIXES = ("/folkeregister/", "/maskinporten/", "/health")
#: ... but not the Fiks Oppvekst API: it needs the municipality's Fiks organisation id, which this
#: configuration does not set up, and its failed authentications would trip the failed-authentication
#: limiter for the integration (and so every later request) in this run. Nor KS's Konfigurasjon API: it is
#: authenticated by an administrator's API key, not the integration's credentials, and has its own contract
#: tests (tests/admin/test_konfigurasjon_api.py).
NOT_FUZZED_PREFIXES = ("/folkeregister/api/v1/oppvekst/", "/folkeregister/api/v1/konfigurasjon/")
KNOWN_FAILURES: KnownFailures = {}


@pytest.fixture(scope="module")
def gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz-gateway")
    url, drop, _ = seeded_register_copy(request, "sqlite", data_dir)
    settings = Settings(
        data_dir=data_dir,
        register_database_url=url,
        database_url=f"sqlite:///{data_dir / 'gateway.sqlite3'}",
        extract_worker=False,
    )
    register = build_register(settings)
    register.service.hendelser.log.simulate(Simulator(5, SEEDED_REFERENCE_DATE), 50)
    with register.repository.engine.connect() as connection:
        persons = connection.execute(
            select(person.c.foedsels_eller_d_nummer, person.c.dokumentidentifikator).limit(50)
        ).all()
        events = connection.execute(select(hendelse.c.hendelsesidentifikator).limit(50)).scalars().all()
    register.repository.engine.dispose()
    admin = build_admin(settings)
    integration, role = Configuration(admin.engine).granted_role(
        [*ELEMENTS, "historikk"], bruksomraader=tuple(Bruksomraade)
    )
    app = build_gateway_app(settings)
    issuer = build_token_issuer(settings)

    def headers() -> dict[str, str]:
        token = issuer.issue(
            ORG_A, [SCOPE], client_id="contract-fuzzing", audience=settings.gateway_token_audience
        )
        return {
            "Authorization": f"Bearer {token}",
            "IntegrasjonId": str(integration.id),
            "IntegrasjonPassord": integration.password,
        }

    yield {
        "app": app,
        "headers": headers,
        "known": {
            "rolleId": [str(role.id)],
            "personidentifikator": [str(number) for number, _ in persons],
            "dokumentidentifikator": [str(document) for _, document in persons],
            "hendelsesidentifikator": [str(event) for event in events],
        },
    }
    from schemathesis.python.asgi import shutdown_lifespans

    shutdown_lifespans()
    admin.engine.dispose()
    app.state.gateway.engine.dispose()
    app.state.gateway.register.repository.engine.dispose()
    drop()


def test_the_gateway_answers_every_request_of_its_openapi_without_5xx_and_in_shape(
    gateway: dict[str, Any], subtests: pytest.Subtests
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", gateway["app"])
    known: dict[str, list[str]] = gateway["known"]
    # The granted role always: another one is a 404 before anything else happens.
    draw_known_path_parameters(schema, known, fixed={"rolleId": known["rolleId"][0]})
    operations = [result.ok() for result in schema.get_all_operations()]
    fuzzed = [
        operation
        for operation in operations
        if operation.path.startswith(FUZZED_PREFIXES) and not operation.path.startswith(NOT_FUZZED_PREFIXES)
    ]
    assert len(fuzzed) >= 17, [operation.label for operation in operations]
    decided = xsd_answered_501([operation.label for operation in fuzzed])

    def authenticated(case: Any, response: Any) -> None:
        if case.operation.path.startswith("/folkeregister/"):
            assert response.status_code != 401, "the integration's valid credentials were refused"

    for operation in fuzzed:
        with subtests.test(operation=operation.label):
            fuzz(operation, gateway["app"], gateway["headers"], KNOWN_FAILURES, authenticated, decided)
