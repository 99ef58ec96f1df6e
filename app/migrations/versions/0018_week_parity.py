"""Числитель / знаменатель: a timetable slot held every week, or only in the odd (numerator) or
even (denominator) weeks of the academic year, counted from the week holding 1 September
(app.calendar.week_parity).

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE timetable_slot ADD COLUMN week_parity smallint NOT NULL DEFAULT 0 "
        "CONSTRAINT week_parity_known CHECK (week_parity IN (0, 1, 2))"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE timetable_slot DROP COLUMN week_parity")
