"""TOTP factors, backup codes, MFA login challenges, security events, API keys, user scopes.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE users ADD COLUMN scopes text[] NOT NULL DEFAULT '{read,write}'")
    op.execute(
        """
        CREATE TABLE mfa_factors (
            id uuid PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            sealed_secret bytea NOT NULL,
            key_id text NOT NULL,
            status text NOT NULL CHECK (status IN ('pending', 'active')),
            created_at timestamptz NOT NULL,
            confirmed_at timestamptz,
            last_used_step bigint,
            consecutive_failures integer NOT NULL DEFAULT 0,
            locked_until timestamptz
        )
        """
    )
    op.execute("CREATE UNIQUE INDEX mfa_factors_one_per_status ON mfa_factors (user_id, status)")
    op.execute(
        """
        CREATE TABLE backup_codes (
            id uuid PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            code_hash text NOT NULL,
            created_at timestamptz NOT NULL,
            used_at timestamptz
        )
        """
    )
    op.execute("CREATE INDEX backup_codes_user_idx ON backup_codes (user_id) WHERE used_at IS NULL")
    op.execute(
        """
        CREATE TABLE mfa_challenges (
            token_digest text PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            consumed_at timestamptz
        )
        """
    )
    op.execute(
        """
        CREATE TABLE security_events (
            id uuid PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            kind text NOT NULL,
            occurred_at timestamptz NOT NULL,
            ip text,
            details jsonb NOT NULL DEFAULT '{}'
        )
        """
    )
    op.execute("CREATE INDEX security_events_user_time_idx ON security_events (user_id, occurred_at DESC, id)")
    op.execute(
        """
        CREATE TABLE api_keys (
            id uuid PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            name text NOT NULL,
            digest text NOT NULL UNIQUE,
            prefix text NOT NULL,
            last_four text NOT NULL,
            scopes text[] NOT NULL,
            rate_limit_per_minute integer NOT NULL CHECK (rate_limit_per_minute > 0),
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            revoked_at timestamptz,
            last_used_at timestamptz,
            last_used_ip text
        )
        """
    )
    op.execute("CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC)")


def downgrade() -> None:
    for table in ("api_keys", "security_events", "mfa_challenges", "backup_codes", "mfa_factors"):
        op.execute(f"DROP TABLE {table}")
    op.execute("ALTER TABLE users DROP COLUMN scopes")
