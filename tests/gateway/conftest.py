"""A served gateway over a seeded embedded register, with configuration written straight to its database."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select, update

from fiks_folkeregister.app import Gateway, build_gateway_app, build_register
from fiks_folkeregister.domain.informasjonselementer import Rettighetspakke
from fiks_folkeregister.domain.rolle import Bruksomraade, Rolle, role_elements
from fiks_folkeregister.identity.clients import ClientRegistry
from fiks_folkeregister.identity.integrasjonspassord import IntegrationPasswords
from fiks_folkeregister.identity.issuer import TokenIssuer
from fiks_folkeregister.identity.keys import SigningKeys
from fiks_folkeregister.register.seeding import seed_population
from fiks_folkeregister.settings import Settings
from fiks_folkeregister.storage.tables import (
    integrasjon,
    oppslagslogg,
    oppslagslogg_person,
    organisasjon,
    rolle,
    tildeling,
)
from tests.conftest import make_postgres_database
from tests.upstream.servers import served_process

ORG_A = "910000009"
ORG_B = "920000008"
VENDOR = "930000007"
SCOPE = "ks:fiks"
PERSONS = 1500
REFERENCE_DATE = date(2026, 11, 1)
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
    """Organisations, roles, integrations and grants written straight to the gateway's tables."""

    def __init__(self, engine: Engine, passwords: IntegrationPasswords) -> None:
        self.engine = engine
        self.passwords = passwords
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
    client: TestClient
    gateway: Gateway
    settings: Settings
    examples: dict[str, list[str]]
    config: Configuration

    def token(
        self, orgnr: str = ORG_A, scopes: Iterable[str] = (SCOPE,), age_seconds: int = 0, **options: Any
    ) -> str:
        issuer = TokenIssuer(
            SigningKeys(self.settings.issuer_dir),
            ClientRegistry(self.settings.issuer_dir),
            self.settings.issuer,
            clock=lambda: time.time() - age_seconds,
        )
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
        with self.gateway.engine.connect() as connection:
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
        with self.gateway.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(oppslagslogg)).scalar_one())


def gateway_settings(data_dir: Path, register_url: str, gateway_url: str) -> Settings:
    return Settings(data_dir=data_dir, register_database_url=register_url, database_url=gateway_url)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "http-upstream"]
)
def served_gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedGateway]:
    data_dir: Path = tmp_path_factory.mktemp("gateway")
    drop = None
    if request.param in ("sqlite", "http-upstream"):
        register_url = f"sqlite:///{data_dir / 'register.sqlite3'}"
        gateway_url = f"sqlite:///{data_dir / 'gateway.sqlite3'}"
    else:
        # One PostgreSQL database for both: the two schemas keep separate Alembic version tables.
        register_url, drop = make_postgres_database(request.getfixturevalue("postgres_server"))
        gateway_url = register_url
    settings = gateway_settings(data_dir, register_url, gateway_url)
    with ExitStack() as stack:
        if request.param == "http-upstream":
            # The register in its own process (`register serve`); the gateway calls it over HTTP.
            register = build_register(settings)
            environment = {
                "FIKSREG_DATA_DIR": str(data_dir),
                "FIKSREG_REGISTER_DATABASE_URL": register_url,
                "FIKSREG_EXTRACT_WORKER": "false",  # as in-process: the tests work extract jobs themselves
            }
            register_base = stack.enter_context(served_process(["register", "serve"], environment))
            # `settings` stay the embedded ones: a test building a second gateway gets one on the same data.
            app = build_gateway_app(
                settings.model_copy(update={"upstream": "http", "upstream_url": register_base})
            )
            gateway: Gateway = replace(app.state.gateway, register=register)
        else:
            app = build_gateway_app(settings)
            gateway = app.state.gateway
            register = gateway.register
        examples = seed_population(register.repository, PERSONS, seed=7, reference_date=REFERENCE_DATE)
        config = Configuration(gateway.engine, gateway.passwords)
        with TestClient(app) as client:
            yield ServedGateway(client, gateway, settings, examples, config)
        gateway.engine.dispose()
        register.repository.engine.dispose()
    if drop:
        drop()
