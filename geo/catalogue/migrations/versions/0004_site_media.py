"""site media: owners' photos and plans, stored in the catalogue (issue 18, item 4).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

Two attribute tables, created only when absent (a catalogue built by this software already has them):

- ``site_media``: one row per photo or plan of a listing (site and submission it came with, kind,
  position, MIME type, size, width/height or pages, SHA-256 of the stored file, caption) with its two
  thumbnails (320 and 1280 px) as BLOBs: what sheets, previews and galleries read.
- ``site_media_files``: the stored file itself (``media_id``, ``data`` BLOB), read only when a file is
  downloaded or printed in full, so that listing a gallery never reads megabytes.

On a GeoPackage they are plain attribute tables registered in ``gpkg_contents`` with GDAL's feature-count
triggers, exactly as the store creates tables (GDAL and QGIS list them; BLOB is a GeoPackage column type).
On PostGIS they are made in the connection's current schema, the catalogue's (``bytea`` columns). The SQL is
written out here rather than calling the store's code: a migration must do tomorrow what it does today.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: {table: [(column, storage type), ...]} in order.
TABLES = {
    "site_media": [
        ("media_id", "TEXT"), ("site_id", "TEXT"), ("submission_id", "TEXT"), ("kind", "TEXT"),
        ("position", "INTEGER"), ("status", "TEXT"), ("mime", "TEXT"), ("name", "TEXT"), ("caption", "TEXT"),
        ("bytes", "INTEGER"), ("sha256", "TEXT"), ("source_sha256", "TEXT"), ("width", "INTEGER"),
        ("height", "INTEGER"), ("pages", "INTEGER"), ("thumb_mime", "TEXT"), ("thumb_320", "BLOB"),
        ("thumb_1280", "BLOB"), ("created_at", "TEXT")],
    "site_media_files": [("media_id", "TEXT"), ("data", "BLOB")],
}
#: Indexed columns per table (the store indexes these names when it creates a table).
INDEXES = {"site_media": ("site_id", "submission_id", "media_id"), "site_media_files": ("media_id",)}


def _exists(bind, table: str) -> bool:
    if bind.dialect.name == "sqlite":
        return bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).first() is not None
    return bind.exec_driver_sql(
        f"SELECT to_regclass(quote_ident(current_schema()) || '.{table}')").scalar() is not None


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for table, columns in TABLES.items():
        if not _exists(bind, table):
            _create(sqlite, table, columns)
        for key in INDEXES[table]:
            if sqlite:
                op.execute(f'CREATE INDEX IF NOT EXISTS "idx_{table}_{key}" ON "{table}" ("{key}")')
            else:
                op.execute(f'CREATE INDEX IF NOT EXISTS "{table}_{key}_idx" ON "{table}" ("{key}")')


def _create(sqlite: bool, table: str, columns: list[tuple[str, str]]) -> None:
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
        pg = {"TEXT": "text", "INTEGER": "bigint", "BLOB": "bytea"}
        cols = ", ".join(f'"{c}" {pg[t]}' for c, t in columns)
        op.execute(f'CREATE TABLE "{table}" (fid bigserial PRIMARY KEY, {cols})')


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        op.execute(f'DROP TABLE IF EXISTS "{table}"')
        if bind.dialect.name == "sqlite":
            for t in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_ogr_contents", "gpkg_contents"):
                op.execute(f"DELETE FROM {t} WHERE table_name = '{table}'")
