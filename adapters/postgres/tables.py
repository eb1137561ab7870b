"""SQLAlchemy Core tables; the schema itself is owned by the Alembic migrations beside this file."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR, UUID

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("password_hash", Text),  # none for an account created through an identity provider
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("email_verified", Boolean, nullable=False),
)

refresh_sessions = Table(
    "refresh_sessions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("family_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_digest", Text, nullable=False, unique=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("auth_time", DateTime(timezone=True), nullable=False),
    Column("rotated_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("successor_key_id", Text),
    Column("sealed_successor", LargeBinary),
    Column("client_name", Text),
)

content = Table(
    "content",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("title", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("series_id", UUID(as_uuid=True)),
    Column("season_number", Integer),
    Column("episode_number", Integer),
    Column("runtime_seconds", Integer),
    Column("release_year", Integer, nullable=False),
    Column("genres", ARRAY(Text), nullable=False),
    Column("synopsis", Text, nullable=False),
    Column("search_vector", TSVECTOR),
    Column("external_ids", JSONB, nullable=False, server_default="{}"),
    Column("withdrawn_at", DateTime(timezone=True)),
    Column("details_changed_at", DateTime(timezone=True)),
    Column("title_key", Text),
    # the change feed (migration 0015): set by triggers on every write of the row or its availability
    Column("change_xid", BigInteger, nullable=False, server_default=text("pg_current_xact_id()::text::bigint")),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=text("clock_timestamp()")),
)

content_availability = Table(
    "content_availability",
    metadata,
    Column(
        "content_id",
        UUID(as_uuid=True),
        ForeignKey("content.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("platform", Text, primary_key=True),
    Column("region", Text, primary_key=True),
    Column("deep_link", Text, nullable=False),
    Column("platform_content_id", Text),
    Column("available_from", DateTime(timezone=True)),
    Column("available_until", DateTime(timezone=True)),
)

users.append_column(Column("scopes", ARRAY(Text), nullable=False))

mfa_factors = Table(
    "mfa_factors",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("sealed_secret", LargeBinary, nullable=False),
    Column("key_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("last_used_step", BigInteger),
    Column("consecutive_failures", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
)

backup_codes = Table(
    "backup_codes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("code_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

mfa_challenges = Table(
    "mfa_challenges",
    metadata,
    Column("token_digest", Text, primary_key=True),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("consumed_at", DateTime(timezone=True)),
)

security_events = Table(
    "security_events",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("ip", Text),
    Column("details", JSONB, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("digest", Text, nullable=False, unique=True),
    Column("prefix", Text, nullable=False),
    Column("last_four", Text, nullable=False),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("rate_limit_per_minute", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("last_used_ip", Text),
)

watch_progress = Table(
    "watch_progress",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("content_id", UUID(as_uuid=True), primary_key=True),
    Column("position_seconds", Float, nullable=False),
    Column("duration_seconds", Float, nullable=False),
    Column("device_id", Text, nullable=False),
    Column("session_id", Text, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("server_order", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("completed", Boolean, nullable=False),
    Column("dismissed", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
)

playback_sessions = Table(
    "playback_sessions",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("content_id", UUID(as_uuid=True), primary_key=True),
    Column("session_id", Text, primary_key=True),
    Column("high_water", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

watch_events = Table(
    "watch_events",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("content_id", UUID(as_uuid=True), nullable=False),
    Column("position_seconds", Float, nullable=False),
    Column("progress_percent", Float, nullable=False),
    Column("completed", Boolean, nullable=False),
    Column("device_id", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("change_id", Text, unique=True),
)

account_tokens = Table(
    "account_tokens",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("digest", Text, nullable=False, unique=True),
    Column("email", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

mail_queue = Table(
    "mail_queue",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("recipient", Text, nullable=False),
    Column("key_id", Text),
    Column("sealed_message", LargeBinary),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("sent_at", DateTime(timezone=True)),
    Column("failed_at", DateTime(timezone=True)),
)

external_identities = Table(
    "external_identities",
    metadata,
    Column("provider", Text, primary_key=True),
    Column("subject", Text, primary_key=True),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("email", Text),
    Column("email_verified", Boolean, nullable=False),
    Column("login", Text),
    Column("linked_at", DateTime(timezone=True), nullable=False),
    Column("last_sign_in_at", DateTime(timezone=True)),
)

webhook_registrations = Table(
    "webhook_registrations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("platform", Text, nullable=False),
    Column("scheme", Text, nullable=False),
    Column("format", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("secret_key_id", Text, nullable=False),
    Column("sealed_secret", LargeBinary, nullable=False),
    Column("previous_secret_key_id", Text),
    Column("previous_sealed_secret", LargeBinary),
    Column("previous_valid_until", DateTime(timezone=True)),
    Column("rotated_at", DateTime(timezone=True)),
    Column("disabled_at", DateTime(timezone=True)),
)

catalog_platform_titles = Table(
    "catalog_platform_titles",
    metadata,
    Column("platform", Text, primary_key=True),
    Column("platform_content_id", Text, primary_key=True),
    Column("content_id", UUID(as_uuid=True), ForeignKey("content.id", ondelete="CASCADE"), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("removed", Boolean, nullable=False),
)

catalog_applied_changes = Table(
    "catalog_applied_changes",
    metadata,
    Column("change_id", Text, primary_key=True),
    Column("content_id", UUID(as_uuid=True)),
    Column("outcome", Text, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


recommendation_ratings = Table(
    "recommendation_ratings",
    metadata,
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("content_id", UUID(as_uuid=True), ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    Column("rating", Integer, nullable=False),
    Column("rated_at", DateTime(timezone=True), nullable=False),
)

recommendation_models = Table(
    "recommendation_models",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("state", Text, nullable=False),
    Column("parameters", JSONB, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ready_at", DateTime(timezone=True)),
    Column("in_use_since", DateTime(timezone=True)),
    Column("viewers", Integer, nullable=False),
    Column("items", Integer, nullable=False),
    Column("interactions", Integer, nullable=False),
    Column("fit_seconds", Float, nullable=False),
    Column("total_seconds", Float, nullable=False),
    Column("artifact", LargeBinary),
)
