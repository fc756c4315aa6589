"""A served gateway over a seeded embedded register, with configuration written straight to its database."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select, update

from fiks_folkeregister.app import (
    Gateway,
    Register,
    build_admin,
    build_gateway,
    build_gateway_app,
    build_register,
)
from fiks_folkeregister.audit.log import AuditLog
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle, role_elements
from fiks_folkeregister.identity.clients import ClientRegistry
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.identity.issuer import TokenIssuer
from fiks_folkeregister.identity.keys import SigningKeys
from fiks_folkeregister.settings import Settings
from fiks_folkeregister.storage.tables import (
    integrasjon,
    oppslagslogg,
    oppslagslogg_person,
    organisasjon,
    rolle,
    tildeling,
)
from tests.conftest import FAST_HASHER, Examples, seeded_register_copy
from tests.upstream.servers import settings_environment, started_process

ORG_A = "910000004"
ORG_B = "920000002"
VENDOR = "930000000"
SCOPE = "ks:fiks"
SOK = (Bruksomraade.SOK_ETTER_PERSON,)
MED = Rettighetspakke.OFFENTLIG_MED_HJEMMEL


@dataclass(frozen=True)
class Integration:
    id: uuid.UUID
    password: str
    orgnr: str


def _now() -> datetime:
    return datetime.now(UTC)


class Configuration:
    """Organisations, roles, integrations and grants written straight to the gateway's tables.

    Integration passwords are hashed with cheap argon2 parameters (`FAST_HASHER`) unless other
    `passwords` are given; the gateway verifies them at the cost written in the hash.
    """

    def __init__(self, engine: Engine, passwords: IntegrationPasswords | None = None) -> None:
        self.engine = engine
        self.passwords = passwords or IntegrationPasswords(0, hasher=FAST_HASHER)
        self._orgs: set[str] = set()

    def org(self, orgnr: str) -> None:
        if orgnr in self._orgs:
            return
        with self.engine.begin() as connection:
            connection.execute(
                insert(organisasjon).values(orgnr=orgnr, navn=f"Org {orgnr}", opprettet=_now())
            )
        self._orgs.add(orgnr)

    def role(
        self,
        parts: Iterable[str],
        orgnr: str = ORG_A,
        pakke: Rettighetspakke = MED,
        bruksomraader: Iterable[Bruksomraade] = SOK,
        gyldighet: Iterable[str] = ("api",),
    ) -> Rolle:
        self.org(orgnr)
        parts = list(parts)
        elementer, historikk = role_elements(pakke, parts)
        role = Rolle(
            id=uuid.uuid4(),
            orgnr=orgnr,
            navn=f"rolle-{uuid.uuid4().hex[:8]}",
            rettighetspakke=pakke,
            bruksomraader=frozenset(bruksomraader),
            elementer=elementer,
            historikk=historikk,
            gyldighet=frozenset(gyldighet),
        )
        with self.engine.begin() as connection:
            connection.execute(
                insert(rolle).values(
                    id=role.id,
                    orgnr=orgnr,
                    navn=role.navn,
                    beskrivelse="",
                    rettighetspakke=pakke.value,
                    bruksomraader=sorted(a.value for a in role.bruksomraader),
                    deler=parts,
                    elementer=sorted(elementer),
                    historikk=historikk,
                    gyldighet=sorted(role.gyldighet),
                    opprettet=_now(),
                    endret=_now(),
                )
            )
        return role

    def integration(self, orgnr: str = ORG_A, autorisert_orgnr: str | None = None) -> Integration:
        self.org(orgnr)
        password = self.passwords.new_password()
        ident = uuid.uuid4()
        with self.engine.begin() as connection:
            connection.execute(
                insert(integrasjon).values(
                    id=ident,
                    orgnr=orgnr,
                    navn=f"integrasjon-{ident.hex[:8]}",
                    beskrivelse="",
                    autorisert_orgnr=autorisert_orgnr or orgnr,
                    passord_hash=self.passwords.hash(password),
                    passord_endret=_now(),
                    opprettet=_now(),
                )
            )
        return Integration(ident, password, autorisert_orgnr or orgnr)

    def grant(self, integration: Integration, role: Rolle) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(tildeling).values(
                    integrasjon_id=integration.id, rolle_id=role.id, opprettet=_now(), opprettet_av="test"
                )
            )

    def rotate_password(self, integration: Integration) -> Integration:
        """A new password for the integration, stored as an administrator's rotation stores it."""
        password = self.passwords.new_password()
        with self.engine.begin() as connection:
            connection.execute(
                update(integrasjon)
                .where(integrasjon.c.id == integration.id)
                .values(passord_hash=self.passwords.hash(password), passord_endret=_now())
            )
        return replace(integration, password=password)

    def revoke(self, integration: Integration, role: Rolle) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(tildeling)
                .where(tildeling.c.integrasjon_id == integration.id, tildeling.c.rolle_id == role.id)
                .where(tildeling.c.tilbakekalt.is_(None))
                .values(tilbakekalt=_now(), tilbakekalt_av="test")
            )

    def granted_role(self, parts: Iterable[str], **role_options: Any) -> tuple[Integration, Rolle]:
        integration = self.integration(role_options.get("orgnr", ORG_A))
        role = self.role(parts, **role_options)
        self.grant(integration, role)
        return integration, role


