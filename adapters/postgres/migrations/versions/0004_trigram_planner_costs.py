"""Tell the planner what pg_trgm's word-similarity operator costs.

pg_trgm declares `<%` as cheap as a comparison, so on a few thousand titles the planner prefers a
sequential scan that computes word similarity for every row (~10 ms); priced realistically it
uses the trigram index (~3 ms). On a managed server where we do not own the extension's
functions, the statement is skipped: search stays correct, only slower.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        DO $$
        BEGIN
            ALTER FUNCTION word_similarity_op(text, text) COST 200;
            ALTER FUNCTION word_similarity_commutator_op(text, text) COST 200;
            ALTER FUNCTION similarity_op(text, text) COST 200;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pg_trgm operator costs left unchanged: not the owner';
        END
        $$
        """
    )
    op.execute("ANALYZE content")


def downgrade() -> None:
    pass
