"""enquiry queue: enquiries get an assignee, a reply and an update time; their history gets its own table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

Staff work enquiries as a queue (issue 18): each has a status (``new``, ``answered``,
``closed``), the staff member it is assigned to, the reply sent, and a history of who did
what when. The current state lives in three new columns of ``enquiries`` (added when
missing; existing rows keep their values, the new columns empty); every change is one row of
``enquiry_events`` (created when absent, indexed on ``enquiry_id``).

On a GeoPackage the new table is a plain attribute table registered in ``gpkg_contents`` with
GDAL's feature-count triggers, exactly as 0002 made ``enquiries``; on PostGIS it is made in the
connection's current schema (the catalogue's). The SQL is written out here: a migration must
do tomorrow what it does today, whatever the store becomes.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ENQUIRIES = "enquiries"
#: Columns added to ``enquiries`` (column, storage type), in order.
NEW_COLUMNS = [("assigned_to", "TEXT"), ("reply", "TEXT"), ("updated_at", "TEXT")]
TABLE = "enquiry_events"
#: (column, storage type) of the history table, in order.
COLUMNS = [("event_id", "TEXT"), ("enquiry_id", "TEXT"), ("at", "TEXT"), ("actor", "TEXT"), ("action", "TEXT"),
           ("status", "TEXT"), ("assigned_to", "TEXT"), ("text", "TEXT")]


def _exists(bind, table: str) -> bool:
    if bind.dialect.name == "sqlite":
        return bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).first() is not None
    return bind.exec_driver_sql(
        f"SELECT to_regclass(quote_ident(current_schema()) || '.{table}')").scalar() is not None


def _columns(bind, table: str) -> set[str]:
    if bind.dialect.name == "sqlite":
        return {r[1] for r in bind.exec_driver_sql(f'PRAGMA table_info("{table}")')}
    return {r[0] for r in bind.exec_driver_sql(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        f"AND table_name = '{table}'")}


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if _exists(bind, ENQUIRIES):  # 0002 made it; a catalogue without it has nothing to extend
        have = _columns(bind, ENQUIRIES)
        for name, kind in NEW_COLUMNS:
            if name not in have:
                op.execute(f'ALTER TABLE "{ENQUIRIES}" ADD COLUMN "{name}" {kind if sqlite else kind.lower()}')
    if not _exists(bind, TABLE):
        _create(sqlite)
    if sqlite:
        op.execute(f'CREATE INDEX IF NOT EXISTS "idx_{TABLE}_enquiry_id" ON "{TABLE}" ("enquiry_id")')
    else:
        op.execute(f'CREATE INDEX IF NOT EXISTS "{TABLE}_enquiry_id_idx" ON "{TABLE}" ("enquiry_id")')


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
        cols = ", ".join(f'"{c}" text' for c, _t in COLUMNS)
        op.execute(f'CREATE TABLE "{TABLE}" (fid bigserial PRIMARY KEY, {cols})')


def downgrade() -> None:
    bind = op.get_bind()
    op.execute(f'DROP TABLE IF EXISTS "{TABLE}"')
    if bind.dialect.name == "sqlite":
        for t in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_ogr_contents", "gpkg_contents"):
            op.execute(f"DELETE FROM {t} WHERE table_name = '{TABLE}'")
    have = _columns(bind, ENQUIRIES) if _exists(bind, ENQUIRIES) else set()
    for name, _kind in NEW_COLUMNS:
        if name in have:
            op.execute(f'ALTER TABLE "{ENQUIRIES}" DROP COLUMN "{name}"')
