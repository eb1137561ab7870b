"""Sign in everywhere: verified email, single-use account tokens (email verification, password
reset), the outgoing mail queue, and identities at external providers (GitHub, Google).
An account created through a provider may have no password.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT false")
    op.execute("ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL")
    # What signed in (a TV's name from the device sign-in; a browser, an app), kept through rotations.
    op.execute("ALTER TABLE refresh_sessions ADD COLUMN client_name text")
    # Only a digest of each token is kept; the token itself exists only in the mail that carries it.
    op.execute(
        """
        CREATE TABLE account_tokens (
            id uuid PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            purpose text NOT NULL,
            digest text NOT NULL UNIQUE,
            email text NOT NULL,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            used_at timestamptz
        )
        """
    )
    op.execute("CREATE INDEX account_tokens_user_purpose_idx ON account_tokens (user_id, purpose)")
    op.execute("CREATE INDEX account_tokens_expires_idx ON account_tokens (expires_at)")
    # Mail is written here in the transaction that decides to send it, and sent by the worker.
    # The message is sealed (it may carry a token); it is wiped once delivered.
    op.execute(
        """
        CREATE TABLE mail_queue (
            id uuid PRIMARY KEY,
            recipient text NOT NULL,
            key_id text,
            sealed_message bytea,
            queued_at timestamptz NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL,
            last_error text,
            sent_at timestamptz,
            failed_at timestamptz
        )
        """
    )
    op.execute(
        "CREATE INDEX mail_queue_due_idx ON mail_queue (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL"
    )
    op.execute(
        """
        CREATE TABLE external_identities (
            provider text NOT NULL,
            subject text NOT NULL,
            user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            email text,
            email_verified boolean NOT NULL,
            login text,
            linked_at timestamptz NOT NULL,
            last_sign_in_at timestamptz,
            PRIMARY KEY (provider, subject),
            UNIQUE (user_id, provider)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE external_identities")
    op.execute("DROP TABLE mail_queue")
    op.execute("DROP TABLE account_tokens")
    op.execute("ALTER TABLE refresh_sessions DROP COLUMN client_name")
    op.execute("ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL")
    op.execute("ALTER TABLE users DROP COLUMN email_verified")
