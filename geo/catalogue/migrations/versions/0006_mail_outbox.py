"""mail_outbox: the e-mail messages queued with the actions that cause them (geo.mail.outbox).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

Created only when absent (a catalogue built by this software already has it); the
index on ``status`` (what delivery reads) is added when missing either way.
On a GeoPackage it is a plain attribute table registered in ``gpkg_contents``
(``data_type = 'attributes'``) with GDAL's feature-count triggers, exactly as
the store creates tables, so that GDAL and QGIS list it. The SQL is written out
here rather than calling the store's code: a migration must do tomorrow what it
does today, whatever the store becomes. On PostGIS the table is made in the
connection's current schema: the catalogue's (geo.catalogue.migrate puts it first
on the search path and creates it before any revision runs).
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLE = "mail_outbox"
#: (column, storage type) in order.
COLUMNS = [("mail_id", "TEXT"), ("created_at", "TEXT"), ("kind", "TEXT"), ("ref", "TEXT"), ("recipient", "TEXT"),
           ("lang", "TEXT"), ("subject", "TEXT"), ("body", "TEXT"), ("secret", "TEXT"), ("status", "TEXT"),
           ("attempts", "INTEGER"), ("next_attempt_at", "TEXT"), ("last_error", "TEXT"), ("sent_at", "TEXT")]


def _exists(bind) -> bool:
    if bind.dialect.name == "sqlite":
        return bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).first() is not None
    return bind.exec_driver_sql(
        "SELECT to_regclass(quote_ident(current_schema()) || '.mail_outbox')").scalar() is not None


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if not _exists(bind):
        _create(sqlite)
    if sqlite:
        op.execute(f'CREATE INDEX IF NOT EXISTS "idx_{TABLE}_status" ON "{TABLE}" ("status")')
    else:
        op.execute(f'CREATE INDEX IF NOT EXISTS "{TABLE}_status_idx" ON "{TABLE}" ("status")')


def _create(sqlite: bool) -> None:
    if sqlite:
        cols = ", ".join(f'"{c}" {t}' for c, t in COLUMNS)
        op.execute(f'CREATE TABLE "{TABLE}" ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {cols})')
        op.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) "
            f"VALUES ('{TABLE}', 'attributes', '{TABLE}', '', strftime('%Y-%m-%dT%H:%M:%fZ','now'), 0)")
        op.execute(f"INSERT OR REPLACE INTO gpkg_ogr_contents (table_name, feature_count) VALUES ('{TABLE}', 0)")
        op.execute(
            f'CREATE TRIGGER "trigger_insert_feature_count_{TABLE}" AFTER INSERT ON "{TABLE}" BEGIN UPDATE '
            "gpkg_ogr_contents SET feature_count = feature_count + 1 "
            f"WHERE lower(table_name) = lower('{TABLE}'); END")
        op.execute(
            f'CREATE TRIGGER "trigger_delete_feature_count_{TABLE}" AFTER DELETE ON "{TABLE}" BEGIN UPDATE '
            "gpkg_ogr_contents SET feature_count = feature_count - 1 "
            f"WHERE lower(table_name) = lower('{TABLE}'); END")
    else:
        pg = {"TEXT": "text", "BOOLEAN": "boolean", "INTEGER": "bigint"}
        cols = ", ".join(f'"{c}" {pg[t]}' for c, t in COLUMNS)
        op.execute(f'CREATE TABLE "{TABLE}" (fid bigserial PRIMARY KEY, {cols})')


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(f'DROP TABLE IF EXISTS "{TABLE}"')
        for t in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_ogr_contents", "gpkg_contents"):
            op.execute(f"DELETE FROM {t} WHERE table_name = '{TABLE}'")
    else:
        op.execute(f'DROP TABLE IF EXISTS "{TABLE}"')
