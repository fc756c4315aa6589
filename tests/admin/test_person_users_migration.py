"""Migration g0004: roles that existed before work as before (`gyldighet` api), existing grants and API-key
administrators are kept, and a grant or administrator that is neither one thing nor the other is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from sqlalchemy import exc, insert, select

from fiks_folkeregister.admin.access import AccessDirectory
from fiks_folkeregister.storage.database import create_gateway_engine
from fiks_folkeregister.storage.tables import administrator, integrasjon, organisasjon, rolle, tildeling
from tests.admin.test_fiks_org_id_migration import _alembic


def test_existing_roles_become_api_roles_and_grants_are_kept(database_url: str) -> None:
    engine = create_gateway_engine(database_url)
    url = engine.url.render_as_string(hide_password=False)
    now = datetime.now(UTC)
    role_id, integration_id = uuid4(), uuid4()
    try:
        _alembic(url, "g0003")
        with engine.begin() as connection:  # rows as g0003 knew them (no column g0004 adds)
            connection.execute(insert(organisasjon).values(orgnr="921234562", navn="K", opprettet=now))
            connection.execute(
                insert(rolle).values(
                    id=role_id,
                    orgnr="921234562",
                    navn="R",
                    rettighetspakke="offentlig-med-hjemmel",
                    bruksomraader=["sok-etter-person"],
                    deler=["navn"],
                    elementer=["navn"],
                    historikk=False,
                    opprettet=now,
                    endret=now,
                )
            )
            connection.execute(
                insert(integrasjon).values(
                    id=integration_id,
                    orgnr="921234562",
                    navn="I",
                    autorisert_orgnr="921234562",
                    passord_hash="x",
                    passord_endret=now,
                    opprettet=now,
                )
            )
            connection.execute(
                insert(tildeling).values(
                    integrasjon_id=integration_id, rolle_id=role_id, opprettet=now, opprettet_av="test"
                )
            )
            connection.execute(
                insert(administrator).values(id=uuid4(), navn="Ops", noekkel_hash="h", opprettet=now)
            )

        _alembic(url, "head")

        with engine.connect() as connection:
            assert list(connection.execute(select(rolle.c.gyldighet)).scalars()) == [["api"]]
        found = AccessDirectory(engine).lookup(integration_id, role_id)
        assert found.granted and found.role is not None and found.role.gyldighet == frozenset({"api"})
        with pytest.raises(exc.IntegrityError), engine.begin() as connection:
            connection.execute(
                insert(tildeling).values(rolle_id=role_id, opprettet=now, opprettet_av="neither")
            )
        with pytest.raises(exc.IntegrityError), engine.begin() as connection:
            connection.execute(insert(administrator).values(id=uuid4(), navn="Neither", opprettet=now))
    finally:
        engine.dispose()
