"""A gateway process (`serve`, FIKSREG_UPSTREAM=http) whose register is not there.

Lookups through a gateway process over a register process are covered by the gateway's whole functional
suite (`tests/gateway`, variant `two-processes`); this is the one thing it cannot show.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from fiks_folkeregister.app import build_admin, build_token_issuer
from fiks_folkeregister.settings import Settings
from tests.gateway.conftest import Configuration
from tests.upstream.conftest import MUNICIPALITY
from tests.upstream.servers import free_port, served_process, settings_environment


def test_a_gateway_whose_register_and_issuer_are_down_answers_503_without_personal_data(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    admin = build_admin(settings)
    integration, role = Configuration(admin.engine).granted_role(["navn"], orgnr=MUNICIPALITY)
    token = build_token_issuer(settings).issue(
        MUNICIPALITY, ["ks:fiks"], client_id="test", audience=settings.gateway_token_audience
    )
    headers = {
        "Authorization": f"Bearer {token}",
        "IntegrasjonId": str(integration.id),
        "IntegrasjonPassord": integration.password,
    }
    nobody_listens = f"http://127.0.0.1:{free_port()}"
    env = {
        **settings_environment(settings),
        "FIKSREG_UPSTREAM": "http",
        "FIKSREG_UPSTREAM_URL": nobody_listens,
    }

    with served_process(["serve"], env) as gateway_url:
        gone = httpx.get(
            f"{gateway_url}/folkeregister/api/v1/{role.id}/v1/personer/01018012345",
            params={"part": "navn"},
            headers=headers,
        )

    # No token can be fetched: the embedded issuer is served by the register, which is not there.
    assert gone.status_code == 503, gone.text
    body = gone.json()
    assert body["errorCode"] == "MASKINPORTEN_UTILGJENGELIG" and "navn" not in body
    [record] = admin.audit.query(MUNICIPALITY, rolle_id=role.id)
    assert record.request_id == gone.headers["X-Request-Id"]
    assert (record.utfall, record.status, record.feilkode, list(record.personer)) == (
        "feil",
        503,
        "MASKINPORTEN_UTILGJENGELIG",
        [],
    )
    admin.engine.dispose()
