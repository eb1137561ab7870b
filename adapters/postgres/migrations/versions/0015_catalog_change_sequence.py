"""Catalog search's change feed: every content row carries the id of the transaction that last
changed it or its availability (``change_xid``) and when (``changed_at``), set by triggers, so the
search index's writer can ask for what changed after its mark, in order, in batches.

Why a transaction id and not a sequence number: a number drawn while a transaction runs may commit
after a larger one, and a reader that moved past the larger would skip it. Every transaction older
than the snapshot's xmin has ended, so the rows with ``change_xid`` below it are final, and the feed
reads only those, ordered by (change_xid, id).

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE content ADD COLUMN change_xid bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint")
    op.execute("ALTER TABLE content ADD COLUMN changed_at timestamptz NOT NULL DEFAULT clock_timestamp()")
    op.execute("CREATE INDEX content_change_feed ON content (change_xid, id)")
    op.execute(
        """
        CREATE FUNCTION catalog_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.change_xid := pg_current_xact_id()::text::bigint;
            NEW.changed_at := clock_timestamp();
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER content_changed BEFORE INSERT OR UPDATE ON content"
        " FOR EACH ROW EXECUTE FUNCTION catalog_content_changed()"
    )
    # A title whose availability changed is changed too; a row this transaction wrote already is left alone.
    op.execute(
        """
        CREATE FUNCTION catalog_availability_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE content SET change_xid = pg_current_xact_id()::text::bigint
            WHERE id IN (SELECT content_id FROM changed_rows) AND change_xid <> pg_current_xact_id()::text::bigint;
            RETURN NULL;
        END
        $$
        """
    )
    for event, transition in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        op.execute(
            f"CREATE TRIGGER content_availability_{event.lower()}d AFTER {event} ON content_availability"
            f" REFERENCING {transition} TABLE AS changed_rows"
            " FOR EACH STATEMENT EXECUTE FUNCTION catalog_availability_changed()"
        )


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER content_availability_{event}d ON content_availability")
    op.execute("DROP FUNCTION catalog_availability_changed()")
    op.execute("DROP TRIGGER content_changed ON content")
    op.execute("DROP FUNCTION catalog_content_changed()")
    op.execute("DROP INDEX content_change_feed")
    op.execute("ALTER TABLE content DROP COLUMN changed_at, DROP COLUMN change_xid")
