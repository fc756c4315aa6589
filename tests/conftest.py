"""Shared fixtures: the register's OpenAPI contract, and databases on both engines."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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


def make_postgres_database(admin_url: str) -> tuple[str, Any]:
    """Create a throw-away database; return its URL and a function that drops it."""
    import sqlalchemy

    name = f"fiksreg_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
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
