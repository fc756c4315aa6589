"""A migrated gateway database on each engine, for the audit log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from fiks_folkeregister.storage.database import create_gateway_engine, migrate


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_gateway_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()
