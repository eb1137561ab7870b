"""A rotated refresh session keeps its successor, encrypted, for the reuse grace window, so a
client's retry of the same refresh gets the same successor instead of revoking the family.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE refresh_sessions ADD COLUMN successor_key_id text")
    op.execute("ALTER TABLE refresh_sessions ADD COLUMN sealed_successor bytea")
    op.execute(
        "ALTER TABLE refresh_sessions ADD CONSTRAINT refresh_sessions_successor_whole"
        " CHECK ((successor_key_id IS NULL) = (sealed_successor IS NULL))"
    )
    # Housekeeping wipes successors kept past the window; few rows ever hold one.
    op.execute(
        "CREATE INDEX refresh_sessions_sealed_successor_idx ON refresh_sessions (rotated_at)"
        " WHERE sealed_successor IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX refresh_sessions_sealed_successor_idx")
    op.execute("ALTER TABLE refresh_sessions DROP CONSTRAINT refresh_sessions_successor_whole")
    op.execute("ALTER TABLE refresh_sessions DROP COLUMN sealed_successor")
    op.execute("ALTER TABLE refresh_sessions DROP COLUMN successor_key_id")
