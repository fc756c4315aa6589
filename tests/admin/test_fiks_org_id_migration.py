"""Migration g0002: organisations that existed before get their own `fiks_org_id`, required and unique."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import exc, insert, select, text

from fiks_folkeregister.storage.database import MIGRATIONS, create_gateway_engine
from fiks_folkeregister.storage.tables import organisasjon


def _alembic(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, revision)


def test_existing_organisations_get_distinct_fiks_org_ids(database_url: str) -> None:
    engine = create_gateway_engine(database_url)
    url = engine.url.render_as_string(hide_password=False)
    try:
        _alembic(url, "g0001")
        with engine.begin() as connection:
            for orgnr in ("910000004", "920000002"):
                connection.execute(
                    text(
                        "INSERT INTO organisasjon (orgnr, navn, opprettet) VALUES (:orgnr, 'Kommune', :now)"
                    ),
                    {"orgnr": orgnr, "now": datetime.now(UTC)},
                )

        _alembic(url, "head")

        with engine.connect() as connection:
            ids = list(connection.execute(select(organisasjon.c.fiks_org_id)).scalars())
        assert len(ids) == 2 and len(set(ids)) == 2 and all(isinstance(UUID(str(i)), UUID) for i in ids)
        with pytest.raises(exc.IntegrityError), engine.begin() as connection:
            connection.execute(
                insert(organisasjon).values(
                    orgnr="930000000", navn="Kopi", opprettet=datetime.now(UTC), fiks_org_id=ids[0]
                )
            )
        with pytest.raises(exc.IntegrityError), engine.begin() as connection:
            connection.execute(
                text("INSERT INTO organisasjon (orgnr, navn, opprettet) VALUES ('940000009', 'Uten', :now)"),
                {"now": datetime.now(UTC)},
            )
    finally:
        engine.dispose()
