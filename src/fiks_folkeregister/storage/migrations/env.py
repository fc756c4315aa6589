"""Alembic environment for the gateway's database: URL from the caller, its own version table."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from fiks_folkeregister.storage.database import VERSION_TABLE
from fiks_folkeregister.storage.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")

if context.is_offline_mode():
    context.configure(url=url, target_metadata=metadata, literal_binds=True, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
        with context.begin_transaction():
            context.run_migrations()
    else:
        engine = create_engine(url)
        with engine.connect() as new_connection:
            context.configure(
                connection=new_connection, target_metadata=metadata, version_table=VERSION_TABLE
            )
            with context.begin_transaction():
                context.run_migrations()
        engine.dispose()
