"""The deputy's deadline for retakes: when a half is closed, its debts may be retaken until this
day (NULL: no deadline set).

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE attestation_close ADD COLUMN retakes_until date")


def downgrade() -> None:
    op.execute("ALTER TABLE attestation_close DROP COLUMN retakes_until")
