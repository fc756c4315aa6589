"""Contract fuzzing: the embedded register, served in-process, against the national register's published spec.

schemathesis generates requests from `freg-openapi-offentlig-med-hjemmel-v1.5.yaml` (valid and invalid ones),
sends them with a valid token of the `offentlig-med-hjemmel` package, and checks every answer: no 5xx, and an
answer whose status the spec describes has the shape the spec gives it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from sqlalchemy import select

from fiks_folkeregister.app import build_register_app, build_token_issuer
from fiks_folkeregister.register.hendelser.tables import hendelse
from fiks_folkeregister.register.simulator import Simulator
from fiks_folkeregister.register.tables import person
from fiks_folkeregister.settings import Settings
from tests.conftest import SEEDED_REFERENCE_DATE, seeded_register_copy
from tests.fuzzing.fuzz import KnownFailures, draw_known_path_parameters, fuzz, xsd_answered_501

MED = "folkeregister:deling/offentligmedhjemmel"
ORGNR = "910000004"
#: None known today (siste/sekvensnummer's shape and numbers beyond int64 were fixed in the register).
KNOWN_FAILURES: KnownFailures = {}
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
    # Nor many archived versions one Folkeregisterperson: the answer is shaped as personer/bulkoppslag's.
    ("/v1/personer/bulkoppslag/arkiv", "post"): {
        "$ref": "#/components/schemas/folkeregisteret.tilgjengeliggjoering.person.v1.bulk.response.PersonBulkoppslagResponse"
    },
}


@pytest.fixture(scope="module")
def register(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The register over a copy of the seeded population with 50 events, a token, and identifiers it holds."""
    data_dir: Path = tmp_path_factory.mktemp("fuzz-register")
    url, drop, _ = seeded_register_copy(request, "sqlite", data_dir)
    settings = Settings(data_dir=data_dir, register_database_url=url, extract_worker=False)
    app = build_register_app(settings)
    state = app.state.register
    state.service.hendelser.log.simulate(Simulator(5, SEEDED_REFERENCE_DATE), 50)
    with state.repository.engine.connect() as connection:
        persons = connection.execute(
            select(person.c.foedsels_eller_d_nummer, person.c.dokumentidentifikator).limit(50)
        ).all()
        events = connection.execute(select(hendelse.c.hendelsesidentifikator).limit(50)).scalars().all()
    issuer = build_token_issuer(settings)

    def headers() -> dict[str, str]:
        return {"Authorization": f"Bearer {issuer.issue(ORGNR, [MED], client_id='contract-fuzzing')}"}

    yield {
        "app": app,
        "headers": headers,
        "known": {
            "personidentifikator": [str(number) for number, _ in persons],
            "dokumentidentifikator": [str(document) for _, document in persons],
            "hendelsesidentifikator": [str(event) for event in events],
        },
    }
    from schemathesis.python.asgi import shutdown_lifespans

    shutdown_lifespans()
    state.repository.engine.dispose()
    drop()


def _as_decided(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    for (path, method), response in DECIDED_RESPONSES.items():
        spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"] = response
    return spec


def test_the_register_answers_every_request_of_its_spec_without_5xx_and_in_shape(
    register: dict[str, Any], register_spec: dict[str, Any], subtests: pytest.Subtests
) -> None:
    schema = schemathesis.openapi.from_dict(_as_decided(register_spec))
    draw_known_path_parameters(schema, register["known"])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 16
    decided = xsd_answered_501([operation.label for operation in operations])

    def authenticated(_case: Any, response: Any) -> None:
        assert response.status_code not in (401, 403), "a valid token of the package was refused"

    for operation in operations:
        with subtests.test(operation=operation.label):
            fuzz(operation, register["app"], register["headers"], KNOWN_FAILURES, authenticated, decided)
