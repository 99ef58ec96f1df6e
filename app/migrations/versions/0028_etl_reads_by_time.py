"""Indexes for the warehouse's incremental reads (issue 14): marks and semester marks are read by
creation time (etl.sources), which until now meant a scan of every mark in the region per load.

Revision ID: 0028
Revises: 0027
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_mark_created_at ON mark (created_at)")
    op.execute("CREATE INDEX ix_semester_mark_created_at ON semester_mark (created_at)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_semester_mark_created_at")
    op.execute("DROP INDEX ix_mark_created_at")
