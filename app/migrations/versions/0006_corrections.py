"""Mark correction requests: a teacher asks, the deputy director approves or rejects.

An approved request points at the correction row it produced in `mark` (the original mark stays).

Revision ID: 0006
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LESSON_MARKS = "'2', '3', '4', '5', 'зач', 'незач'"


def upgrade() -> None:
    op.create_table(
        "correction_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("college_id", sa.Integer(), sa.ForeignKey("college.id"), nullable=False),
        sa.Column("mark_id", sa.BigInteger(), sa.ForeignKey("mark.id"), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("new_value", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False, server_default="pending"),
        sa.Column("decided_by_user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("correction_mark_id", sa.BigInteger(), sa.ForeignKey("mark.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("status IN ('approved', 'pending', 'rejected')", name="correction_status_known"),
        sa.CheckConstraint(f"new_value IN ({LESSON_MARKS})", name="correction_value_known"),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name="correction_decided_when_not_pending"
        ),
        sa.CheckConstraint(
            "(status = 'approved') = (correction_mark_id IS NOT NULL)", name="correction_approved_has_mark"
        ),
    )
    op.create_index("ix_correction_request_college_id", "correction_request", ["college_id"])
    op.create_index("ix_correction_request_mark_id", "correction_request", ["mark_id"])
    op.create_index(
        "ix_correction_request_requested_by_user_id", "correction_request", ["requested_by_user_id"]
    )
    # One open request per mark, even under concurrent submissions.
    op.create_index(
        "uq_correction_request_pending",
        "correction_request",
        ["mark_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    # Grants for the app and ETL roles when 0007 (which defines the function) ran first; otherwise
    # app.migrate grants after all heads are upgraded.
    op.execute(
        "DO $$ BEGIN IF to_regproc('ejournal_grant_roles') IS NOT NULL THEN "
        "PERFORM ejournal_grant_roles(); END IF; END $$"
    )


def downgrade() -> None:
    op.drop_table("correction_request")
