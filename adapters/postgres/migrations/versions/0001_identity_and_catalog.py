"""Accounts, refresh-session families, and the content catalog with full-text and trigram search.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        """
        CREATE TABLE users (
            id uuid PRIMARY KEY,
            email text NOT NULL UNIQUE,
            display_name text NOT NULL,
            password_hash text NOT NULL,
            created_at timestamptz NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE refresh_sessions (
            id uuid PRIMARY KEY,
            family_id uuid NOT NULL,
            user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            token_digest text NOT NULL UNIQUE,
            issued_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            auth_time timestamptz NOT NULL,
            rotated_at timestamptz,
            revoked_at timestamptz
        )
        """
    )
    op.execute("CREATE INDEX refresh_sessions_family_idx ON refresh_sessions (family_id)")
    op.execute(
        """
        CREATE TABLE content (
            id uuid PRIMARY KEY,
            title text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('movie', 'series', 'episode')),
            series_id uuid REFERENCES content(id) ON DELETE CASCADE,
            season_number integer CHECK (season_number > 0),
            episode_number integer CHECK (episode_number > 0),
            runtime_seconds integer CHECK (runtime_seconds > 0),
            release_year integer NOT NULL,
            genres text[] NOT NULL DEFAULT '{}',
            synopsis text NOT NULL DEFAULT '',
            search_vector tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('simple', title), 'A')
                || setweight(to_tsvector('english', title), 'A')
                || setweight(to_tsvector('english', synopsis), 'C')
            ) STORED,
            CHECK ((kind = 'episode') = (series_id IS NOT NULL))
        )
        """
    )
    op.execute("CREATE INDEX content_search_idx ON content USING gin (search_vector)")
    op.execute("CREATE INDEX content_title_trgm_idx ON content USING gin (lower(title) gin_trgm_ops)")
    op.execute("CREATE INDEX content_genres_idx ON content USING gin (genres)")
    op.execute("CREATE INDEX content_series_idx ON content (series_id, season_number, episode_number)")
    op.execute(
        """
        CREATE TABLE content_availability (
            content_id uuid NOT NULL REFERENCES content(id) ON DELETE CASCADE,
            platform text NOT NULL,
            region text NOT NULL,
            deep_link text NOT NULL,
            PRIMARY KEY (content_id, platform, region)
        )
        """
    )
    op.execute("CREATE INDEX content_availability_platform_idx ON content_availability (platform)")


def downgrade() -> None:
    op.execute("DROP TABLE content_availability")
    op.execute("DROP TABLE content")
    op.execute("DROP TABLE refresh_sessions")
    op.execute("DROP TABLE users")
