"""Shared fixtures: the register's OpenAPI contract, databases on both engines, a seeded register to copy."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

#: The register's published contract: reference data beside the project (`../shared/reference`), never committed.
REFERENCE_DIR = Path(
    os.environ.get("FIKSREG_REFERENCE_DIR", Path(__file__).resolve().parents[2] / "shared" / "reference")
)
SPEC_PATH = REFERENCE_DIR / "freg-openapi-offentlig-med-hjemmel-v1.5.yaml"
#: Cheap argon2 parameters for passwords hashed by tests: the tests check behaviour, not the cost of guessing.
#: argon2 reads the cost from the hash, so a served gateway verifies these cheaply too; production cost stays
#: the default of `IntegrationPasswords` (tests/admin/test_integration_passwords.py checks it).
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
POSTGRES_ADMIN_URL = os.environ.get(
    "FIKSREG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@localhost:5432/postgres"
)


# ---------------------------------------------------------------- tiers and parallel runs

#: The tiers (cosmicpython's unit / integration / end to end): `make test-fast` runs `unit`, `make test` all.
TIERS = ("unit", "integration", "e2e")
#: Fixtures that touch files, databases or servers: a test using none of them is a unit test.
IO_FIXTURES = frozenset({"tmp_path", "tmp_path_factory", "database_url", "postgres_server"})
#: Where tests (other than unit ones) talk to served apps over real sockets or to separate processes.
E2E_DIRECTORIES = ("upstream", "scripts", "pages")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests_dir = Path(__file__).parent
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(_tier(item, tests_dir))


def _tier(item: pytest.Item, tests_dir: Path) -> str:
    """The tier a test declares (a `unit`/`integration`/`e2e` mark, also on a parameter), or else: unit when
    it uses no I/O fixture, end to end in the socket/process suites, integration otherwise."""
    if not IO_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "unit"
    relative = item.path.relative_to(tests_dir) if item.path.is_relative_to(tests_dir) else item.path
    return "e2e" if relative.parts[0] in E2E_DIRECTORIES else "integration"


@pytest.fixture(scope="session")
def register_spec() -> dict[str, Any]:
    """The national register's published OpenAPI document (reference data, never committed)."""
    if not SPEC_PATH.exists():
        pytest.skip(
            f"the register's spec is not at {SPEC_PATH} (../shared is absent in a user's clone; "
            "FIKSREG_REFERENCE_DIR points elsewhere)"
        )
    import yaml

    with SPEC_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _postgres_available() -> bool:
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(POSTGRES_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> str:
    if not _postgres_available():
        pytest.skip(f"no PostgreSQL at {POSTGRES_ADMIN_URL} (set FIKSREG_TEST_POSTGRES_URL)")
    return POSTGRES_ADMIN_URL


def make_postgres_database(admin_url: str, template: str | None = None) -> tuple[str, Any]:
    """Create a throw-away database (a copy of the database `template`, if given: nobody may be connected
    to that one meanwhile); return its URL and a function that drops it."""
    import sqlalchemy

    name = f"fiksreg_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        copy = f' TEMPLATE "{template}"' if template else ""
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"{copy}'))
    url = sqlalchemy.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each engine the project supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'register.sqlite3'}"
        return
    admin_url = request.getfixturevalue("postgres_server")
    url, drop = make_postgres_database(admin_url)
    try:
        yield url
    finally:
        drop()


# ---------------------------------------------------------------- a seeded register, copied for each module

#: The population the register and gateway suites run on (the same, so one seeding serves both).
SEEDED_PERSONS = 1500
SEEDED_SEED = 7
SEEDED_REFERENCE_DATE = date(2026, 11, 1)

Examples = dict[str, list[str]]  # example persons by kind, as the seeding names them


@dataclass(frozen=True)
class SeededRegister:
    """A register database migrated and seeded once per session (so once per xdist worker), copied for
    each module that serves one: seeding costs seconds, a copy a fraction of one.

    SQLite: a file, copied with SQLite's backup API. PostgreSQL: a database that nobody stays connected to,
    copied with ``CREATE DATABASE … TEMPLATE``.
    """

    url: str
    examples: Examples
    postgres_admin_url: str | None = None

    def copy(self, data_dir: Path) -> tuple[str, Callable[[], None], Examples]:
        """A fresh copy: its URL, a function that removes it, and the example persons (a copy too)."""
        examples = {kind: list(persons) for kind, persons in self.examples.items()}
        if self.postgres_admin_url is None:
            target = data_dir / "register.sqlite3"
            source_path = self.url.removeprefix("sqlite:///")
            with closing(sqlite3.connect(source_path)) as source, closing(sqlite3.connect(target)) as copy:
                source.backup(copy)
            return f"sqlite:///{target}", lambda: None, examples  # the file goes with `data_dir`
        import sqlalchemy

        template = sqlalchemy.engine.make_url(self.url).database
        url, drop = make_postgres_database(self.postgres_admin_url, template=template)
        return url, drop, examples


def _seed(url: str, data_dir: Path) -> Examples:
    from fiks_folkeregister.app import build_register
    from fiks_folkeregister.register.seeding import seed_population
    from fiks_folkeregister.settings import Settings

    register = build_register(Settings(data_dir=data_dir, register_database_url=url))
    try:
        return seed_population(
            register.repository, SEEDED_PERSONS, seed=SEEDED_SEED, reference_date=SEEDED_REFERENCE_DATE
        )
    finally:
        register.repository.engine.dispose()


@pytest.fixture(scope="session")
def seeded_register_sqlite(tmp_path_factory: pytest.TempPathFactory) -> SeededRegister:
    data_dir = tmp_path_factory.mktemp("seeded-register")
    url = f"sqlite:///{data_dir / 'register.sqlite3'}"
    return SeededRegister(url, _seed(url, data_dir))


@pytest.fixture(scope="session")
def seeded_register_postgresql(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededRegister]:
    url, drop = make_postgres_database(postgres_server)
    try:
        yield SeededRegister(url, _seed(url, tmp_path_factory.mktemp("seeded-register")), postgres_server)
    finally:
        drop()


def seeded_register_copy(
    request: pytest.FixtureRequest, engine: str, data_dir: Path
) -> tuple[str, Callable[[], None], Examples]:
    """A copy of the session's seeded register on `engine` ("sqlite" or "postgresql"); see `SeededRegister`."""
    template: SeededRegister = request.getfixturevalue(f"seeded_register_{engine}")
    return template.copy(data_dir)
