"""drive times: the sites' truck drive-time columns (issue 20); the road network tables come with an import.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

Adds to ``sites`` the columns of the truck drive times (minutes and the destination reached for the
motorway exit, railway station, intermodal terminal and port, the method) with their ``__prov``
siblings, when absent, on both stores. Their values are filled by the next write or recomputation of
the sites (any reference layer import, ``geo import roads``); until then they are unknown, never guessed.
The tables of an imported road network (``road_nodes``, ``road_edges``) are written by ``geo import
roads`` itself, like an imported ZLS perimeter: nothing to create here. The column list is written out
so the migration does tomorrow what it does today.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KINDS = ("motorway", "rail_station", "rail_terminal", "port")
#: (column, SQLite type, PostgreSQL type)
COLUMNS = ([(f"drive_{k}_min", "REAL", "double precision") for k in KINDS]
           + [(f"drive_{k}_to", "TEXT", "text") for k in KINDS] + [("drive_method", "TEXT", "text")])
COLUMNS = [c for col in COLUMNS for c in (col, (col[0] + "__prov", "TEXT", "text"))]


def _columns(bind, sqlite: bool) -> set[str]:
    if sqlite:
        return {r[1] for r in bind.exec_driver_sql('PRAGMA table_info("sites")')}
    return {r[0] for r in bind.exec_driver_sql(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'sites'")}


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    have = _columns(bind, sqlite)
    if not have:
        return  # no sites table: nothing to extend (a build writes it whole)
    for name, lite, pg in COLUMNS:
        if name not in have:
            op.execute(f'ALTER TABLE "sites" ADD COLUMN "{name}" {lite if sqlite else pg}')


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    have = _columns(bind, sqlite)
    for name, _lite, _pg in COLUMNS:
        if name in have:
            op.execute(f'ALTER TABLE "sites" DROP COLUMN "{name}"')
    for table in ("road_edges", "road_nodes"):
        op.execute(f'DROP TABLE IF EXISTS "{table}"')
        if sqlite:
            for t in ("gpkg_ogr_contents", "gpkg_contents"):
                op.execute(f"DELETE FROM {t} WHERE table_name = '{table}'")
