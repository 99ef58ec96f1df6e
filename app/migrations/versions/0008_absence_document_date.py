"""The date of the document behind a valid reason for an absence, as a column of its own.

Until now the curator's «справка от ДД.ММ.ГГГГ: примечание» was one string; reports and searches
need the date as a date. Existing reasons are split: the date moves to the column, the text keeps
the document kind and the note. Also joins the 0006 and 0007 branches.

Revision ID: 0008
Revises: 0006, 0007
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: tuple[str, ...] = ("0006", "0007")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATED = r"^([^:]*?) от (\d\d\.\d\d\.\d{4})(.*)$"


def upgrade() -> None:
    op.execute("ALTER TABLE attendance ADD COLUMN reason_document_date date")
    # The owner runs migrations, so the lesson-day triggers let this history through.
    op.execute(
        f"""
        UPDATE attendance
        SET reason_document_date = to_date(regexp_replace(reason, '{DATED}', '\\2'), 'DD.MM.YYYY'),
            reason = regexp_replace(reason, '{DATED}', '\\1\\3')
        WHERE status = 'excused' AND reason ~ '{DATED}'
        """
    )
    op.execute(
        "ALTER TABLE attendance ADD CONSTRAINT attendance_document_only_when_excused "
        "CHECK (reason_document_date IS NULL OR status = 'excused')"
    )


def downgrade() -> None:
    op.execute(
        """
        UPDATE attendance
        SET reason = regexp_replace(reason, '^([^:]*)', '\\1 от ' || to_char(reason_document_date, 'DD.MM.YYYY'))
        WHERE reason_document_date IS NOT NULL
        """
    )
    op.execute("ALTER TABLE attendance DROP CONSTRAINT attendance_document_only_when_excused")
    op.execute("ALTER TABLE attendance DROP COLUMN reason_document_date")
