"""Recommendations: viewers' ratings, the trained model versions (with the fitted item factors a
viewer is folded into). "What changed since the last training" reads watch_progress through
its updated_at index (0003).

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE recommendation_ratings (
            user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            content_id uuid NOT NULL REFERENCES content (id) ON DELETE CASCADE,
            rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
            rated_at timestamptz NOT NULL,
            PRIMARY KEY (user_id, content_id)
        )
        """
    )
    op.execute("CREATE INDEX ix_recommendation_ratings_rated_at ON recommendation_ratings (rated_at)")
    op.execute(
        """
        CREATE TABLE recommendation_models (
            version integer PRIMARY KEY,
            state text NOT NULL CHECK (state IN ('training', 'ready', 'retired', 'failed')),
            parameters jsonb NOT NULL,
            started_at timestamptz NOT NULL,
            ready_at timestamptz,
            in_use_since timestamptz,
            viewers integer NOT NULL DEFAULT 0,
            items integer NOT NULL DEFAULT 0,
            interactions integer NOT NULL DEFAULT 0,
            fit_seconds double precision NOT NULL DEFAULT 0,
            total_seconds double precision NOT NULL DEFAULT 0,
            artifact bytea
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE recommendation_models")
    op.execute("DROP TABLE recommendation_ratings")
