"""Register and gateway in two processes; the gateway calls the register over HTTP (FIKSREG_UPSTREAM=http)."""

from __future__ import annotations

from pathlib import Path

import httpx

from fiks_folkeregister.app import build_admin, build_token_issuer
from fiks_folkeregister.settings import Settings
from tests.gateway.conftest import Configuration
from tests.upstream.conftest import MUNICIPALITY, Register
from tests.upstream.servers import served_process


def test_the_gateway_serves_lookups_from_a_register_in_another_process(
    register: Register, tmp_path: Path
) -> None:
    data_dir = register.settings.data_dir
    env = {
        "FIKSREG_DATA_DIR": str(data_dir),
        "FIKSREG_REGISTER_DATABASE_URL": register.settings.register_database,
        "FIKSREG_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.sqlite3'}",
    }
    settings = Settings(
        data_dir=data_dir,
        register_database_url=register.settings.register_database,
        database_url=env["FIKSREG_DATABASE_URL"],
    )
    admin = build_admin(settings)
    integration, role = Configuration(admin.engine, admin.passwords).granted_role(
        ["navn", "bostedsadresse"], orgnr=MUNICIPALITY
    )
    token = build_token_issuer(settings).issue(MUNICIPALITY, ["ks:fiks"], client_id="test")
    headers = {
        "Authorization": f"Bearer {token}",
        "IntegrasjonId": str(integration.id),
        "IntegrasjonPassord": integration.password,
    }
    adult = register.examples["ordinary-adult"][0]

    with served_process(["register", "serve"], env) as register_url:
        gateway_env = {**env, "FIKSREG_UPSTREAM": "http", "FIKSREG_UPSTREAM_URL": register_url}
        with served_process(["serve"], gateway_env) as gateway_url:
            prefix = f"{gateway_url}/folkeregister/api/v1/{role.id}/v1/personer"
            found = httpx.get(f"{prefix}/{adult}", params={"part": "navn"}, headers=headers)
            unknown = httpx.get(f"{prefix}/01018012345", params={"part": "navn"}, headers=headers)
            bulk = httpx.post(
                f"{prefix}/bulkoppslag",
                params={"part": "navn"},
                json={"foedselsEllerDNummer": [adult]},
                headers=headers,
            )
    with served_process(["serve"], gateway_env) as gateway_url:
        gone = httpx.get(
            f"{gateway_url}/folkeregister/api/v1/{role.id}/v1/personer/{adult}",
            params={"part": "navn"},
            headers=headers,
        )

    assert found.status_code == 200, found.text
    assert set(found.json()) == {"navn", "identifikasjonsnummer"}
    assert unknown.status_code in (400, 404) and "feilkode" in unknown.json()  # the register's own format
    assert bulk.status_code == 200 and bulk.json()["oppslag"][0]["foedselsEllerDNummer"] == adult
    # A fresh gateway has no token yet, and the embedded issuer went down with the register.
    assert gone.status_code == 503 and gone.json()["errorCode"] == "MASKINPORTEN_UTILGJENGELIG"
    admin.engine.dispose()
