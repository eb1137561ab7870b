"""Platform webhooks: registrations (signing secrets sealed), and what the catalog learns from
ingestion — external ids, each platform's id for a title, availability windows, titles withdrawn
by every platform, the latest change applied per platform and title, and the changes applied.

Revision ID: 0010
Revises: 0009
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE webhook_registrations (
            id uuid PRIMARY KEY,
            platform text NOT NULL,
            scheme text NOT NULL,
            format text NOT NULL,
            description text NOT NULL,
            created_at timestamptz NOT NULL,
            secret_key_id text NOT NULL,
            sealed_secret bytea NOT NULL,
            previous_secret_key_id text,
            previous_sealed_secret bytea,
            previous_valid_until timestamptz,
            rotated_at timestamptz,
            disabled_at timestamptz
        )
        """
    )
    # One enabled registration per platform; a disabled one stays for the record.
    op.execute(
        "CREATE UNIQUE INDEX webhook_registrations_platform_idx ON webhook_registrations (platform) "
        "WHERE disabled_at IS NULL"
    )

    # The catalog: external ids ({"imdb": "tt…", "tmdb": "…", "eidr": "10.5240/…"}), found by containment.
    op.execute("ALTER TABLE content ADD COLUMN external_ids jsonb NOT NULL DEFAULT '{}'::jsonb")
    op.execute("CREATE INDEX content_external_ids_idx ON content USING gin (external_ids jsonb_path_ops)")
    # Set when no platform offers the title any more: it leaves search and its page, its history stays.
    op.execute("ALTER TABLE content ADD COLUMN withdrawn_at timestamptz")
    # When the change that last set the title's details was announced (NULL: never by a platform).
    op.execute("ALTER TABLE content ADD COLUMN details_changed_at timestamptz")
    # Entity resolution by title: the title with case, accents and punctuation folded (domain/catalog/title_key.py).
    op.execute("ALTER TABLE content ADD COLUMN title_key text")
    _fill_title_keys()
    op.execute("CREATE INDEX content_title_key_idx ON content (title_key, release_year, kind)")
    # Platforms number specials as season 0 and a pilot as episode 0; the canonical change allows both.
    for column in ("season_number", "episode_number"):
        op.execute(f"ALTER TABLE content DROP CONSTRAINT IF EXISTS content_{column}_check")
        op.execute(f"ALTER TABLE content ADD CONSTRAINT content_{column}_check CHECK ({column} >= 0)")
    op.execute("ALTER TABLE content_availability ADD COLUMN platform_content_id text")
    op.execute("ALTER TABLE content_availability ADD COLUMN available_from timestamptz")
    op.execute("ALTER TABLE content_availability ADD COLUMN available_until timestamptz")
    op.execute(
        "CREATE INDEX content_availability_platform_id_idx ON content_availability (platform, platform_content_id) "
        "WHERE platform_content_id IS NOT NULL"
    )
    # Each platform's titles as the catalog resolved them, and the latest change applied for each
    # (kept after a removal, so an older change arriving late never brings the title back).
    op.execute(
        """
        CREATE TABLE catalog_platform_titles (
            platform text NOT NULL,
            platform_content_id text NOT NULL,
            content_id uuid NOT NULL REFERENCES content (id) ON DELETE CASCADE,
            changed_at timestamptz NOT NULL,
            removed boolean NOT NULL DEFAULT false,
            PRIMARY KEY (platform, platform_content_id)
        )
        """
    )
    op.execute("CREATE INDEX catalog_platform_titles_content_idx ON catalog_platform_titles (content_id)")
    # Every change applied, by its ingestion event id: a redelivered change is applied once.
    op.execute(
        """
        CREATE TABLE catalog_applied_changes (
            change_id text PRIMARY KEY,
            content_id uuid,
            outcome text NOT NULL,
            applied_at timestamptz NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX catalog_applied_changes_applied_idx ON catalog_applied_changes (applied_at)")


def _title_key(title: str) -> str:
    """A frozen copy of domain.catalog.title_key.title_key as of this revision."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    unaccented = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", " ", re.sub("['\u2019]", "", unaccented)).strip()


def _fill_title_keys() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, title FROM content")).all()
    if rows:
        bind.execute(
            sa.text("UPDATE content SET title_key = :key WHERE id = :id"),
            [{"id": row.id, "key": _title_key(row.title)} for row in rows],
        )


def downgrade() -> None:
    op.execute("DROP TABLE catalog_applied_changes")
    op.execute("DROP TABLE catalog_platform_titles")
    op.execute("DROP INDEX content_availability_platform_id_idx")
    for column in ("available_until", "available_from", "platform_content_id"):
        op.execute(f"ALTER TABLE content_availability DROP COLUMN {column}")
    for column in ("season_number", "episode_number"):
        op.execute(f"ALTER TABLE content DROP CONSTRAINT content_{column}_check")
        op.execute(f"ALTER TABLE content ADD CONSTRAINT content_{column}_check CHECK ({column} > 0)")
    op.execute("DROP INDEX content_title_key_idx")
    for column in ("title_key", "details_changed_at", "withdrawn_at", "external_ids"):
        op.execute(f"ALTER TABLE content DROP COLUMN {column}")
    op.execute("DROP TABLE webhook_registrations")
