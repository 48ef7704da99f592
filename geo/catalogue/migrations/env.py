"""Alembic environment for the catalogue: online only, on the connection geo.catalogue.migrate opens.

The connection (a SQLAlchemy connection already inside ``BEGIN IMMEDIATE`` on a
GeoPackage, or inside a transaction holding the writers' advisory lock on
PostGIS) is passed in ``config.attributes["connection"]``, so a migration is
one transaction, serialised with the catalogue's own writers.
"""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - `alembic` CLI use is not supported
    raise RuntimeError("run migrations through geo.catalogue.migrate (geo catalogue upgrade)")

context.configure(
    connection=connection,
    target_metadata=None,
    transactional_ddl=True,  # SQLite and PostgreSQL both roll DDL back
    render_as_batch=connection.dialect.name == "sqlite",
    # PostGIS: alembic_version in the catalogue's schema (None: found on the search path, our schema first,
    # which is how a catalogue still in `public` is read until revision 0003 moves it).
    version_table_schema=context.config.attributes.get("version_table_schema"),
)
with context.begin_transaction():
    context.run_migrations()
