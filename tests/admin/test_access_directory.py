"""What the gateway learns per request: integration, role and grant, always fresh from the database."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine

from fiks_folkeregister.admin.access import AccessDirectory
from fiks_folkeregister.admin.service import AdminService
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from tests.admin.conftest import CONSOLE, ORG_A, ORG_B


@pytest.fixture
def setup(two_orgs: AdminService, engine: Engine) -> tuple[AdminService, AccessDirectory]:
    return two_orgs, AccessDirectory(engine)


def test_unknown_integration_and_unknown_role(setup: tuple[AdminService, AccessDirectory]) -> None:
    service, directory = setup
    role = service.create_role(CONSOLE, ORG_A, "R", "offentlig-med-hjemmel", ["sok-etter-person"], ["navn"])
    integration = service.create_integration(CONSOLE, ORG_A, "I").integrasjon

    unknown_integration = directory.lookup(uuid4(), role.rolle.id)
    assert unknown_integration.integration is None
    assert unknown_integration.role == role.rolle
    assert unknown_integration.granted is False

    unknown_role = directory.lookup(integration.id, uuid4())
    assert unknown_role.role is None
    assert unknown_role.integration is not None and unknown_role.integration.id == integration.id
    assert unknown_role.granted is False

    neither = directory.lookup(uuid4(), uuid4())
    assert (neither.integration, neither.role, neither.granted) == (None, None, False)


def test_role_of_another_organisation_is_returned_but_never_granted(
    setup: tuple[AdminService, AccessDirectory],
) -> None:
    service, directory = setup
    role_b = service.create_role(CONSOLE, ORG_B, "R", "offentlig-med-hjemmel", ["uttrekk"], ["navn"])
    integration_a = service.create_integration(CONSOLE, ORG_A, "I").integrasjon

    found = directory.lookup(integration_a.id, role_b.rolle.id)

    assert found.integration is not None and found.integration.orgnr == ORG_A
    assert found.role is not None and found.role.orgnr == ORG_B
    assert found.granted is False


def test_not_granted_granted_and_revoked(setup: tuple[AdminService, AccessDirectory]) -> None:
    service, directory = setup
    role = service.create_role(
        CONSOLE,
        ORG_A,
        "R",
        "offentlig-uten-hjemmel",
        ["sok-etter-person", "uttrekk"],
        ["navn", "historikk"],
        beskrivelse="Skole",
    )
    made = service.create_integration(CONSOLE, ORG_A, "I", autorisert_orgnr="999888771")
    integration_id, role_id = made.integrasjon.id, role.rolle.id

    assert directory.lookup(integration_id, role_id).granted is False

    service.grant(CONSOLE, integration_id, role_id)
    granted = directory.lookup(integration_id, role_id)
    assert granted.granted is True
    assert granted.integration is not None
    assert granted.integration.orgnr == ORG_A
    assert granted.integration.autorisert_orgnr == "999888771"
    assert granted.integration.navn == "I"
    assert IntegrationPasswords(0).verify(integration_id, granted.integration.passord_hash, made.passord)
    assert granted.role is not None
    assert granted.role.rettighetspakke is Rettighetspakke.OFFENTLIG_UTEN_HJEMMEL
    assert granted.role.bruksomraader == {Bruksomraade.SOK_ETTER_PERSON, Bruksomraade.UTTREKK}
    assert granted.role.elementer == {"navn"}
    assert granted.role.historikk is True
    assert granted.role.beskrivelse == "Skole"

    service.revoke(CONSOLE, integration_id, role_id)
    assert directory.lookup(integration_id, role_id).granted is False


def test_a_revocation_is_seen_at_once_through_another_engine(
    setup: tuple[AdminService, AccessDirectory], database_url: str
) -> None:
    """Two gateway processes share the database and nothing else."""
    from fiks_folkeregister.storage.database import create_gateway_engine

    service, _ = setup
    role = service.create_role(CONSOLE, ORG_A, "R", "offentlig-med-hjemmel", ["uttrekk"], ["navn"])
    integration = service.create_integration(CONSOLE, ORG_A, "I").integrasjon
    service.grant(CONSOLE, integration.id, role.rolle.id)
    other_engine = create_gateway_engine(database_url)
    other = AccessDirectory(other_engine)
    try:
        assert other.lookup(integration.id, role.rolle.id).granted is True
        service.revoke(CONSOLE, integration.id, role.rolle.id)
        assert other.lookup(integration.id, role.rolle.id).granted is False
    finally:
        other_engine.dispose()


def test_rotation_stops_the_old_password_at_once_even_when_cached(
    setup: tuple[AdminService, AccessDirectory], passwords: IntegrationPasswords
) -> None:
    service, directory = setup
    role = service.create_role(CONSOLE, ORG_A, "R", "offentlig-med-hjemmel", ["uttrekk"], ["navn"])
    made = service.create_integration(CONSOLE, ORG_A, "I")
    service.grant(CONSOLE, made.integrasjon.id, role.rolle.id)
    before = directory.lookup(made.integrasjon.id, role.rolle.id).integration
    assert before is not None
    assert passwords.verify(before.id, before.passord_hash, made.passord)  # now remembered

    rotated = service.rotate_password(CONSOLE, made.integrasjon.id)

    after = directory.lookup(made.integrasjon.id, role.rolle.id).integration
    assert after is not None
    assert passwords.verify(after.id, after.passord_hash, made.passord) is False
    assert passwords.verify(after.id, after.passord_hash, rotated.passord) is True
    assert rotated.passord != made.passord
    assert rotated.integrasjon.passord_endret >= made.integrasjon.passord_endret


def test_a_lookup_is_one_statement_and_leaves_no_transaction_open(
    setup: tuple[AdminService, AccessDirectory], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One round trip per request: one statement on the driver's connection, handed back to the pool
    with no transaction open (so the pool's reset sends no ROLLBACK)."""
    service, directory = setup
    role = service.create_role(CONSOLE, ORG_A, "R", "offentlig-med-hjemmel", ["uttrekk"], ["navn"])
    integration = service.create_integration(CONSOLE, ORG_A, "I").integrasjon
    service.grant(CONSOLE, integration.id, role.rolle.id)
    statements: list[str] = []
    open_at_return: list[bool] = []
    raw_connection = engine.raw_connection

    class CountingCursor:
        def __init__(self, cursor: Any) -> None:
            self._cursor = cursor

        def execute(self, sql: str, parameters: Any = ()) -> Any:
            statements.append(sql)
            return self._cursor.execute(sql, parameters)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._cursor, name)

    class CountingConnection:
        def __init__(self, connection: Any) -> None:
            self._connection = connection

        def cursor(self) -> CountingCursor:
            return CountingCursor(self._connection.cursor())

        def close(self) -> None:
            open_at_return.append(_in_transaction(self._connection.dbapi_connection))
            self._connection.close()

        def __getattr__(self, name: str) -> Any:
            return getattr(self._connection, name)

    monkeypatch.setattr(engine, "raw_connection", lambda: CountingConnection(raw_connection()))

    assert directory.lookup(integration.id, role.rolle.id).granted is True
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")
    assert open_at_return == [False]


def _in_transaction(driver: Any) -> bool:
    if hasattr(driver, "in_transaction"):  # sqlite3
        return bool(driver.in_transaction)
    from psycopg.pq import TransactionStatus

    return bool(driver.info.transaction_status != TransactionStatus.IDLE)
