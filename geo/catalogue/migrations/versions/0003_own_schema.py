"""own schema: on PostGIS the catalogue moves out of ``public`` into its own schema (default ``lombardy``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05

Before this revision a PostGIS catalogue kept its tables in ``public``, next to
whatever else the database held, and a rebuild replaced every table there. Now
it lives in the schema ``GEO_PG_SCHEMA`` names (``geo.catalogue.migrate``
creates it and puts it first on the search path before any revision runs, so
it is ``current_schema()`` here). This revision moves *our* tables, by name
(``geo.catalogue.ownership.OUR_TABLES``, written out below so that the
migration does tomorrow what it does today), from ``public`` into that schema
with ``ALTER TABLE ... SET SCHEMA``: rows, indexes and the sequences of their
``fid`` columns move with them, nothing is copied. It moves nothing when the
schema already holds a catalogue (one built or copied there), and nothing that
is not one of our tables: another application's tables in ``public`` stay
where they are, untouched.

On a GeoPackage there is nothing to move: a no-op.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: The catalogue's tables (as geo.catalogue.ownership.OUR_TABLES had them when this revision was written).
TABLES = ("alembic_version", "brownfield_candidates", "brownfield_extent", "brownfield_reviews",
          "brownfield_runs", "catalogue_meta", "enquiries", "infrastructure", "innovation_actors",
          "motorways", "municipalities", "owners", "provinces", "railways", "region", "site_changes",
          "site_outlines", "sites", "sources", "submissions", "zis_actors", "zis_areas", "zls_municipalities",
          "zls_perimeter")


def _has(bind, schema: str, table: str) -> bool:
    return bind.exec_driver_sql(
        f"SELECT to_regclass(quote_ident('{schema}') || '.' || quote_ident('{table}'))").scalar() is not None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    if schema in (None, "public"):
        raise RuntimeError("the catalogue's schema must come first on the search path (run through "
                           "geo catalogue upgrade)")
    if not _has(bind, "public", "catalogue_meta") or _has(bind, schema, "catalogue_meta"):
        return  # no catalogue in public, or one already in our schema: nothing of ours to move
    for table in TABLES:
        if _has(bind, "public", table) and not _has(bind, schema, table):
            op.execute(f'ALTER TABLE public."{table}" SET SCHEMA "{schema}"')


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    for table in TABLES:
        if table != "alembic_version" and _has(bind, schema, table) and not _has(bind, "public", table):
            op.execute(f'ALTER TABLE "{schema}"."{table}" SET SCHEMA public')
