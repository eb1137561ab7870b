"""Watch events carry the id of the journalled change they came from, so archiving a change
twice (a worker that died before acknowledging it) keeps one event.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE watch_events ADD COLUMN change_id text")
    op.execute("CREATE UNIQUE INDEX watch_events_change_idx ON watch_events (change_id)")


def downgrade() -> None:
    op.execute("DROP INDEX watch_events_change_idx")
    op.execute("ALTER TABLE watch_events DROP COLUMN change_id")
