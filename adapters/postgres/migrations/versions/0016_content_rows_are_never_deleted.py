"""A title leaves the catalog by being withdrawn (``withdrawn_at``), never by deleting its row: the
search index learns of changes from the change feed, which reads rows, so a deleted row would stay
searchable in the index forever. A trigger refuses the DELETE and says what to do instead.

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION catalog_content_not_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'content rows are never deleted: withdraw the title (set withdrawn_at) instead'
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER content_not_deleted BEFORE DELETE ON content"
        " FOR EACH ROW EXECUTE FUNCTION catalog_content_not_deleted()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER content_not_deleted ON content")
    op.execute("DROP FUNCTION catalog_content_not_deleted()")
