"""Personal access tokens for the read-only API (issue 16): stored as their SHA-256 only.

Revision ID: 0026
Revises: 0025
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api_token (
            id serial PRIMARY KEY,
            user_id integer NOT NULL REFERENCES user_account (id),
            name varchar NOT NULL,
            token_hash varchar NOT NULL UNIQUE,
            prefix varchar NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz,
            last_used_at timestamptz,
            revoked_at timestamptz
        )
        """
    )
    op.execute("CREATE INDEX ix_api_token_user ON api_token (user_id)")


def downgrade() -> None:
    op.execute("DROP TABLE api_token")
