"""brownfield references: registers analysts import to evaluate runs against (issue 19).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

Two attribute tables, created only when absent, with an index on the reference name:

* ``brownfield_references``: one row per imported reference (name, kind, sites, source, licence, file
  name and SHA-256, coverage and how it was drawn, when and by whom);
* ``brownfield_reference_sites``: its sites, one row each, the geometry as WKT in EPSG:4326 (points and
  polygons in one column, which a typed geometry column of a GeoPackage would not hold).

On a GeoPackage they are plain attribute tables registered in ``gpkg_contents`` with GDAL's
feature-count triggers, exactly as the store creates tables (the SQL is written out, as in 0002, so that
the migration does tomorrow what it does today). On PostGIS they are made in the catalogue's schema
(``current_schema()``, put first on the search path by ``geo.catalogue.migrate``).
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: table -> ((column, storage type) in order, indexed column).
TABLES = {
    "brownfield_references": ([("name", "TEXT"), ("kind", "TEXT"), ("n_sites", "INTEGER"), ("source", "TEXT"),
                               ("licence", "TEXT"), ("file_name", "TEXT"), ("sha256", "TEXT"),
                               ("coverage", "TEXT"), ("coverage_wkt", "TEXT"), ("imported_at", "TEXT"),
                               ("actor", "TEXT")], "name"),
    "brownfield_reference_sites": ([("reference", "TEXT"), ("site_no", "INTEGER"), ("site_label", "TEXT"),
                                    ("geometry_wkt", "TEXT")], "reference"),
}
PG = {"TEXT": "text", "INTEGER": "bigint"}


def _exists(bind, table: str) -> bool:
    if bind.dialect.name == "sqlite":
        return bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).first() is not None
    return bind.exec_driver_sql(
        f"SELECT to_regclass(quote_ident(current_schema()) || '.{table}')").scalar() is not None


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for table, (columns, key) in TABLES.items():
        if not _exists(bind, table):
            _create(sqlite, table, columns)
        if sqlite:
            op.execute(f'CREATE INDEX IF NOT EXISTS "idx_{table}_{key}" ON "{table}" ("{key}")')
        else:
            op.execute(f'CREATE INDEX IF NOT EXISTS "{table}_{key}_idx" ON "{table}" ("{key}")')


def _create(sqlite: bool, table: str, columns) -> None:
    if sqlite:
        cols = ", ".join(f'"{c}" {t}' for c, t in columns)
        op.execute(f'CREATE TABLE "{table}" ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {cols})')
        op.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) "
            f"VALUES ('{table}', 'attributes', '{table}', '', strftime('%Y-%m-%dT%H:%M:%fZ','now'), 0)")
        op.execute(f"INSERT OR REPLACE INTO gpkg_ogr_contents (table_name, feature_count) VALUES ('{table}', 0)")
        op.execute(
            f'CREATE TRIGGER "trigger_insert_feature_count_{table}" AFTER INSERT ON "{table}" BEGIN UPDATE '
            "gpkg_ogr_contents SET feature_count = feature_count + 1 "
            f"WHERE lower(table_name) = lower('{table}'); END")
        op.execute(
            f'CREATE TRIGGER "trigger_delete_feature_count_{table}" AFTER DELETE ON "{table}" BEGIN UPDATE '
            "gpkg_ogr_contents SET feature_count = feature_count - 1 "
            f"WHERE lower(table_name) = lower('{table}'); END")
    else:
        cols = ", ".join(f'"{c}" {PG[t]}' for c, t in columns)
        op.execute(f'CREATE TABLE "{table}" (fid bigserial PRIMARY KEY, {cols})')


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        if bind.dialect.name == "sqlite":
            op.execute(f'DROP TABLE IF EXISTS "{table}"')
            for t in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_ogr_contents", "gpkg_contents"):
                op.execute(f"DELETE FROM {t} WHERE table_name = '{table}'")
        else:
            op.execute(f'DROP TABLE IF EXISTS "{table}"')
