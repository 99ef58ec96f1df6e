"""The exam commission the deputy director names for a sheet (a квалификационный экзамен, ГИА, a
commission retake): its members fill the sheet as the subject's teacher does (issue 12).

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE attestation_commission (
            curriculum_item_id integer NOT NULL REFERENCES curriculum_item (id) ON DELETE CASCADE,
            teacher_id integer NOT NULL REFERENCES teacher (id),
            college_id integer NOT NULL REFERENCES college (id),
            PRIMARY KEY (curriculum_item_id, teacher_id)
        )
        """
    )
    op.execute("CREATE INDEX ix_attestation_commission_teacher ON attestation_commission (teacher_id)")


def downgrade() -> None:
    op.execute("DROP TABLE attestation_commission")
