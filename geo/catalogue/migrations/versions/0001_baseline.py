"""baseline: the catalogue's schema as `geo build` wrote it when migrations were introduced.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Nothing to do: a catalogue without an ``alembic_version`` table (built before
migrations existed) is at this revision, and the build writes its tables itself.
"""

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
