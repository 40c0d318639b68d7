"""Alembic environment, driven by renewals.storage.db.migrate() (there is no alembic.ini).

migrate() passes an open connection in config.attributes so migrations run
inside its transaction, against whichever engine (and schema) it was given.
"""

from alembic import context

from renewals.storage.db import metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations(context.config.attributes["connection"])
