"""Search at a million titles: an index on the folded title, for the exact-title candidates and
for answering stop-word-only queries ("the") in title order a page at a time.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX content_title_lower_idx ON content (lower(title), id)")
    op.execute("ANALYZE content")


def downgrade() -> None:
    op.execute("DROP INDEX content_title_lower_idx")
