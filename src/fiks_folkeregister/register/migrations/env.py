"""Alembic environment for the embedded register: the URL comes from the caller, never from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from fiks_folkeregister.register.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")

if context.is_offline_mode():
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
    else:
        engine = create_engine(url)
        with engine.connect() as new_connection:
            context.configure(connection=new_connection, target_metadata=metadata)
            with context.begin_transaction():
                context.run_migrations()
        engine.dispose()
