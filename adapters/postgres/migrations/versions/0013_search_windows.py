"""Search analytics: the report's per-query figures of every window (1h, 24h, 7d, 30d),
materialised by each rollup run (only the queries that pass k-anonymity at the configured
threshold), and for which first bucket and threshold each window was built. A report whose
window starts elsewhere reads the rollups.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE search_window_builds (
            window_name text PRIMARY KEY,
            first_bucket timestamptz NOT NULL,
            min_viewers integer NOT NULL,
            built_at timestamptz NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE search_window_queries (
            window_name text NOT NULL,
            platform text NOT NULL,
            query_key bigint NOT NULL,
            searches bigint NOT NULL,
            viewers bigint NOT NULL,
            zero_result_searches bigint NOT NULL,
            clicked_searches bigint NOT NULL,
            clicks bigint NOT NULL,
            click_position_sum bigint NOT NULL,
            max_day_viewers bigint NOT NULL,
            PRIMARY KEY (window_name, platform, query_key)
        )
        """
    )

    # 7d and 30d: the sums of their past days, built once a day (see search_windows.py)
    op.execute(
        """
        CREATE TABLE search_window_past_builds (
            window_name text PRIMARY KEY,
            first_day date NOT NULL,
            through_day date NOT NULL,
            min_viewers integer NOT NULL
        )
        """
    )
    op.execute("CREATE TABLE search_window_past (LIKE search_window_queries INCLUDING ALL)")
    # the past days of one query (a query that passes k-anonymity only today)
    op.execute("CREATE INDEX ix_search_daily_queries_key ON search_daily_queries (platform, query_key, day)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_search_daily_queries_key")
    op.execute("DROP TABLE search_window_past")
    op.execute("DROP TABLE search_window_past_builds")
    op.execute("DROP TABLE search_window_queries")
    op.execute("DROP TABLE search_window_builds")
