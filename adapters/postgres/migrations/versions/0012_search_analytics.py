"""Search analytics: raw searches and clicks partitioned by day (declarative range partitioning;
the worker creates partitions ahead and drops them after the raw retention), the hours waiting for
a rollup, and hourly and daily rollups per query and in total, each total bucket with a DDSketch
of its latencies. The platform dimension of a rollup is the search's platform filter ('' none),
or '*' for every search.

Revision ID: 0012
Revises: 0011
"""

from datetime import UTC, datetime, timedelta

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_COUNTS = """
    searches integer NOT NULL,
    viewers integer NOT NULL,
    zero_result_searches integer NOT NULL,
    clicked_searches integer NOT NULL,
    clicks integer NOT NULL,
    click_position_sum bigint NOT NULL
"""


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE search_events (
            occurred_at timestamptz NOT NULL,
            search_id uuid NOT NULL,
            query text NOT NULL,
            query_key bigint NOT NULL,
            platform text NOT NULL,
            genre text,
            year integer,
            page integer NOT NULL,
            page_size integer NOT NULL,
            result_count integer NOT NULL,
            latency_ms real NOT NULL,
            viewer bigint NOT NULL,
            result_ids uuid[] NOT NULL,
            PRIMARY KEY (occurred_at, search_id)
        ) PARTITION BY RANGE (occurred_at)
        """
    )
    # the rollup's "first search of this query by this viewer today"
    op.execute("CREATE INDEX ix_search_events_viewer ON search_events (query_key, viewer, occurred_at)")
    # ... and "the viewer's first search of anything today" (the totals' viewers)
    op.execute("CREATE INDEX ix_search_events_viewer_day ON search_events (viewer, occurred_at)")
    op.execute(
        """
        CREATE TABLE search_clicks (
            search_at timestamptz NOT NULL,
            search_id uuid NOT NULL,
            content_id uuid NOT NULL,
            position integer NOT NULL,
            clicked_at timestamptz NOT NULL,
            PRIMARY KEY (search_at, search_id, content_id)
        ) PARTITION BY RANGE (search_at)
        """
    )
    # An hour with new searches or clicks; `mark` changes on every new mark, so a rollup that read
    # an older mark leaves the hour marked for the next run.
    op.execute(
        """
        CREATE TABLE search_rollup_pending (
            bucket_start timestamptz PRIMARY KEY,
            mark bigint NOT NULL
        )
        """
    )
    op.execute("CREATE SEQUENCE search_rollup_marks")
    op.execute("CREATE TABLE search_query_texts (query_key bigint PRIMARY KEY, query text NOT NULL)")
    op.execute(
        f"""
        CREATE TABLE search_hourly_queries (
            bucket_start timestamptz NOT NULL,
            platform text NOT NULL,
            query_key bigint NOT NULL,
            {_COUNTS},
            PRIMARY KEY (platform, bucket_start, query_key)
        )
        """
    )
    op.execute(
        f"""
        CREATE TABLE search_daily_queries (
            day date NOT NULL,
            platform text NOT NULL,
            query_key bigint NOT NULL,
            {_COUNTS},
            PRIMARY KEY (platform, day, query_key)
        )
        """
    )
    op.execute(
        f"""
        CREATE TABLE search_hourly_totals (
            bucket_start timestamptz NOT NULL,
            platform text NOT NULL,
            {_COUNTS},
            latency_sketch bytea NOT NULL,
            PRIMARY KEY (platform, bucket_start)
        )
        """
    )
    op.execute(
        f"""
        CREATE TABLE search_daily_totals (
            day date NOT NULL,
            platform text NOT NULL,
            {_COUNTS},
            latency_sketch bytea NOT NULL,
            PRIMARY KEY (platform, day)
        )
        """
    )
    # the first partitions; the worker keeps creating them ahead (and the writer on demand)
    today = datetime.now(UTC).date()
    for offset in range(-1, 8):
        day = today + timedelta(days=offset)
        nxt = day + timedelta(days=1)
        for table in ("search_events", "search_clicks"):
            op.execute(
                f"CREATE TABLE IF NOT EXISTS {table}_{day:%Y%m%d} PARTITION OF {table} "
                f"FOR VALUES FROM ('{day.isoformat()}T00:00:00+00') TO ('{nxt.isoformat()}T00:00:00+00')"
            )


def downgrade() -> None:
    for table in (
        "search_daily_totals",
        "search_hourly_totals",
        "search_daily_queries",
        "search_hourly_queries",
        "search_query_texts",
        "search_rollup_pending",
        "search_clicks",
        "search_events",
    ):
        op.execute(f"DROP TABLE {table}")
    op.execute("DROP SEQUENCE search_rollup_marks")
