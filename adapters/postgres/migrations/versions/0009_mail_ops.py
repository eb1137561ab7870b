"""Mail operations: given-up mail found by when it was given up (the mail:queue health check
counts the last hour's), without reading the sent mail the table is mostly made of.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX mail_queue_failed_idx ON mail_queue (failed_at) WHERE failed_at IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX mail_queue_failed_idx")
