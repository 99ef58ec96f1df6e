"""Account security: failed-login counting, lockout, expiring initial passwords.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user_account", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("user_account", sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("user_account", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("user_account", sa.Column("password_expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for column in ("password_expires_at", "locked_until", "first_failed_at", "failed_logins"):
        op.drop_column("user_account", column)
