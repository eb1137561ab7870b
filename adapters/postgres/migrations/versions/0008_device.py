"""The sessions list: an account's live refresh tokens (one per signed-in family) found by user.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX refresh_sessions_live_by_user_idx ON refresh_sessions (user_id)"
        " WHERE rotated_at IS NULL AND revoked_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX refresh_sessions_live_by_user_idx")
