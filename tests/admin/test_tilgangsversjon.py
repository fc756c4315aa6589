"""The access version (`tilgangsversjon`, migration g0012) moves on at every change to what the gateway's
access read reads: each insert, update and delete of organisations, integrations, roles and grants, made by
anything that writes the database. A gateway keeping a read learns of the change from it (see
tests/gateway/test_kept_access.py). At the head revision, so a later migration that rebuilt one of these
tables on SQLite without its triggers fails here."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, text

from fiks_folkeregister.audit.log import AuditLog
from tests.admin.conftest import ORG_A, ORG_B
from tests.audit.test_audit_log import lookup
from tests.gateway.conftest import Configuration


def _version(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT versjon FROM tilgangsversjon")).scalar_one())


def _sql(engine: Engine, statement: str, **values: object) -> Callable[[], None]:
    def run() -> None:
        with engine.begin() as connection:
            connection.execute(text(statement), values)

    return run


def test_every_change_to_an_organisation_integration_role_or_grant_moves_the_version_on(
    engine: Engine,
) -> None:
    config = Configuration(engine)
    config.org(ORG_B)  # unchanged below: a change elsewhere must not depend on it
    made: dict[str, object] = {}

    def make_role() -> None:
        made["role"] = config.role(["navn"], orgnr=ORG_A)

    def make_integration() -> None:
        made["integration"] = config.integration(ORG_A)

    def grant() -> None:
        config.grant(made["integration"], made["role"])  # type: ignore[arg-type]

    steps: list[tuple[str, Callable[[], None]]] = [
        ("organisasjon insert", lambda: config.org(ORG_A)),
        ("rolle insert", make_role),
        ("integrasjon insert", make_integration),
        ("tildeling insert", grant),
        ("organisasjon update", _sql(engine, "UPDATE organisasjon SET forespoersler_per_minutt = 7")),
        ("rolle update", _sql(engine, "UPDATE rolle SET aktiv = false")),
        ("integrasjon update", lambda: config.rotate_password(made["integration"])),  # type: ignore[arg-type]
        ("tildeling update", lambda: config.revoke(made["integration"], made["role"])),  # type: ignore[arg-type]
        ("tildeling delete", _sql(engine, "DELETE FROM tildeling")),
        ("integrasjon delete", _sql(engine, "DELETE FROM integrasjon")),
        ("rolle delete", _sql(engine, "DELETE FROM rolle")),
        ("organisasjon delete", _sql(engine, "DELETE FROM organisasjon WHERE orgnr = :orgnr", orgnr=ORG_A)),
    ]
    moved = []
    for name, change in steps:
        before = _version(engine)
        change()
        moved.append((name, _version(engine) > before))

    assert moved == [(name, True) for name, _ in steps]


def test_the_lookup_log_writes_leave_the_version_as_it_is(engine: Engine) -> None:
    """Else every batch of the audit writer would refuse the next one's records."""
    Configuration(engine).org(ORG_A)
    log = AuditLog(engine)
    before = _version(engine)
    log.record(lookup())
    log.record(lookup())

    assert _version(engine) == before


def test_a_change_rolled_back_leaves_the_version_as_it_is(engine: Engine) -> None:
    config = Configuration(engine)
    config.org(ORG_A)
    before = _version(engine)
    with engine.connect() as connection:
        connection.execute(text("UPDATE organisasjon SET forespoersler_per_minutt = 9"))
        connection.rollback()

    assert _version(engine) == before