@dataclass
class ServedGateway:
    """A served gateway and what a test needs beside it, none of it reaching into the served app.

    ``client`` speaks to the gateway: a Starlette TestClient in the in-process variants, a real
    ``httpx.Client`` on the gateway process in `two-processes`. ``register`` is the embedded register in
    this process on the served register's database (to read it, or drive the simulator and the extract
    worker); ``engine`` and ``audit`` are the gateway's database and its audit log, read from this process.
    """

    client: httpx.Client
    settings: Settings
    examples: Examples
    config: Configuration
    register: Register
    engine: Engine
    audit: AuditLog
    variant: str  # "sqlite", "postgresql" or "two-processes"

    @contextmanager
    def in_process_gateway(self) -> Iterator[Gateway]:
        """A gateway built in this process from the same settings and databases, embedded upstream: for
        tests that replace one of its parts (the audit store, the upstream) and serve it themselves."""
        gateway = build_gateway(self.settings)
        try:
            yield gateway
        finally:
            gateway.engine.dispose()
            if gateway.register is not None:
                gateway.register.repository.engine.dispose()

    @cached_property
    def signing_keys(self) -> SigningKeys:
        """The embedded issuer's key, loaded once: importing the RSA key takes a tenth of a second."""
        return SigningKeys(self.settings.issuer_dir)

    def token(
        self, orgnr: str = ORG_A, scopes: Iterable[str] = (SCOPE,), age_seconds: int = 0, **options: Any
    ) -> str:
        issuer = TokenIssuer(
            self.signing_keys,
            ClientRegistry(self.settings.issuer_dir),
            self.settings.issuer,
            clock=lambda: time.time() - age_seconds,
        )
        options.setdefault("audience", self.settings.gateway_token_audience)
        return issuer.issue(orgnr, list(scopes), client_id="test-client", **options)

    def headers(self, integration: Integration, token: str | None = None) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token or self.token(integration.orgnr)}",
            "IntegrasjonId": str(integration.id),
            "IntegrasjonPassord": integration.password,
        }

    @staticmethod
    def url(role: Rolle | uuid.UUID | str, resource: str) -> str:
        role_id = role.id if isinstance(role, Rolle) else role
        return f"/folkeregister/api/v1/{role_id}/v1/{resource}"

    def audit_records(self, request_id: str) -> list[dict[str, Any]]:
        """The stored audit rows of one request, each with the persons it returned (in order)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(oppslagslogg).where(oppslagslogg.c.request_id == request_id)
            ).all()
            found = []
            for row in rows:
                persons = connection.execute(
                    select(oppslagslogg_person.c.identifikator)
                    .where(oppslagslogg_person.c.oppslag_id == row.id)
                    .order_by(oppslagslogg_person.c.posisjon)
                ).scalars()
                found.append({**row._asdict(), "personer": list(persons)})
        return found

    def audit_record(self, request_id: str) -> dict[str, Any]:
        records = self.audit_records(request_id)
        assert len(records) == 1, f"expected exactly one audit record for {request_id}, found {len(records)}"
        return records[0]

    def audit_count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(oppslagslogg)).scalar_one())


VARIANTS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.postgres),
    pytest.param("two-processes", marks=pytest.mark.e2e),
]


@pytest.fixture(scope="module", params=VARIANTS)
def served_gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedGateway]:
    """The gateway over a seeded register: both in this process (on SQLite or PostgreSQL), or, in
    `two-processes`, the register (`register serve`, with the embedded issuer) and the gateway
    (`serve`, FIKSREG_UPSTREAM=http) each in its own process, on SQLite files shared with this one."""
    data_dir: Path = tmp_path_factory.mktemp("gateway")
    engine = "postgresql" if request.param == "postgresql" else "sqlite"
    register_url, drop, examples = seeded_register_copy(request, engine, data_dir)
    # On PostgreSQL one database holds both: the two schemas keep separate Alembic version tables.
    gateway_url = register_url if engine == "postgresql" else f"sqlite:///{data_dir / 'gateway.sqlite3'}"
    settings = Settings(
        data_dir=data_dir,
        register_database_url=register_url,
        database_url=gateway_url,
        extract_worker=False,  # the tests work extract jobs themselves, to see jobs still waiting
        # A module's refused attempts all come from one address; tests of that limit build their own gateway.
        failed_authentications_per_address="10000/minute",
    )
    # Both schemas are migrated here (the register's copy is seeded already), before anything serves them.
    register = build_register(settings)
    admin = build_admin(settings)
    config = Configuration(admin.engine)
    serve = _two_processes if request.param == "two-processes" else _in_process
    with serve(settings) as client:
        yield ServedGateway(
            client, settings, examples, config, register, admin.engine, admin.audit, request.param
        )
    admin.engine.dispose()
    register.repository.engine.dispose()
    drop()


@contextmanager
def _in_process(settings: Settings) -> Iterator[httpx.Client]:
    app = build_gateway_app(settings)
    gateway: Gateway = app.state.gateway
    with TestClient(app) as client:
        yield client
    gateway.engine.dispose()
    if gateway.register is not None:
        gateway.register.repository.engine.dispose()


@contextmanager
def _two_processes(settings: Settings) -> Iterator[httpx.Client]:
    environment = settings_environment(settings)  # every process gets the same settings
    with ExitStack() as stack:
        register = stack.enter_context(started_process(["register", "serve"], environment))
        gateway = stack.enter_context(
            started_process(
                ["serve"], {**environment, "FIKSREG_UPSTREAM": "http", "FIKSREG_UPSTREAM_URL": register.url}
            )
        )
        register.wait_until_healthy()
        gateway.wait_until_healthy()
        yield stack.enter_context(httpx.Client(base_url=gateway.url, timeout=60))
        for process in (register, gateway):  # an error in another process is not raised in this one
            log = process.log()
            assert "Traceback" not in log, (
                f"`{' '.join(process.command)}` failed while serving:\n{log[-4000:]}"
            )
