"""Continue Watching state, playback-session high-water marks, and the append-only watch history.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE watch_progress_order")
    op.execute(
        """
        CREATE TABLE watch_progress (
            user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            content_id uuid NOT NULL REFERENCES content(id) ON DELETE CASCADE,
            position_seconds double precision NOT NULL CHECK (position_seconds >= 0),
            duration_seconds double precision NOT NULL CHECK (duration_seconds > 0),
            device_id text NOT NULL,
            session_id text NOT NULL,
            sequence bigint NOT NULL,
            server_order bigint NOT NULL,
            updated_at timestamptz NOT NULL,
            completed boolean NOT NULL,
            dismissed boolean NOT NULL,
            reason text NOT NULL CHECK (reason IN ('resume', 'next_episode')),
            PRIMARY KEY (user_id, content_id)
        )
        """
    )
    op.execute(
        """
        CREATE INDEX watch_progress_listed_idx ON watch_progress (user_id, updated_at DESC)
        WHERE NOT completed AND NOT dismissed
        """
    )
    op.execute("CREATE INDEX watch_progress_updated_idx ON watch_progress (updated_at)")
    op.execute(
        """
        CREATE TABLE playback_sessions (
            user_id uuid NOT NULL,
            content_id uuid NOT NULL,
            session_id text NOT NULL,
            high_water bigint NOT NULL,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (user_id, content_id, session_id),
            FOREIGN KEY (user_id, content_id) REFERENCES watch_progress (user_id, content_id) ON DELETE CASCADE
        )
        """
    )
    op.execute(
        """
        CREATE TABLE watch_events (
            id bigserial PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            content_id uuid NOT NULL,
            position_seconds double precision NOT NULL,
            progress_percent double precision NOT NULL,
            completed boolean NOT NULL,
            device_id text NOT NULL,
            occurred_at timestamptz NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX watch_events_user_idx ON watch_events (user_id, occurred_at)")


def downgrade() -> None:
    op.execute("DROP TABLE watch_events")
    op.execute("DROP TABLE playback_sessions")
    op.execute("DROP TABLE watch_progress")
    op.execute("DROP SEQUENCE watch_progress_order")
