"""A timetable that changes for one date: a cancelled pair, a pair moved to another day or pair,
another room, an extra lesson (issue 12). The permanent slots stay as they are; the day's lessons
are made from the slots and these changes (app.services.journal.materialize_lessons).

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE timetable_change (
            id serial PRIMARY KEY,
            college_id integer NOT NULL REFERENCES college (id),
            kind text NOT NULL CHECK (kind IN ('cancel', 'move', 'room', 'extra')),
            timetable_slot_id integer REFERENCES timetable_slot (id),
            lesson_date date NOT NULL,
            new_date date,
            new_pair smallint CHECK (new_pair BETWEEN 1 AND 8),
            room text,
            study_group_id integer REFERENCES study_group (id),
            subgroup smallint CHECK (subgroup BETWEEN 0 AND 2),
            subject_id integer REFERENCES subject (id),
            teacher_id integer REFERENCES teacher (id),
            reason text NOT NULL,
            created_by_user_id integer NOT NULL REFERENCES user_account (id),
            created_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT timetable_change_slot CHECK ((kind = 'extra') = (timetable_slot_id IS NULL)),
            CONSTRAINT timetable_change_move CHECK ((kind = 'move') = (new_date IS NOT NULL AND new_pair IS NOT NULL)),
            CONSTRAINT timetable_change_extra CHECK (kind <> 'extra' OR (study_group_id IS NOT NULL
                AND subgroup IS NOT NULL AND subject_id IS NOT NULL AND teacher_id IS NOT NULL
                AND new_pair IS NOT NULL))
        )
        """
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_timetable_change_slot_day ON timetable_change (timetable_slot_id, lesson_date) "
        "WHERE timetable_slot_id IS NOT NULL"
    )
    op.execute("CREATE INDEX ix_timetable_change_day ON timetable_change (college_id, lesson_date)")
    op.execute("CREATE INDEX ix_timetable_change_new_day ON timetable_change (college_id, new_date)")


def downgrade() -> None:
    op.execute("DROP TABLE timetable_change")
